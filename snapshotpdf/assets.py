"""Where the bundled files live, from a checkout or from an installed wheel.

The wheel carries layouts/, fonts/ and the sample under snapshotpdf/_data/ (see pyproject);
a checkout (or editable install) has them at the top of the repository.
"""

from __future__ import annotations

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


def fonts_dir() -> Path:
    return data_root() / "fonts"


def sample_survey() -> Path:
    return data_root() / "inputs" / "sample-survey.xlsx"


def package_file(name: str) -> Path:
    """A data file shipped inside the package itself (vocabulary, profiles)."""
    return _PACKAGE / name
