"""Which characters the bundled fonts can print, and every character of a city's snapshot
that none of them can: found in its HTML before a PDF is made, so no missing glyph (an
empty box) reaches a PDF unnoticed.

The renderer sees the bundled fonts folder alone (fonts.py), and Pango falls back through
every font in it, so a character prints when any font there maps it: the coverage is the
union of their character maps. A character none maps is found in the city's own answers (an
error for its row, naming the cell) or else in the layout's wording (an error of the layout).
Whitespace, controls and default-ignorable characters (bidi marks and isolates, joiners,
variation selectors) print no glyph and are never missing.
"""

from __future__ import annotations

import re
import struct
import threading
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import tinycss2

from snapshotpdf.assets import fonts_dir
from snapshotpdf.models import CityRecord, Location, OwnOption, Problem, RawRow, Severity
from snapshotpdf.render.iconfont import WHOLE_ICON_SPAN
from snapshotpdf.render.wording import upper
from snapshotpdf.survey.fields import FIELDS
from snapshotpdf.survey.validate import Validation

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
COLLECTION_SUFFIXES = (".ttc", ".otc")
# The Unicode cmap subtables fontTools.ttLib's getBestCmap prefers, best first.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): never a glyph.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# The record's fields that are codes or numbers, never printed as typed.
_NOT_TEXT = {"source", "language", "own_options", "extra"}


# --- what the fonts cover -------------------------------------------------------------


@cache
def coverage(folder: Path | None = None) -> frozenset[int]:
    """Every code point some font in the folder (the bundled fonts, by default) maps to a
    glyph; read once per process."""
    return _lazy_coverage(folder or fonts_dir()).everything()


class _LazyCoverage(Container[int]):
    """The code points the fonts of a folder map, reading a font only when a code point is
    not found in those read so far, smallest file first: a snapshot in the scripts of the
    small fonts (Latin, Arabic, Devanagari...) never reads the CJK collections, most of
    the time of reading them all (about 0.25 s of a one-city rebuild). Asks the same
    question as coverage(), with the same answer."""

    def __init__(self, folder: Path) -> None:
        found = [p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file()]
        self.unread = sorted(found, key=lambda p: (p.stat().st_size, p.name))
        self.covered: set[int] = set()
        self.lock = threading.Lock()

    def __contains__(self, point: object) -> bool:
        with self.lock:
            while point not in self.covered and self.unread:
                self._read_next()
            return point in self.covered

    def everything(self) -> frozenset[int]:
        with self.lock:
            while self.unread:
                self._read_next()
            return frozenset(self.covered)

    def _read_next(self) -> None:
        self.covered |= font_coverage(self.unread.pop(0))


@cache
def _lazy_coverage(folder: Path) -> _LazyCoverage:
    return _LazyCoverage(folder)


def font_coverage(path: Path) -> set[int]:
    """The code points a font file maps, every face of a collection (.ttc) together."""
    from fontTools.ttLib import TTCollection, TTFont  # only when the fonts are read

    if path.suffix.lower() in COLLECTION_SUFFIXES:
        faces = TTCollection(str(path), lazy=True).fonts
    else:
        faces = [TTFont(str(path), lazy=True)]
    covered: set[int] = set()
    for face in faces:
        covered |= face_coverage(face)
    return covered


def face_coverage(face: TTFont) -> set[int]:
    """The code points one face maps to a glyph other than .notdef. Its Unicode cmap in the
    formats every bundled font uses (4 and 12) is read as ranges, straight from the table:
    ten times faster than fontTools' decoding, which names each of a CJK face's 65,000
    glyphs; any other format goes through fontTools."""
    if "cmap" not in face.reader:
        return set()
    data = face.reader["cmap"]
    (count,) = struct.unpack_from(">2xH", data)
    offsets: dict[tuple[int, int], int] = {}
    for platform, encoding, offset in struct.iter_unpack(">HHL", data[4 : 4 + 8 * count]):
        offsets.setdefault((platform, encoding), offset)
    for key in _PREFERRED:
        if key in offsets:
            offset = offsets[key]
            (kind,) = struct.unpack_from(">H", data, offset)
            if kind == 12:
                return _format_12(data, offset)
            if kind == 4:
                return _format_4(data, offset)
            return {c for c, name in face["cmap"].getcmap(*key).cmap.items() if name != ".notdef"}
    return set()


def _format_12(data: bytes, offset: int) -> set[int]:
    (groups,) = struct.unpack_from(">L", data, offset + 12)
    covered: set[int] = set()
    start_of = offset + 16
    for start, end, glyph in struct.iter_unpack(">LLL", data[start_of : start_of + 12 * groups]):
        covered.update(range(start + (glyph == 0), end + 1))
    return covered


def _format_4(data: bytes, offset: int) -> set[int]:
    (segments,) = struct.unpack_from(">H", data, offset + 6)
    segments //= 2
    ends_at = offset + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    ends = struct.unpack_from(f">{segments}H", data, ends_at)
    starts = struct.unpack_from(f">{segments}H", data, starts_at)
    deltas = struct.unpack_from(f">{segments}h", data, deltas_at)
    range_offsets = struct.unpack_from(f">{segments}H", data, ranges_at)
    covered: set[int] = set()
    for i, (start, end, delta, range_offset) in enumerate(
        zip(starts, ends, deltas, range_offsets, strict=True)
    ):
        for char in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (char + delta) & 0xFFFF
            else:
                at = ranges_at + 2 * i + range_offset + 2 * (char - start)
                if at + 2 > len(data):
                    continue
                (glyph,) = struct.unpack_from(">H", data, at)
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                covered.add(char)
    return covered


# --- what a snapshot prints -----------------------------------------------------------


def prints_no_glyph(char: str) -> bool:
    """Whitespace, a control, or a default-ignorable character (ZWJ, bidi isolates,
    variation selectors, soft hyphen): nothing to draw, so never missing."""
    if char.isspace() or unicodedata.category(char) == "Cc":
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE)


def missing(text: str, covered: Container[int] | None = None) -> str:
    """The characters of text no bundled font has, each once, in order of appearance. A
    precomposed letter prints when its decomposition does (the shaper decomposes it).
    covered: the code points to count as printable; by default the bundled fonts', read
    as far as the text needs (_LazyCoverage)."""
    covered = _lazy_coverage(fonts_dir()) if covered is None else covered
    found: dict[str, None] = {}
    # Each character once, in order of appearance: a city's text has thousands, but a
    # hundred or so different ones.
    for char in dict.fromkeys(unicodedata.normalize("NFC", text)):
        if ord(char) in covered or prints_no_glyph(char):
            continue
        parts = unicodedata.normalize("NFD", char)
        if parts != char and all(ord(p) in covered or prints_no_glyph(p) for p in parts):
            continue
        found[char] = None
    return "".join(found)


def printed_text(html: str) -> str:
    """What the HTML prints: its text (entities decoded) and the strings its stylesheets put
    on the page (content: the footers); not its title, metadata or bookmarks."""
    parser = _Printed()
    parser.feed(html)
    parser.close()
    return "\n".join([*parser.texts, *css_content(parser.styles)])


def css_content(stylesheets: Iterable[str]) -> list[str]:
    """The strings of every `content:` declaration of the stylesheets."""
    found: list[str] = []
    for css in stylesheets:
        found.extend(_content_strings(tinycss2.parse_component_value_list(css)))
    return found


def _content_strings(tokens: list[tinycss2.ast.Node]) -> Iterator[str]:
    """The strings of the content: declarations among tokens, nested blocks included."""
    in_content = False
    previous = ""  # the last significant token: an identifier's name, else ""
    for token in tokens:
        kind = token.type
        if kind in ("whitespace", "comment"):
            continue
        if kind == "literal" and token.value == ":" and previous == "content":
            in_content = True
        elif kind == "literal" and token.value in (";", "!"):
            in_content = False
        elif kind == "{} block":
            in_content = False
            yield from _content_strings(token.content)
        elif in_content and kind == "string":
            yield token.value
        elif in_content and kind == "function":  # leader(". "), counter(page, "x")
            yield from (t.value for t in token.arguments if t.type == "string")
        previous = token.lower_value if kind == "ident" else ""


class _Printed(HTMLParser):
    """The text nodes of a document, and its <style> elements' CSS; not the glyphs of its
    icons (<span class="icon">, render/iconfont.py), which their own font prints."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.styles: list[str] = []
        self._inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "style", "script", "template"):
            self._inside.append(tag)
        elif tag == "span" and "icon" in (dict(attrs).get("class") or "").split():
            self._inside.append(tag)  # an icon's glyph: the icon font has it (iconfont.py)

    def handle_endtag(self, tag: str) -> None:
        if self._inside and self._inside[-1] == tag:
            self._inside.pop()

    def handle_data(self, data: str) -> None:
        if not self._inside:
            self.texts.append(data)
        elif self._inside[-1] == "style":
            self.styles.append(data)


# --- which answer holds it ------------------------------------------------------------


@dataclass(frozen=True)
class Unprintable:
    """Characters no bundled font has, as one answer holds them (field: the record field;
    option: the option whose wording it is) or, with field None, the layout's wording."""

    chars: str
    field: str | None = None
    option: OwnOption | None = None
    value: str | None = None  # the answer as the record holds it


def unprintable(
    record: CityRecord, html: str, covered: Container[int] | None = None
) -> list[Unprintable]:
    """Every character of the city's HTML no bundled font has: by the answer that holds
    it, in the record's field order, then (field None) those only the layout's wording has."""
    if _all_in_fonts(html, covered):
        return []
    absent = missing(printed_text(html), covered)
    if not absent:
        return []
    found: list[Unprintable] = []
    placed: set[str] = set()
    for name, value, option in _answers(record):
        text = unicodedata.normalize("NFC", value)
        shown = f"{text}\n{upper(text)}"
        held = "".join(sorted((c for c in absent if c in shown), key=shown.index))
        if held:
            found.append(Unprintable(held, name, option, value))
            placed.update(held)
    rest = "".join(c for c in absent if c not in placed)
    if rest:
        found.append(Unprintable(rest))
    return found


# What makes a character of the HTML stand for another: an entity other than the ASCII ones
# Jinja2 escapes with, a CSS escape (in a <style>: content: "\2713").
_STANDS_FOR = re.compile(r"&(?!(?:amp|lt|gt|quot|#34|#39);)|\\")


def _all_in_fonts(html: str, covered: Container[int] | None) -> bool:
    """The quick answer for a city that prints, as most do: every character of the HTML,
    markup and all, but its icons' glyphs (render/iconfont.py), is in a bundled font, each
    of its canonical parts too, and none stands for another (_STANDS_FOR). What it prints
    is made of those characters, composed or not (missing() normalises), so it prints.
    False: look closer (printed_text), as the character that fails may be only markup's."""
    if _STANDS_FOR.search(html):
        return False
    covered = _lazy_coverage(fonts_dir()) if covered is None else covered
    return all(
        ord(part) in covered or prints_no_glyph(part)
        for char in set(WHOLE_ICON_SPAN.sub("", html))
        for part in unicodedata.normalize("NFD", char)
    )


def _answers(record: CityRecord) -> Iterator[tuple[str, str, OwnOption | None]]:
    """(field, text, option) for every answer of the record a snapshot may print as typed;
    an own field's ([extra]) by its name."""
    for spec in fields(record):
        value = getattr(record, spec.name)
        if spec.name not in _NOT_TEXT and isinstance(value, str):
            yield spec.name, value, None
    for name, answer in record.extra.items():
        if isinstance(answer, str):
            yield name, answer, None
        elif isinstance(answer, tuple):  # a list: its texts
            yield name, "\n".join(answer), None
    for option in record.own_options:
        for name in _option_fields(record, option):
            yield name, f"{option.label}\n{option.in_sentence}", option


def _option_fields(record: CityRecord, option: OwnOption) -> list[str]:
    """The fields whose answer is this option (its question's fields, those that hold it)."""
    names = [n for n, spec in FIELDS.items() if spec.question == option.question]
    holding = [n for n in names if option.key in _keys(getattr(record, n, None))]
    return holding or names[:1]


def _keys(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


# --- as problems ------------------------------------------------------------------------


def describe(chars: str) -> str:
    """'𝄀' (U+1D100 MUSICAL SYMBOL SINGLE BARLINE), ... for a message."""
    parts = []
    for char in chars:
        name = unicodedata.name(char, "")
        parts.append(f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})")
    return ", ".join(parts)


def row_problems(
    record: CityRecord, found: list[Unprintable], validation: Validation
) -> list[Problem]:
    """An error for each answer holding a character no font has, at its cell as the export
    shows it (file, sheet, row, column), saying the row is skipped and what to do."""
    problems = []
    for item in found:
        if item.field is None:
            continue
        label = item.field.replace("_", " ")
        what = f"{label}: {describe(item.chars)} cannot be printed: no bundled font has"
        what += " it" if len(item.chars) == 1 else " them"
        if item.option is not None and not item.option.typed:
            what += f" (the profile's wording of the option {item.option.key!r})"
            hint = "change that wording in the profile"
        else:
            hint = "retype the answer without it"
        problems.append(
            Problem(
                Severity.ERROR,
                field_location(record, item.field, validation),
                f"{what}; the row is skipped: {hint}, or add a font that has it (docs/fonts.md)",
                _excerpt(item.option.label if item.option else item.value or "", item.chars[0]),
                record.city,
            )
        )
    return problems


def layout_message(layout: str, chars: str) -> str:
    """The error of a layout whose own wording has characters no font has."""
    return (
        f"the layout {layout!r} prints {describe(chars)}, which no bundled font has: every"
        " city it is printed for is skipped; change the layout's wording (its locales) or"
        " add a font that has it (docs/fonts.md)"
    )


def field_location(record: CityRecord, field: str, validation: Validation) -> Location:
    """The cell a record field (or an own field) was read from, named as the normaliser
    names cells: file, sheet, row, column letter and header (RawRow.cell_location)."""
    source = validation.profile.source(field)
    if source is None or not source.columns:
        return record.source
    letters = {column.key: column.letter for column in validation.table.columns}
    return RawRow(record.source, {}, letters).cell_location(source.columns[0][0])


def _excerpt(value: str, char: str, width: int = 30) -> str:
    """The answer, or the part of a long one around the character."""
    if len(value) <= 2 * width:
        return value
    at = max(value.find(char), 0)
    start, end = max(at - width, 0), min(at + width, len(value))
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")
