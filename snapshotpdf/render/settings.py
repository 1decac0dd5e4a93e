"""layout.toml as typed settings: the contract between a layout folder and the renderer.

A layout's layout.toml is read once, laid over the layout it extends (a user's layout
extends a bundled one: it holds only the keys it changes), and checked whole: every
mistake (an unknown key, a missing file or icon, a colour that is not one, a page count
that is not a number) is listed at once with its file and key, in one LayoutError, never
a traceback. docs/layouts.md describes every key; tests/unit/test_layout_settings.py
makes each typical mistake.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snapshotpdf import limits
from snapshotpdf.errors import LayoutError
from snapshotpdf.render import wording
from snapshotpdf.render.brand import LOGO_TYPES, logo_problem
from snapshotpdf.render.fitting import FitStep

_LENGTH = r"\d{1,4}(?:\.\d{1,3})?(?:mm|cm|in|pt|pc|px|q)"
_PAPER = re.compile(
    rf"(?:[A-Za-z][A-Za-z0-9-]{{0,15}}|{_LENGTH}(?: {_LENGTH})?)(?: (?:portrait|landscape))?",
    re.ASCII,
)

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# A print colour as given by a brand book: cmyk(100 45 0 60), whole percents.
_CMYK = re.compile(r"cmyk\(\s*(\d{1,3})%?[\s,]+(\d{1,3})%?[\s,]+(\d{1,3})%?[\s,]+(\d{1,3})%?\s*\)")
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ICON = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PLAIN_PATH = re.compile(r"[\w.-]+(/[\w.-]+)*")  # brand/logo.svg; no quotes, spaces, colons
ICON_GROUPS = ("overview", "policy_areas")
OPEN_GROUPS = ("policy_areas",)  # whose answers may be the city's own words: [icons.other]


@dataclass(frozen=True)
class Colour:
    """A palette colour: as on screen (sRGB) and, when the brand fixes it, on press (CMYK
    percents; else converted from the screen value for each output condition)."""

    screen: str  # "#rrggbb"
    print: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class Condition:
    """An output condition: the printing it describes and its ICC profile (a layout file)."""

    name: str
    profile: str  # the profile's path inside the layout
    description: str


@dataclass(frozen=True)
class Icons:
    groups: dict[str, dict[str, str]]  # group -> option -> icon name (icons/NAME.svg)
    other: dict[str, str]  # group -> the icon of an option the group does not list
    marks: dict[str, str]  # sufficient / insufficient -> icon name


@dataclass(frozen=True)
class Brand:
    """Who publishes the snapshots: the name in the header, cover and PDF metadata, and a
    logo (an SVG or PNG file of the layout)."""

    organisation: str | None = None
    logo: str | None = None


@dataclass(frozen=True)
class Booklet:
    template: str
    stylesheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayoutSettings:
    template: str
    stylesheets: tuple[str, ...]
    default_language: str
    pages: int
    papers: dict[str, str]
    shares: str
    sections: dict[str, int]
    icons: Icons
    palette: dict[str, Colour]
    conditions: dict[str, Condition]
    variants: dict[str, tuple[str, ...]]  # variant table -> its extra stylesheets
    booklet: Booklet | None
    brand: Brand = field(default_factory=Brand)
    fitting: tuple[FitStep, ...] = ()  # copy-fitting, in order (render/fitting.py)


class _Problems:
    """Mistakes found while reading, each with the file and key it is at."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origin: dict[tuple[str, ...], Path] = {}  # key path -> the file that set it

    def file_of(self, keys: tuple[str, ...]) -> Path | None:
        while keys:
            if keys in self.origin:
                return self.origin[keys]
            keys = keys[:-1]
        return self.origin.get(())

    def add(self, keys: tuple[str, ...], message: str) -> None:
        where = self.file_of(keys)
        self.lines.append(f"{where or 'layout.toml'}: {_key_text(keys)}{message}")


def _key_text(keys: tuple[str, ...]) -> str:
    if not keys:
        return ""
    if len(keys) == 1:
        return f"{keys[0]}: "
    return f"[{'.'.join(keys[:-1])}] {keys[-1]}: "


def read_toml(path: Path) -> dict[str, Any]:
    """A layout.toml as a table: at most limits.MAX_LAYOUT_TOML_BYTES, valid TOML."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LayoutError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > limits.MAX_LAYOUT_TOML_BYTES:
        raise LayoutError(
            f"{path}: {len(data):,} bytes, more than a layout.toml may have"
            f" ({limits.MAX_LAYOUT_TOML_BYTES:,})",
            hint="a layout.toml holds settings only; put text in the catalogs (locales/)",
        )
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise LayoutError(f"{path}: not UTF-8 text", hint="save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise LayoutError(f"{path}: nests its tables too deeply to be read") from None


def merge(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """own laid over base: tables merged key by key, any other value replaced."""
    merged = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def note_origins(problems: _Problems, table: Mapping[str, Any], path: Path) -> None:
    """Record that path set every key of table (a layer laid over the ones before)."""

    def walk(value: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        problems.origin[keys] = path
        for key, inner in value.items():
            if isinstance(inner, dict):
                walk(inner, (*keys, key))
            else:
                problems.origin[(*keys, key)] = path

    walk(table, ())


def parse_settings(
    layers: list[tuple[Path, dict[str, Any]]],
    name: str,
    exists: Callable[[str], Path | None],
) -> LayoutSettings:
    """The settings of a layout from its layout.toml files, the most basic first, each laid
    over the ones before; exists(path) is the layout's file at that path inside it (its
    own, else of the layout it extends), None when neither has one. Every mistake is
    listed in one LayoutError."""
    problems = _Problems()
    raw: dict[str, Any] = {}
    for path, table in layers:
        note_origins(problems, table, path)
        raw = merge(raw, table)
    reader = _Reader(raw, problems, exists)
    settings = reader.settings()
    if problems.lines:
        lines = problems.lines
        heading = f"layout {name!r}: {len(lines)} mistakes in layout.toml:\n  "
        raise LayoutError(
            lines[0] if len(lines) == 1 else heading + "\n  ".join(lines),
            hint="docs/layouts.md lists every key of layout.toml",
        )
    return settings


_TOP_KEYS = {
    "name",
    "extends",
    "template",
    "stylesheets",
    "default_language",
    "pages",
    "papers",
    "wording",
    "sections",
    "icons",
    "palette",
    "conditions",
    "variants",
    "booklet",
    "brand",
    "fitting",
}


class _Reader:
    """Reads the merged table, noting each mistake and going on with a usable value."""

    def __init__(
        self, raw: dict[str, Any], problems: _Problems, exists: Callable[[str], Path | None]
    ) -> None:
        self.raw = raw
        self.problems = problems
        self.exists = exists

    def settings(self) -> LayoutSettings:
        raw, add = self.raw, self.problems.add
        self.unknown((), raw, _TOP_KEYS)
        self.text(("name",), raw.get("name"))  # a bundled layout's; the folder names a user's
        self.text(("extends",), raw.get("extends"))  # read by load_layout
        template = self.file(("template",), raw.get("template"), required=True)
        stylesheets = self.files(("stylesheets",), raw.get("stylesheets"), required=True)
        language = self.text(("default_language",), raw.get("default_language", "en"))
        pages = self.count(("pages",), raw.get("pages"), required=True)
        papers = self.table_of(("papers",), raw.get("papers"), self.paper, required=True)
        if not papers:
            add(("papers",), 'a layout needs at least one paper (a4 = "A4")')
        words = self.table(("wording",), raw.get("wording", {}))
        self.unknown(("wording",), words, {"shares"})
        shares = self.text(("wording", "shares"), words.get("shares", "figures"))
        if shares not in wording.SHARE_STYLES:
            styles = ", ".join(wording.SHARE_STYLES)
            add(("wording", "shares"), f"{shares!r} is not a style ({styles})")
        sections = self.table_of(("sections",), raw.get("sections", {}), self.count)
        palette = self.palette()
        icons = self.icons()
        conditions = self.conditions()
        variants = self.variants()
        booklet = self.booklet()
        brand = self.brand()
        fitting = self.fitting()
        return LayoutSettings(
            template=template,
            stylesheets=stylesheets,
            default_language=language,
            pages=pages,
            papers=papers,
            shares=shares,
            sections=sections,
            icons=icons,
            palette=palette,
            conditions=conditions,
            variants=variants,
            booklet=booklet,
            brand=brand,
            fitting=fitting,
        )

    # -- values

    def unknown(self, keys: tuple[str, ...], table: Mapping[str, Any], known: set[str]) -> None:
        for key in sorted(set(table) - known):
            self.problems.add((*keys, key), f"unknown key (known here: {', '.join(sorted(known))})")

    def table(self, keys: tuple[str, ...], value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.problems.add(keys, f"must be a table ([{'.'.join(keys)}]), not {_shown(value)}")
        return {}

    def table_of(
        self,
        keys: tuple[str, ...],
        value: Any,
        each: Callable[[tuple[str, ...], Any], Any],
        required: bool = False,
    ) -> dict[str, Any]:
        if value is None:
            if required:
                self.problems.add(keys, "missing")
            return {}
        return {str(k): each((*keys, str(k)), v) for k, v in self.table(keys, value).items()}

    def text(self, keys: tuple[str, ...], value: Any) -> str:
        if value is None or isinstance(value, str):
            return value or ""
        self.problems.add(keys, f"must be text in quotes, not {_shown(value)}")
        return ""

    def count(self, keys: tuple[str, ...], value: Any, required: bool = False) -> int:
        if value is None and required:
            self.problems.add(keys, "missing")
            return 1
        most = limits.MAX_LAYOUT_PAGES
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
            self.problems.add(
                keys,
                f"must be a whole number from 1 to {most:,} (limits.MAX_LAYOUT_PAGES),"
                f" not {_shown(value)}",
            )
            return 1
        return value

    def paper(self, keys: tuple[str, ...], value: Any) -> str:
        """A CSS page size: a name (A4, letter, JIS-B5) or a width and height (210mm
        297mm), and portrait or landscape; nothing else reaches the stylesheet."""
        size = self.text(keys, value).strip()
        if size and not _PAPER.fullmatch(size):
            self.problems.add(
                keys,
                f'must be a page size as CSS writes it ("A4", "letter landscape",'
                f' "210mm 297mm"), not {_shown(value)}',
            )
            return "A4"
        return size

    def file(self, keys: tuple[str, ...], value: Any, required: bool = False) -> str:
        """A file of the layout, by its path inside the layout folder."""
        if value is None:
            if required:
                self.problems.add(keys, "missing")
            return ""
        path = self.text(keys, value)
        if path and not _inside(path):
            self.problems.add(
                keys,
                f"{path!r} must be a path inside the layout folder, of letters, digits,"
                " '.', '-', '_' and '/' (brand/logo.svg)",
            )
        elif path and not self.exists(path):
            self.problems.add(keys, f"no file {path!r} in the layout (or the one it extends)")
        return path

    def files(self, keys: tuple[str, ...], value: Any, required: bool = False) -> tuple[str, ...]:
        if value is None:
            if required:
                self.problems.add(keys, "missing")
            return ()
        if not isinstance(value, list):
            self.problems.add(
                keys, f'must be a list of file names (["a.css"]), not {_shown(value)}'
            )
            return ()
        return tuple(self.file(keys, item) for item in value)

    def colour(self, keys: tuple[str, ...], value: Any) -> Colour:
        screen, printed = value, None
        if isinstance(value, dict):
            self.unknown(keys, value, {"screen", "print"})
            screen = value.get("screen")
            printed = value.get("print")
        if not isinstance(screen, str) or not HEX_COLOUR.fullmatch(screen):
            self.problems.add(
                keys if not isinstance(value, dict) else (*keys, "screen"),
                f'{_shown(screen)} is not a colour: write "#rrggbb" (sRGB, as on screen)',
            )
            screen = "#000000"
        return Colour(screen.lower(), self.cmyk((*keys, "print"), printed))

    def cmyk(self, keys: tuple[str, ...], value: Any) -> tuple[int, int, int, int] | None:
        if value is None:
            return None
        match = _CMYK.fullmatch(value.strip()) if isinstance(value, str) else None
        percents = tuple(int(v) for v in match.groups()) if match else ()
        if len(percents) != 4 or any(p > 100 for p in percents):
            self.problems.add(
                keys, f'{_shown(value)} is not a print colour: write "cmyk(100 45 0 60)" (percents)'
            )
            return None
        c, m, y, k = percents
        return c, m, y, k

    def icon(self, keys: tuple[str, ...], value: Any) -> str:
        icon = self.text(keys, value)
        if icon and not _ICON.fullmatch(icon):
            self.problems.add(
                keys, f"{icon!r} is not an icon name (icons/NAME.svg: bus, user-check)"
            )
        elif icon and not self.exists(f"icons/{icon}.svg"):
            self.problems.add(keys, f"no icon file icons/{icon}.svg in the layout")
        return icon

    # -- tables

    def palette(self) -> dict[str, Colour]:
        keys = ("palette",)
        table = self.table(keys, self.raw.get("palette", {}))
        colours = {}
        for name, value in table.items():
            if not _NAME.fullmatch(name):
                self.problems.add((*keys, name), "a colour's name is lower case: navy, grey-dark")
            colours[name] = self.colour((*keys, name), value)
        return colours

    def icons(self) -> Icons:
        keys = ("icons",)
        table = self.table(keys, self.raw.get("icons"))
        self.unknown(keys, table, {*ICON_GROUPS, "other", "marks"})
        groups = {g: self.table_of((*keys, g), table.get(g, {}), self.icon) for g in ICON_GROUPS}
        other = self.table_of((*keys, "other"), table.get("other", {}), self.icon)
        for group in OPEN_GROUPS:
            if group not in other:
                self.problems.add(
                    (*keys, "other", group), "missing: the icon of an unlisted option"
                )
        marks = self.table_of((*keys, "marks"), table.get("marks", {}), self.icon)
        for mark in ("sufficient", "insufficient"):
            if mark not in marks:
                self.problems.add((*keys, "marks", mark), "missing")
        return Icons(groups, other, marks)

    def conditions(self) -> dict[str, Condition]:
        keys = ("conditions",)
        conditions = {}
        for name, value in self.table(keys, self.raw.get("conditions", {})).items():
            entry = self.table((*keys, name), value)
            self.unknown((*keys, name), entry, {"profile", "description"})
            profile = self.file((*keys, name, "profile"), entry.get("profile"), required=True)
            description = self.text((*keys, name, "description"), entry.get("description"))
            conditions[name] = Condition(name, profile, description or name)
        return conditions

    def variants(self) -> dict[str, tuple[str, ...]]:
        keys = ("variants",)
        variants = {}
        for name, value in self.table(keys, self.raw.get("variants", {})).items():
            entry = self.table((*keys, name), value)
            self.unknown((*keys, name), entry, {"stylesheets"})
            variants[name] = self.files((*keys, name, "stylesheets"), entry.get("stylesheets", []))
        return variants

    def booklet(self) -> Booklet | None:
        keys = ("booklet",)
        if "booklet" not in self.raw:
            return None
        entry = self.table(keys, self.raw["booklet"])
        self.unknown(keys, entry, {"template", "stylesheets"})
        return Booklet(
            self.file((*keys, "template"), entry.get("template"), required=True),
            self.files((*keys, "stylesheets"), entry.get("stylesheets", [])),
        )

    def brand(self) -> Brand:
        keys = ("brand",)
        entry = self.table(keys, self.raw.get("brand", {}))
        self.unknown(keys, entry, {"organisation", "logo"})
        organisation = self.text((*keys, "organisation"), entry.get("organisation")).strip()
        if len(organisation) > limits.MAX_ORGANISATION_CHARS:
            self.problems.add(
                (*keys, "organisation"),
                f"{len(organisation)} characters, more than {limits.MAX_ORGANISATION_CHARS}",
            )
        logo = entry.get("logo")
        if isinstance(logo, str) and Path(logo).suffix.lower() not in LOGO_TYPES:
            self.problems.add((*keys, "logo"), f"{logo!r}: a logo is an .svg or .png file")
            logo = None
        logo = self.file((*keys, "logo"), logo)
        found = self.exists(logo) if logo else None
        if found and (problem := logo_problem(found)):
            self.problems.add((*keys, "logo"), f"{logo!r}: {problem[0]}; {problem[1]}")
        return Brand(organisation or None, logo or None)

    def fitting(self) -> tuple[FitStep, ...]:
        keys = ("fitting",)
        entry = self.table(keys, self.raw.get("fitting", {}))
        self.unknown(keys, entry, {"steps"})
        steps = entry.get("steps", [])
        if not isinstance(steps, list):
            self.problems.add((*keys, "steps"), f"must be a list of tables, not {_shown(steps)}")
            return ()
        found = []
        for number, step in enumerate(steps, 1):
            at = (*keys, f"steps[{number}]")
            table = self.table(at, step)
            self.unknown(at, table, {"class", "says"})
            name = self.text((*at, "class"), table.get("class"))
            if not _NAME.fullmatch(name):
                self.problems.add((*at, "class"), f"{name!r} is not a CSS class name: fit-tight")
            says = self.text((*at, "says"), table.get("says")) or name
            found.append(FitStep(name, says))
        return tuple(found)


def _inside(path: str) -> bool:
    """A relative path that stays inside its folder (no .., no root, no drive), of plain
    characters only: it is written into generated CSS (a profile's url()) as it is."""
    parts = Path(path).parts
    return bool(_PLAIN_PATH.fullmatch(path)) and not Path(path).is_absolute() and ".." not in parts


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
