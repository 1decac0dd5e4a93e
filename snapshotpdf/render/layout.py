"""A layout is a folder: layout.toml (its defaults), a template, CSS, icons, message catalogs
(locales/) and mail templates.

A layout may come from anyone. Every file of it is found here (layer_file): inside one of
its folders, never through a link to a file outside them, which is a LayoutError naming the
link; the renderer's fetcher keeps the stylesheets' own URLs inside them too (pdf.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from babel import UnknownLocaleError
from markupsafe import Markup

from snapshotpdf.assets import LAYOUT_FILE, bundled_layouts, folder_of, layouts_dir
from snapshotpdf.errors import LayoutError
from snapshotpdf.files import size_text
from snapshotpdf.limits import MAX_ICON_BYTES, MAX_ICONS, MAX_TEMPLATE_BYTES
from snapshotpdf.render import iconfont, wording
from snapshotpdf.render.catalog import (
    CATALOGS,
    Catalog,
    best_language,
    catalog_names,
    load_catalog,
)
from snapshotpdf.render.settings import LayoutSettings, parse_settings, read_toml

PDF_INDEPENDENT = {"mail"}  # layout subfolders that never change a PDF
DEFAULT_PARENT = "snapshot"  # the bundled layout a folder's layout extends unless it says


@dataclass(frozen=True)
class Layout:
    """A layout: its folders (its own first, then the bundled layout it extends, whose
    files it uses where it has none of its own) and its checked settings (settings.py)."""

    name: str
    folders: tuple[Path, ...]
    settings: LayoutSettings

    @property
    def folder(self) -> Path:
        """The layout's own folder: relative URLs of its HTML start here."""
        return self.folders[0]

    def find(self, relative: str) -> Path | None:
        """A file of the layout by its path inside the folder (find_in)."""
        return find_in(self.folders, relative)

    def file(self, relative: str) -> Path:
        """As find(), for a file the settings name (checked when they were read)."""
        path = self.find(relative)
        if path is None:
            raise LayoutError(f"layout {self.name!r} has no file {relative!r}")
        return path

    def file_in(self, message: str) -> str | None:
        """The file of the layout a renderer's message is about ("Failed to load image at
        'file:///.../layout/big.png'"), by its path inside its folder: the message is the
        layout's, said once, not each city's. None for a message that names none."""
        for found in _FILE_URL.finditer(message):
            path = Path(unquote(found[1]))
            for folder in (f.resolve() for f in self.folders):
                if path.is_relative_to(folder):
                    return path.relative_to(folder).as_posix()
        return None

    @property
    def template(self) -> str:
        return self.settings.template

    @property
    def stylesheets(self) -> list[Path]:
        return [self.file(name) for name in self.settings.stylesheets]

    def variant_stylesheets(self, table: str) -> list[Path]:
        """The stylesheets [variants.TABLE] adds after the layout's own."""
        return [self.file(name) for name in self.settings.variants.get(table, ())]

    @property
    def logo(self) -> Path | None:
        """The logo file of the layout's [brand] (its own, else the one it extends has);
        None when it has none."""
        brand = self.settings.brand
        return self.find(brand.logo) if brand.logo else None

    @property
    def papers(self) -> dict[str, str]:
        return dict(self.settings.papers)

    @property
    def pages(self) -> int:
        return self.settings.pages

    @property
    def sections(self) -> dict[str, int]:
        return dict(self.settings.sections)

    @property
    def share_style(self) -> str:
        """How shares of cities are worded ([wording] shares): "figures" (the published
        snapshots: "20% of", a majority "more than half of") or "bands" (the catalog's
        share_bands, words always)."""
        return self.settings.shares

    def icon_name(self, group: str, key: str) -> str:
        """The icon file (icons/NAME.svg) of an option: its own in [icons.GROUP], else the
        group's icon for an option the layout does not list ([icons.other]); the marks of
        the data grid are [icons.marks]."""
        icons = self.settings.icons
        if group == "marks":
            return icons.marks[key]
        return icons.groups.get(group, {}).get(key) or icons.other[group]

    def has_icon(self, name: str) -> bool:
        return name in self.icon_files

    @property
    def default_language(self) -> str:
        return self.settings.default_language

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the layout has a catalog for (its locales/*.toml)."""
        return catalog_names(self.folders)

    def language_for(self, wanted: str | None) -> str:
        """The catalog a language gets: its own (pt-br), else its base language's (pt),
        else the layout's default. Only a name from the layout's own list is ever used to
        find a file: a survey's cell never becomes a path."""
        return best_language(wanted, self.languages, self.default_language)

    def catalog(self, language: str | None = None) -> Catalog:
        """The wording of a language: its catalog over the default language's (the source),
        the layout's default where it has none. Catalogs render/catalog.py."""
        chosen = self.language_for(language)
        source = self.default_language
        catalog = load_catalog(self.catalog_files(source), self.catalog_files(chosen), chosen)
        try:
            wording.cldr(chosen)
        except (ValueError, UnknownLocaleError):
            raise LayoutError(
                f"layout {self.name!r}: locales/{chosen}.toml is named after no language"
                " CLDR knows",
                hint="name a catalog after its language code: es.toml, pt-br.toml",
            ) from None
        return catalog

    def catalog_files(self, language: str) -> tuple[Path, ...]:
        """A language's catalog files, locales/LANG.toml of each folder that has one, the
        bundled layout's first (each is laid over the ones before it)."""
        relative = f"{CATALOGS}/{language}.toml"
        files = tuple(p for f in reversed(self.folders) if (p := layer_file(f, relative)))
        if not files:
            raise LayoutError(
                f"layout {self.name!r} has no {language!r} catalog ({self.folder / relative})"
            )
        return files

    def catalogs(self) -> list[Catalog]:
        """Every catalog of the layout, the source first: what `snapshotpdf languages`
        reports (translated of total, the strings each lacks)."""
        ordered = sorted(self.languages, key=lambda name: (name != self.default_language, name))
        return [self.catalog(language) for language in ordered]

    @cached_property
    def icon_files(self) -> dict[str, Path]:
        """Every icon of the layout, icons/NAME.svg by NAME: its own folder's, else the
        bundled layout's. Each becomes a glyph of the layout's icon font (iconfont.py)."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            icons = folder / iconfont.ICONS
            if icons.is_dir():
                for path in icons.glob("*.svg"):
                    if layer_file(folder, f"{iconfont.ICONS}/{path.name}"):
                        found[path.stem] = path
        if len(found) > MAX_ICONS:
            raise LayoutError(
                f"layout {self.name!r} has {len(found)} icons in icons/: more than"
                f" {MAX_ICONS} (limits.MAX_ICONS)",
                hint="keep only the icons the layout shows",
            )
        return dict(sorted(found.items()))

    @cached_property
    def icon_characters(self) -> dict[str, str]:
        return iconfont.characters(list(self.icon_files))

    def icon_font(self) -> iconfont.IconFont:
        """The font of the layout's icons, made once per process (iconfont.build). An icon
        file over MAX_ICON_BYTES is a blank glyph, named as unsupported."""
        icons = {}
        for name, path in self.icon_files.items():
            size = path.stat().st_size
            icons[name] = path.read_bytes() if size <= MAX_ICON_BYTES else b""
        return iconfont.build(icons)

    def icon(self, name: str, alt: str = "", classes: str = "") -> Markup:
        """The icon icons/NAME.svg as its glyph (iconfont.glyph_markup), painted in the CSS
        colour of its element like text. With alt text it is announced (its meaning);
        without, decorative. classes: more classes of its element."""
        return iconfont.glyph_markup(self.icon_characters[name], alt, classes)

    def files(self) -> list[Path]:
        """Every file that shapes the PDFs (their fingerprints): all of the layout's
        folders but the e-mail templates, which shape messages, not documents; of a file
        both a layout and the one it extends have, the layout's own."""
        used: dict[Path, Path] = {}
        for folder in reversed(self.folders):
            for path in folder.rglob("*"):
                relative = path.relative_to(folder)
                if relative.parts[0] not in PDF_INDEPENDENT and layer_file(
                    folder, relative.as_posix()
                ):
                    used[relative] = path
        return sorted(used.values())


def find_in(folders: Sequence[Path], relative: str) -> Path | None:
    """A file of a layout by its path inside the folder: its own folder's, else the one of
    the layout it extends; None when neither has it. Never a path outside the folders: no
    "..", no absolute path, no link out (layer_file)."""
    if not relative or "\0" in relative:
        return None
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        return None
    return next((path for f in folders if (path := layer_file(f, relative))), None)


_FILE_URL = re.compile(r"file://(/[^'\"\s]+)")


def layer_file(folder: Path, relative: str) -> Path | None:
    """The file at relative inside one folder of a layout (a layer), None when it has no
    such file. A link (or a linked folder) to outside the folder is a LayoutError naming
    it: a layout is the files it holds, and the run reads nothing else of the disk."""
    path = folder / relative
    if not path.is_file():
        return None
    target = path.resolve()
    if not target.is_relative_to(folder.resolve()):
        raise LayoutError(
            f"{path}: a link to {target}, outside the layout folder {folder}",
            hint="a layout uses only the files inside its folder: copy the file into it",
        )
    return path


def template_source(
    folders: Sequence[Path], name: str, under: str = ""
) -> tuple[str, str, Callable[[], bool]] | None:
    """A template of the layout by its name (a path inside the folders, under a subfolder
    such as "mail/"), as Jinja2's FunctionLoader takes it: its text, its file and whether
    the file is unchanged since; None when no folder has it (find_in: never a file outside
    them, whatever the {% include %} or {% extends %} names)."""
    path = find_in(folders, f"{under}{name}")
    if path is None:
        return None
    if (size := path.stat().st_size) > MAX_TEMPLATE_BYTES:
        raise LayoutError(
            f"{path}: a template of {size_text(size)}, more than a template may hold"
            f" ({size_text(MAX_TEMPLATE_BYTES)}, limits.MAX_TEMPLATE_BYTES)",
            hint="a snapshot's template is a few KB: check that this is the file you meant",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutError(
            f"{path}: not a template: byte {exc.start} is not UTF-8 text",
            hint="a template is text: save it as UTF-8",
        ) from None
    modified = path.stat().st_mtime

    def unchanged() -> bool:
        try:
            return path.stat().st_mtime == modified
        except OSError:
            return False

    return text, str(path), unchanged


def load_layout(name: str = "snapshot") -> Layout:
    """A bundled layout by name, or a layout folder by its path (folder_of). A folder's
    layout extends a bundled layout (extends = "NAME" in its layout.toml; "snapshot" when
    it says none): it holds only the files and settings it changes."""
    bundled = bundled_layouts()
    folder = folder_of(name, bundled)
    if folder.parent == layouts_dir() and folder.name in bundled:
        layers = [(folder / LAYOUT_FILE, read_toml(folder / LAYOUT_FILE))]
        return _layout(name, (folder,), layers)
    if not folder.is_dir():
        if "/" in name or os.sep in name:
            raise LayoutError(
                f"no layout folder {folder}", hint="give the path of a folder, or a bundled name"
            )
        raise LayoutError(
            f"no layout named {name!r}",
            hint=f"layouts: {', '.join(bundled)}; or the path of a layout folder",
        )
    own_file = layer_file(folder, LAYOUT_FILE)
    if own_file is None:
        raise LayoutError(
            f"{folder} is not a layout folder: it has no {LAYOUT_FILE}",
            hint=f"a layout folder holds a {LAYOUT_FILE}, even of one line:"
            f' extends = "{DEFAULT_PARENT}" (docs/layouts.md)',
        )
    own = read_toml(own_file)
    parent = own.get("extends", DEFAULT_PARENT)
    if not isinstance(parent, str) or parent not in bundled:
        raise LayoutError(
            f"{own_file}: extends = {parent!r} is not a bundled layout",
            hint=f"layouts: {', '.join(bundled)}",
        )
    base = layouts_dir() / parent
    inherited = {k: v for k, v in read_toml(base / LAYOUT_FILE).items() if k != "name"}
    layers = [(base / LAYOUT_FILE, inherited), (own_file, own)]
    return _layout(folder.resolve().name, (folder, base), layers)


def _layout(
    name: str, folders: tuple[Path, ...], layers: list[tuple[Path, dict[str, Any]]]
) -> Layout:
    return Layout(name, folders, parse_settings(layers, name, lambda r: find_in(folders, r)))
