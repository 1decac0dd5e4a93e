"""Where the bundled files live, from a checkout or from an installed wheel.

The wheel carries layouts/, fonts/ and the sample under snapshotpdf/_data/ (see pyproject);
a checkout (or editable install) has them at the top of the repository.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    installed = _PACKAGE / "_data"
    if (installed / "layouts").is_dir():
        return installed
    return _PACKAGE.parent


def layouts_dir() -> Path:
    return data_root() / "layouts"


# The file that makes a folder a layout's.
LAYOUT_FILE = "layout.toml"


def bundled_layouts() -> list[str]:
    return sorted(p.name for p in layouts_dir().iterdir() if (p / LAYOUT_FILE).is_file())


def folder_of(name: str, bundled: list[str] | None = None) -> Path:
    """The folder a layout name stands for: a bundled layout's by its name; else a
    folder's path (a name with a /, or of a folder that is not a bundled layout's).
    bundled: bundled_layouts(), when the caller has it already."""
    if "/" not in name and os.sep not in name and name in (bundled or bundled_layouts()):
        return layouts_dir() / name
    return Path(name)


def fonts_dir() -> Path:
    return data_root() / "fonts"


def sample_survey() -> Path:
    return data_root() / "inputs" / "sample-survey.xlsx"


def package_file(name: str) -> Path:
    """A data file shipped inside the package itself (vocabulary, profiles)."""
    return _PACKAGE / name
