"""WeasyPrint's libraries found without running a compiler.

WeasyPrint 70 (text/ffi.py) loads Pango, HarfBuzz, fontconfig and GObject through cffi,
trying several names for each, most of them other platforms' (`libpango-1.0-0`,
`pango-1.0-0`, then `pango-1.0`, then the soname `libpango-1.0.so.0`). For each name
that is not a file, cffi asks `ctypes.util.find_library`, which on Linux runs
`ldconfig -p`, then gcc, then ld, one after the other. Importing WeasyPrint ran about
200 programs (22 ldconfig, 16 gcc with their linkers): 0.6 s of CPU in every process
that renders, each of a build's workers.

While WeasyPrint loads, find_library here answers from the dynamic loader's cache alone
(`ldconfig -p`, read once): the answer its first step gives, without the compiler steps,
which find only what the loader cannot load by name anyway. A name the cache does not
have is None at once, and cffi tries the next. Where `ldconfig` is not there (not glibc),
nothing is changed.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

# The C library's ABI as ldconfig names it in its listing, by machine and word size (as
# ctypes.util does): "libc6,x86-64"; other machines are listed as "libc6,..." or "libc6".
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@contextmanager
def found_in_loader_cache() -> Iterator[None]:
    """Within it, ctypes.util.find_library reads the loader's cache only (above); it is
    put back as it was after, whatever happens inside."""
    listing = _loader_cache() if sys.platform.startswith("linux") else None
    if listing is None:
        yield
        return
    real = ctypes.util.find_library
    ctypes.util.find_library = _finder(listing)  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = real


def _finder(listing: str) -> Callable[[str], str | None]:
    machine = os.uname().machine + ("-64" if sys.maxsize > 2**32 else "-32")
    abi = re.escape(_ABI.get(machine, "libc6"))

    @cache
    def find_library(name: str) -> str | None:
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}", listing)
        return found.group(1) if found else None

    return find_library


def _loader_cache() -> str | None:
    """`ldconfig -p`: every library the dynamic loader knows by name; None without it."""
    ldconfig = shutil.which("ldconfig") or next(
        (path for path in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.access(path, os.X_OK)),
        None,
    )
    if ldconfig is None:
        return None
    try:
        done = subprocess.run(
            [ldconfig, "-p"],
            capture_output=True,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")
