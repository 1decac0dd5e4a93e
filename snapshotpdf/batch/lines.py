"""The files a build keeps for itself in its output folder besides the manifest (cache.py's
survey, memo.py's contents): JSON lines, written a line at a time into a temporary file
and moved into place whole, and read only from a regular file, never through a link, a
line of bounded length at a time. Such a file is never needed: a failure to write one gives
up quietly, and one that cannot be read is as if it were not there."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
from pathlib import Path
from typing import IO

from snapshotpdf.files import TEMP_PREFIX, TEMP_SUFFIX

# The longest line written or read: a record's answers are cut to a few thousand characters
# each (limits.py); a longer line is of a file snapshotpdf did not write.
MAX_LINE = 16 * 1024 * 1024


class Unreadable(ValueError):
    """A file of lines that is not what its reader expects."""


def open_regular(path: Path) -> IO[bytes] | None:
    """The file, open for reading, if it is a regular file (not a link, a pipe or a
    device: opening one never blocks); None otherwise, or when it cannot be opened."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return os.fdopen(fd, "rb")
    except OSError:
        pass
    os.close(fd)
    return None


def read_line(file: IO[bytes]) -> bytes:
    """The next whole line; Unreadable at the end of the file or for a line too long."""
    line = file.readline(MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise Unreadable("a line cut short, or too long")
    return line


def json_line(value: object) -> bytes:
    """value as one line of JSON (ValueError, TypeError: it has no JSON form)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


class LineWriter:
    """A file of lines being written: a temporary file beside the target (named as files.py
    names every temporary, so a killed run's is cleaned up), moved into place by commit.
    Any failure (an OSError, a value without a JSON form, a line too long) gives up
    quietly: the target is left as it was. hashed: the sha256 of the lines written with
    hashed=True, lines their count."""

    def __init__(self, target: Path) -> None:
        self.target = target
        stem = target.name.removeprefix(TEMP_PREFIX).removeprefix(".")
        self.temporary = target.parent / f"{TEMP_PREFIX}{stem}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        self.file: IO[bytes] | None = None
        self.hashed = hashlib.sha256()
        self.lines = 0
        self.committed = False
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        with contextlib.suppress(OSError):
            fd = os.open(self.temporary, flags | getattr(os, "O_NOFOLLOW", 0), 0o666)
            self.file = os.fdopen(fd, "wb")

    @property
    def writing(self) -> bool:
        """Whether nothing has gone wrong yet."""
        return self.file is not None

    def write(self, value: object, hashed: bool = True) -> None:
        """One line: value as JSON."""
        if self.file is None:
            return
        try:
            line = json_line(value)
        except (ValueError, TypeError):
            self.abandon()
            return
        self.write_line(line, hashed)

    def write_line(self, line: bytes, hashed: bool = True) -> None:
        """One line, as it is (ending in a newline)."""
        if self.file is None:
            return
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            self.abandon()
            return
        try:
            self.file.write(line)
        except OSError:
            self.abandon()
            return
        if hashed:
            self.hashed.update(line)
            self.lines += 1

    def commit(self) -> None:
        """Move the file into place: what was written is whole."""
        if self.file is None:
            return
        try:
            self.file.close()
            self.file = None
            os.replace(self.temporary, self.target)
            self.committed = True
        except OSError:
            self.abandon()

    def abandon(self) -> None:
        """Give up: the temporary file closed and removed (nothing once committed)."""
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
        if not self.committed:
            with contextlib.suppress(OSError):
                self.temporary.unlink(missing_ok=True)
