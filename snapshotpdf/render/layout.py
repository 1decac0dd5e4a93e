"""A layout is a folder: layout.toml (its defaults), a template, CSS, icons, message catalogs
(locales/) and mail templates."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import UnknownLocaleError
from markupsafe import Markup

from snapshotpdf.assets import layouts_dir
from snapshotpdf.errors import LayoutError
from snapshotpdf.render import wording
from snapshotpdf.render.catalog import Catalog, best_language, catalog_names, load_catalog

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
        snapshots: "20% of", a majority "more than half of") or "bands" (the catalog's
        share_bands, words always)."""
        style = str(self.config.get("wording", {}).get("shares", "figures"))
        if style not in wording.SHARE_STYLES:
            raise LayoutError(
                f"layout {self.name!r}: [wording] shares = {style!r} is not a style",
                hint=f"styles: {', '.join(wording.SHARE_STYLES)}",
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
        """The languages the layout has a catalog for (its locales/*.toml)."""
        return catalog_names(self.folder)

    def language_for(self, wanted: str | None) -> str:
        """The catalog a language gets: its own (pt-br), else its base language's (pt),
        else the layout's default. Only a name from the layout's own list is ever used to
        find a file: a survey's cell never becomes a path."""
        return best_language(wanted, self.languages, self.default_language)

    def catalog(self, language: str | None = None) -> Catalog:
        """The wording of a language: its catalog over the default language's (the source),
        the layout's default where it has none. Catalogs render/catalog.py."""
        chosen = self.language_for(language)
        catalog = load_catalog(self.folder, chosen, self.default_language)
        try:
            wording.cldr(chosen)
        except (ValueError, UnknownLocaleError):
            raise LayoutError(
                f"layout {self.name!r}: locales/{chosen}.toml is named after no language"
                " CLDR knows",
                hint="name a catalog after its language code: es.toml, pt-br.toml",
            ) from None
        return catalog

    def catalogs(self) -> list[Catalog]:
        """Every catalog of the layout, the source first: what `snapshotpdf languages`
        reports (translated of total, the strings each lacks)."""
        ordered = sorted(self.languages, key=lambda name: (name != self.default_language, name))
        return [self.catalog(language) for language in ordered]

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
    """A bundled layout by name, or a layout folder by its path (a name with a /)."""
    if "/" in name or os.sep in name:
        folder = Path(name)
        if not (folder / "layout.toml").is_file():
            raise LayoutError(f"{folder} is not a layout folder: it has no layout.toml")
        name = folder.name
    else:
        folder = layouts_dir() / name
    config_file = folder / "layout.toml"
    if not config_file.is_file():
        available = sorted(p.name for p in layouts_dir().iterdir() if (p / "layout.toml").is_file())
        raise LayoutError(f"no layout named {name!r}", hint=f"layouts: {', '.join(available)}")
    with config_file.open("rb") as f:
        return Layout(name, folder, tomllib.load(f))
