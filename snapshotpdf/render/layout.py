"""A layout is a folder: layout.toml (its defaults), a template, CSS, icons and locales."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from snapshotpdf.assets import layouts_dir
from snapshotpdf.errors import LayoutError
from snapshotpdf.render.wording import SHARE_STYLES

PDF_INDEPENDENT = {"mail"}  # layout subfolders that never change a PDF


@dataclass(frozen=True)
class Layout:
    name: str
    folder: Path
    config: dict[str, Any]

    @property
    def template(self) -> str:
        return str(self.config["template"])

    @property
    def stylesheets(self) -> list[Path]:
        return [self.folder / name for name in self.config["stylesheets"]]

    @property
    def papers(self) -> dict[str, str]:
        return dict(self.config["papers"])

    @property
    def pages(self) -> int:
        return int(self.config["pages"])

    @property
    def sections(self) -> dict[str, int]:
        return dict(self.config["sections"])

    @property
    def share_style(self) -> str:
        """How shares of cities are worded ([wording] shares): "figures" (the published
        snapshots: "20% of", a majority "more than half of") or "bands" (the locale's
        share_bands, words always)."""
        style = str(self.config.get("wording", {}).get("shares", "figures"))
        if style not in SHARE_STYLES:
            raise LayoutError(
                f"layout {self.name!r}: [wording] shares = {style!r} is not a style",
                hint=f"styles: {', '.join(SHARE_STYLES)}",
            )
        return style

    def icon_name(self, group: str, key: str) -> str:
        """The icon file (icons/NAME.svg) of an option: its own in [icons.GROUP], else the
        group's icon for an option the layout does not list ([icons.other])."""
        icons = self.config["icons"]
        return str(icons[group].get(key) or icons["other"][group])

    def has_icon(self, name: str) -> bool:
        return (self.folder / "icons" / f"{name}.svg").is_file()

    @property
    def default_language(self) -> str:
        return str(self.config["default_language"])

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the layout has a translation for (its locales/*.toml)."""
        return _languages(self.folder)

    def language_for(self, wanted: str | None) -> str:
        """The translation a city gets: its language (pt-br), else that language's base
        (pt), else the layout's default. Only a name from the layout's own list is ever
        used to find a file: a survey's cell never becomes a path."""
        return best_language(wanted, self.languages, self.default_language)

    def locale(self, language: str | None = None) -> dict[str, Any]:
        """The wording for a language; the layout's default where it has no translation."""
        return _load_locale(self.folder, self.language_for(language))

    def icon(self, group: str, key: str, tone: str, alt: str = "") -> Markup:
        """An icon as an image of the layout's icons/ folder, stroked in one of the layout's
        [icons.tones]. With alt text it is announced (its meaning); without, decorative.
        The renderer parses each (icon, tone) once per process, not once per page."""
        name = self.icon_name(group, key)
        colour = self.config["icons"]["tones"][tone].lstrip("#")
        return Markup('<img class="icon" src="icons/{}.svg?stroke={}" alt="{}">').format(
            name, colour, alt
        )

    def files(self) -> list[Path]:
        """Every file that shapes the PDFs (their fingerprints): all of the layout folder
        but the e-mail templates, which shape messages, not documents."""
        return sorted(
            p
            for p in self.folder.rglob("*")
            if p.is_file() and p.relative_to(self.folder).parts[0] not in PDF_INDEPENDENT
        )


def load_layout(name: str = "snapshot") -> Layout:
    folder = layouts_dir() / name
    config_file = folder / "layout.toml"
    if not config_file.is_file():
        available = sorted(p.name for p in layouts_dir().iterdir() if (p / "layout.toml").is_file())
        raise LayoutError(f"no layout named {name!r}", hint=f"layouts: {', '.join(available)}")
    with config_file.open("rb") as f:
        return Layout(name, folder, tomllib.load(f))


def best_language(wanted: str | None, available: Sequence[str], default: str) -> str:
    """wanted where it is available (pt-br), else its base language (pt), else default:
    the one fallback rule for the snapshot's wording and the e-mail's templates."""
    for candidate in (wanted, (wanted or "").split("-")[0]):
        if candidate and candidate in available:
            return candidate
    return default


@cache
def _languages(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in (folder / "locales").glob("*.toml")))


@cache
def _load_locale(folder: Path, language: str) -> dict[str, Any]:
    path = folder / "locales" / f"{language}.toml"
    if not path.is_file():
        raise LayoutError(f"layout {folder.name!r} has no {language!r} translation ({path})")
    with path.open("rb") as f:
        return tomllib.load(f)
