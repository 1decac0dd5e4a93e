"""No system font is ever used: fontconfig is pointed at the bundled fonts folder alone,
before WeasyPrint loads, so a machine without those fonts renders identically and a
machine with other fonts renders nothing differently.

The folder holds Noto Sans (in git) and the fonts of every other script (fonts/scripts.toml,
copied there by `make setup`); fontconfig reads a <dir> and its subfolders. Each process
scans the folder into its own cache (about 0.1 s more with the CJK collections), so no
cache outside it can ever hold another font. Pango falls back through every font the
folder holds, so what a snapshot can print is what render/glyphs.py computes."""

from __future__ import annotations

import atexit
import os
import shutil
from functools import cache
from pathlib import Path

from snapshotpdf.assets import fonts_dir
from snapshotpdf.files import scratch_folder

FONTCONFIG_VARIABLE = "FONTCONFIG_FILE"  # fontconfig's: the configuration file it reads


@cache
def isolate_fontconfig() -> Path:
    """Write a fontconfig file that knows only the bundled fonts and make it the process's
    (FONTCONFIG_FILE). Once per process; its folder is removed at exit."""
    folder = scratch_folder("fc")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts_dir()}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    os.environ[FONTCONFIG_VARIABLE] = str(conf)
    return conf
