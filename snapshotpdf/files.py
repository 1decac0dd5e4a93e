"""Files: names made from cities, what keeps an input from being read, atomic writes (and
the output folder's lock), sizes as people read them, and picking cities by name or file
stem."""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from snapshotpdf.errors import SnapshotError
from snapshotpdf.romanize import ascii_names

T = TypeVar("T")


MAX_STEM = 120  # characters of a file name made from a city, before its extension
# Names Windows keeps for devices, whatever the extension: never a file of ours.
_RESERVED = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))}


def slug(*parts: str) -> str:
    """Safe ASCII file stem from names in any script: ("Peru", "Lima") -> "peru-lima",
    ("Japan", "仙台市") -> "japan-sendai-shi" (romanize.ascii_names reads each script; parts
    are country first, then city). Names that give no letters, or too many, end in a short
    digest of the names, so two cities never share a stem by accident; a Windows device
    name gets "-city" after it."""
    text = "-".join(ascii_names(parts)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    if not text:
        return f"city-{digest}"
    if len(text) > MAX_STEM:
        text = f"{text[: MAX_STEM - len(digest) - 1].rstrip('-')}-{digest}"
    return f"{text}-city" if text in _RESERVED else text


def pdf_name(country: str, city: str) -> str:
    return f"{slug(country, city)}.pdf"


NOT_FOUND = "not found"  # what input_problem says of a path where nothing is


def input_problem(path: Path) -> str | None:
    """Why path cannot be read as an input file (a survey, a profile), as words that follow
    its name ("is a folder"), or NOT_FOUND; None for a regular file, which may be empty.
    Never opens a pipe or a device (/dev/zero, /dev/stdin), so it never blocks on one."""
    try:
        info = path.stat()
    except OSError as exc:
        return _stat_problem(path, exc)
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return "is a folder"
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        return f"is not a regular file: it is {kind}"
    if info.st_size == 0 and _holds_bytes(path):
        return (
            "is not a regular file: it is a system file that gives no size (such as one under"
            " /proc), not a saved file"
        )
    return None


def _stat_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return (
            "is a symbolic link that leads round in a loop (a link to a link ... back to"
            " itself), so it cannot be resolved"
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                return "is a symbolic link to a file that is not found"
            return f"is a symbolic link to {target}, which is not found"
        return NOT_FOUND
    return f"cannot be read: {exc.strerror or type(exc).__name__}"


def _holds_bytes(path: Path) -> bool:
    """Whether a regular file that says it is empty gives a byte when read (files under
    /proc and /sys do); opened without blocking, and read only if still a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and bool(os.read(fd, 1))
    except OSError:
        return False
    finally:
        os.close(fd)


# Temporary files this tool writes (write_atomic) are named .snapshotpdf-NAME.RANDOM.tmp,
# so a build removes only its own leftovers, never a user's ".notes.tmp".
TEMP_PREFIX = ".snapshotpdf-"
TEMP_SUFFIX = ".tmp"
LOCK = ".snapshotpdf.lock"  # the output folder's lock: one build at a time (output_lock)
_HELD: dict[Path, int] = {}  # the lock files this process holds, and how often


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, flush to disk, then rename into place:
    a crash never leaves a truncated file under the final name. The file gets the mode any
    new file gets (0666 less the umask). An OSError (a read-only folder, a full disk, a
    folder where the file should be) becomes a SnapshotError naming the path and why."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        info = path.lstat() if path.exists() or path.is_symlink() else None
    except OSError as exc:
        raise write_error(path.parent, exc) from None
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        problem = input_problem(path) or "is not a regular file"  # a pipe, a device, a folder
        raise SnapshotError(
            f"{path} {problem}: it is not replaced by the file written there",
            hint="give the name of a new file, or of a file written before",
        )
    tmp = None
    try:
        fd, tmp = _temporary(path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise write_error(path, exc) from None
    except BaseException:
        _discard(tmp)
        raise


def _temporary(path: Path) -> tuple[int, Path]:
    """A new temporary file beside path, opened for writing; created with mode 0666 so the
    umask (or the folder's default ACL) decides its permissions, as for any new file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _discard(tmp: Path | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_error(path: Path, exc: OSError) -> SnapshotError:
    """A SnapshotError for an OSError while writing path: the path, the system's reason,
    and what to do about it."""
    reason = exc.strerror or type(exc).__name__
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        hint = f"free some space on the disk that holds {path.parent}, then run it again"
    elif code == errno.EISDIR or (code in (errno.EEXIST, errno.ENOTEMPTY) and path.is_dir()):
        hint = f"{path} is a folder: move it out of the way, or choose another output"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"make {path.parent} writable, or choose another output folder with -o"
    elif code == errno.ENOTDIR:
        hint = f"a file stands where a folder of {path} should be: move it, or choose another"
    else:
        hint = "check the folder and the disk, or choose another output folder with -o"
    return SnapshotError(f"cannot write {path}: {reason}", hint=hint)


def clean_stale_temporaries(outdir: Path, legacy: Iterable[str] = ()) -> None:
    """Remove the temporary files a killed run left behind in outdir: only those this tool
    names (.snapshotpdf-*.tmp; and .NAME.*.tmp for each NAME in legacy, the files it
    writes, as older versions named them), only regular files, never a symlink or a file
    of the user's, never a final file."""
    starts = (TEMP_PREFIX, *(f".{name}." for name in legacy))
    try:
        found = list(os.scandir(outdir))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise write_error(outdir, exc) from None
    for entry in found:
        if not (entry.name.startswith(starts) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise write_error(Path(entry.path), exc) from None


def move_aside(path: Path, folder: Path) -> Path | None:
    """Move the file path into folder (made when needed), replacing one of the same name
    there; the new path, or None when there was no such file."""
    if not path.is_file() and not path.is_symlink():
        return None
    target = folder / path.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise write_error(target, exc) from None
    return target


def output_lock(folder: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the folder's lock while the block runs: a second run writing into the same
    folder gets a SnapshotError at once, never a wait."""
    return exclusive_lock(
        folder,
        LOCK,
        f"another snapshotpdf run is writing into {folder}",
        "wait for it to finish, or give this one another folder with -o",
    )


@contextlib.contextmanager
def exclusive_lock(folder: Path, name: str, busy: str, hint: str) -> Iterator[None]:
    """Hold an exclusive flock on FOLDER/NAME while the block runs; when another process
    holds it, a SnapshotError(busy, hint) at once. The folder is made when needed; the lock
    file is never followed through a symlink. Re-entrant within one process."""
    key = (folder / name).resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    lock = folder / name
    if folder.exists() and not folder.is_dir():  # else: "cannot write F/.lock: File exists"
        raise SnapshotError(
            f"{folder} is a file, not a folder", hint="give a folder (a new one is made)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(lock, flags | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise write_error(lock, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SnapshotError(busy, hint=hint) from None
        except OSError as exc:
            raise write_error(lock, exc) from None
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            fcntl.flock(fd, fcntl.LOCK_UN)  # now, even if a child process shares the file
    finally:
        os.close(fd)


def scratch_folder(kind: str) -> Path:
    """A new temporary folder of this process (snapshotpdf-KIND-PID-xxxx). Folders of the
    same kind left by processes that no longer run (killed with SIGKILL, which no clean-up
    survives) are removed first, so killed runs do not pile up in the temporary folder."""
    base = Path(tempfile.gettempdir())
    for old in base.glob(f"snapshotpdf-{kind}-*-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not _running(int(pid)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"snapshotpdf-{kind}-{os.getpid()}-", dir=base))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def size_text(size: int | None) -> str:
    """A size as people read it: "812 bytes", "10 KB", "3.4 MB", "200 MB" ("-" for none)."""
    if size is None:
        return "-"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def choose(
    items: Sequence[T], wanted: Sequence[str], names: Callable[[T], tuple[str, str]]
) -> tuple[list[T], list[str]]:
    """The items a user asked for by city name or file stem (case aside), and the names
    that matched nothing. names(item) gives (city, file stem). One picker for every
    command's --city."""
    keys = {w.casefold(): w for w in wanted}
    chosen = [i for i in items if any(n.casefold() in keys for n in names(i))]
    found = {n.casefold() for i in chosen for n in names(i)}
    return chosen, [name for key, name in keys.items() if key not in found]


def unknown_city_hint(unknown: str, cities: Sequence[str]) -> str:
    """What to say of a --city that matched nothing: the closest names, and how many exist."""
    close = difflib.get_close_matches(unknown, cities, n=3, cutoff=0.6)
    folded = {c.casefold(): c for c in cities}
    close += [
        folded[c]
        for c in difflib.get_close_matches(unknown.casefold(), list(folded), n=3, cutoff=0.6)
        if folded[c] not in close
    ]
    count = f"{len(cities)} cit{'y' if len(cities) == 1 else 'ies'} in all"
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close[:3])}? ({count})"
    listed = ", ".join(cities[:12]) + (" …" if len(cities) > 12 else "")
    return f"give a city name or file stem; {count}: {listed}"
