"""What the state a build keeps in its output folder is keyed by: a file's bytes, taken only
from a regular file of a size a survey may have; snapshotpdf's own files; the versions of
the libraries a result depends on. Shared by the replay (rerun.py), the survey cache
(cache.py) and the content memo (memo.py)."""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from snapshotpdf import limits
from snapshotpdf.assets import package_file

CHUNK = 1 << 20  # a file is hashed a MiB at a time: a survey may be large


@dataclass(frozen=True)
class Stamp:
    """Which file, and its state, as the system tells it without reading it: a file saved
    again since has another."""

    device: int
    inode: int
    size: int
    modified: int  # ns

    @classmethod
    def of(cls, info: os.stat_result) -> Stamp:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def update_with_file(digest: Any, path: Path, most: int = limits.MAX_BYTES) -> Stamp:
    """Feed a file's bytes to a hashlib digest; its stamp. OSError when it is not a regular
    file (a folder, a pipe, a device: never opened, so a pipe cannot block) or holds more
    than `most` bytes (what no survey may hold: the reader refuses it anyway)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    if info.st_size > most:
        raise OSError(errno.EFBIG, f"larger than {most} bytes", str(path))
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as file:
        opened = os.fstat(file.fileno())
        if not stat.S_ISREG(opened.st_mode):  # replaced since stat(): never read a pipe
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return Stamp.of(opened)


def stamp(path: Path) -> Stamp | None:
    """The file's stamp now; None when it is gone."""
    try:
        return Stamp.of(path.stat())
    except OSError:
        return None


def own_files() -> list[Path]:
    """snapshotpdf's code and bundled data files (profiles, vocabulary): an edited checkout
    must not reuse what older code made."""
    package = package_file("")
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and "_data" not in path.relative_to(package).parts
    )


def update_with_own_files(digest: Any, paths: Iterable[Path]) -> None:
    """Feed each file's path inside the package and its bytes."""
    package = package_file("")
    for path in paths:
        try:
            name = str(path.relative_to(package))
        except ValueError:
            name = str(path)
        digest.update(b"\0" + name.encode() + b"\0" + path.read_bytes())


def own_digest() -> str:
    """A digest of snapshotpdf's own files (own_files)."""
    digest = hashlib.sha256()
    update_with_own_files(digest, own_files())
    return digest.hexdigest()


def library_versions(names: Iterable[str]) -> str:
    """The versions of the libraries (and of Python, whose Unicode tables normalising and
    file names follow), as one text."""
    return "\0".join([f"python {sys.version}", *(f"{name} {_version(name)}" for name in names)])


@functools.cache  # a lookup reads the installed packages' metadata: a few ms each
def version_of(name: str) -> str:
    """An installed library's version; "none" when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


def _version(name: str) -> str:
    return version_of(name)
