"""WeasyPrint's libraries are found without running a compiler (render/libraries.py)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from snapshotpdf.render import libraries

LISTING = """\
1234 libs found in cache `/etc/ld.so.cache'
\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0
\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0
\tlibpango-1.0.so.0 (libc6) => /lib/i386-linux-gnu/libpango-1.0.so.0
\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz.so.0
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the loader cache is glibc's")
def test_names_are_answered_from_the_loader_cache_and_the_real_lookup_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(libraries, "_loader_cache", lambda: LISTING)
    monkeypatch.setattr("os.uname", lambda: type("U", (), {"machine": "x86_64"})())
    real = ctypes.util.find_library
    with libraries.found_in_loader_cache():
        assert ctypes.util.find_library("pango-1.0") == "libpango-1.0.so.0"
        assert ctypes.util.find_library("harfbuzz") == "libharfbuzz.so.0"
        assert ctypes.util.find_library("libpango-1.0-0") is None  # another platform's name
        assert ctypes.util.find_library("pango-1.0-0") is None
    assert ctypes.util.find_library is real
    with pytest.raises(RuntimeError), libraries.found_in_loader_cache():
        raise RuntimeError("inside")
    assert ctypes.util.find_library is real


def test_without_ldconfig_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libraries, "_loader_cache", lambda: None)
    real = ctypes.util.find_library
    with libraries.found_in_loader_cache():
        assert ctypes.util.find_library is real


PROBE = """
import subprocess, sys
ran = []
real = subprocess.Popen.__init__
def recorded(self, args, *rest, **kwargs):
    ran.append(args[0] if isinstance(args, (list, tuple)) else args)
    return real(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = recorded
import snapshotpdf.render.pdf
import weasyprint.text.ffi as ffi
assert ffi.pango and ffi.harfbuzz and ffi.fontconfig and ffi.pangoft2 and ffi.gobject
print(repr(ran))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the loader cache is glibc's")
def test_loading_the_renderer_runs_no_compiler() -> None:
    """It ran ldconfig 22 times and gcc 16 (with its linker) before."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    ran = eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's repr
    assert [program for program in ran if "ldconfig" not in str(program)] == []
    assert len(ran) <= 1
