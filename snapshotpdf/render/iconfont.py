"""A layout's icons as the glyphs of one font, made from its SVG files.

An icon drawn as an SVG image costs WeasyPrint a walk of the SVG's tree at every draw
(about a seventh of a snapshot's time, 39 icons a city), and WeasyPrint 70 paints an SVG's
currentColor black (Kozea/WeasyPrint#1497). A glyph is drawn like a letter: shaped once,
one operator per draw, in its element's CSS `color` (in CMYK in a print variant, like
text), and embedded once per document as a subset of the font.

Each icons/NAME.svg of the layout (its own over the bundled layout's) becomes the glyph of
the private-use character ICON_BASE + its index in name order, one em square wide and
tall: its viewBox fills the em, the baseline at its bottom edge. Its shapes (path, rect,
circle, ellipse, line, polyline, polygon, in groups, with transforms) are outlined as the
SVG paints them: a stroke becomes its outline (width, caps, joins, dashes as the SVG says), a
fill is kept, all merged into one shape (skia-pathops). An icon is one colour, its
element's: whatever colours the SVG names, it is painted in `color`, as the bundled
(Tabler) icons are painted in currentColor. Text, images, gradients, clipping, masks and
`<use>` are not drawn; `layout check` and the layout's settings name an icon that has them.

The font is made once per process and layout (about 2 ms an icon), from the files' bytes
only: the same icons make the same font, byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from snapshotpdf import limits

FAMILY = "snapshotpdf-icons"  # the icons' font-family, and the font's name in a PDF
PS_NAME = "SnapshotpdfIcons"  # the font's PostScript name
ICON_BASE = 0xE000  # the first private-use character
UNITS = 1000  # units per em: the icon's viewBox is scaled to fill it
ICONS = "icons"  # the layout folder of the icons' SVG files
FONT_FILE = "icons.ttf"  # its URL, relative to the layout folder (served from memory)
_SVG = "{http://www.w3.org/2000/svg}"
_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
_CONTAINERS = {"svg", "g", "a"}
_SKIPPED = {"title", "desc", "metadata", "defs", "style"}  # nothing drawn, nothing lost
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_FIXED_DATE = 0  # head.created and head.modified: the font's bytes depend on its icons only


@dataclass(frozen=True)
class IconFont:
    """The font of a layout's icons: its bytes, and each icon name's character."""

    data: bytes
    characters: Mapping[str, str]
    # Per icon, what of it is not drawn ("text", "image", "use", a colour it loses...).
    unsupported: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def characters(names: list[str]) -> dict[str, str]:
    """Each icon name's private-use character: ICON_BASE + its place in name order. The
    HTML needs only this, not the font."""
    return {name: chr(ICON_BASE + index) for index, name in enumerate(sorted(names))}


def glyph_markup(character: str, alt: str = "", classes: str = "") -> Markup:
    """An icon in a page: its glyph in a span of class "icon" (and classes: the disc or
    badge that holds it, one element, not two). With alt text it is an image with that name
    (a Figure with /Alt in a tagged PDF, render/tagging.py); without, it is decorative (an
    artifact: the text beside it says what it means)."""
    names = Markup(" ").join(["icon", *classes.split()])
    if alt:
        return Markup('<span class="{}" role="img" aria-label="{}">{}</span>').format(
            names, alt, character
        )
    return Markup('<span class="{}" aria-hidden="true">{}</span>').format(names, character)


# An icon as glyph_markup writes it; group 1: its alt text.
ICON_SPAN = re.compile(
    r'<span class="icon(?: [^"]*)?" (?:aria-hidden="true"|role="img" aria-label="([^"]*)")>'
)
# The same, glyph and end tag with it (one glyph: the icons' code points, ICON_BASE on).
WHOLE_ICON_SPAN = re.compile(ICON_SPAN.pattern + r"[^<]</span>")


def build(icons: Mapping[str, bytes]) -> IconFont:
    """The font of these icons (name -> the SVG file's bytes)."""
    digest = hashlib.sha256()
    for name in sorted(icons):
        digest.update(name.encode() + b"\0" + hashlib.sha256(icons[name]).digest())
    return _build(digest.hexdigest(), tuple(sorted(icons.items())))


@lru_cache(maxsize=8)
def _build(_digest: str, icons: tuple[tuple[str, bytes], ...]) -> IconFont:
    from fontTools.fontBuilder import FontBuilder  # only when a font is made
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = characters([name for name, _ in icons])
    glyphs: dict[str, Any] = {}
    metrics: dict[str, tuple[int, int]] = {}
    unsupported: dict[str, tuple[str, ...]] = {}
    empty = TTGlyphPen(None)
    glyphs[".notdef"] = empty.glyph()
    metrics[".notdef"] = (UNITS, 0)
    cmap: dict[int, str] = {}
    for index, (name, data) in enumerate(icons):
        glyph_name = f"icon{index:04d}"
        try:
            outline, lost = _outline(data)
            bounds = outline.bounds if list(outline.segments) else (0, 0, 0, 0)
            if not all(abs(edge) <= _FARTHEST for edge in bounds):
                raise ValueError("it draws far outside its viewBox")
            pen = TTGlyphPen(None)
            outline.draw(Cu2QuPen(pen, max_err=0.5, reverse_direction=True))
            glyphs[glyph_name] = pen.glyph()
        except (ArithmeticError, ValueError, RecursionError, _pathops_error()) as exc:
            # Coordinates of 1e308, a stroke no outline can hold, 20,000 nested groups:
            # the icon is drawn blank, and the layout's run says why (not the renderer's).
            glyphs[glyph_name], bounds = empty.glyph(), (0, 0, 0, 0)
            why = "its elements nest too deep" if isinstance(exc, RecursionError) else exc
            lost = (f"its shapes cannot be made into a glyph ({why or type(exc).__name__})",)
        metrics[glyph_name] = (UNITS, math.floor(bounds[0]))
        cmap[ord(chars[name])] = glyph_name
        if lost:
            unsupported[name] = lost
    builder = FontBuilder(UNITS, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=UNITS, descent=0, lineGap=0)
    builder.setupNameTable(
        {
            "familyName": FAMILY,
            "styleName": "Regular",
            "uniqueFontIdentifier": f"{PS_NAME}-{_digest[:16]}",
            "fullName": FAMILY,
            "psName": PS_NAME,
            "version": "Version 1.000",
        }
    )
    builder.setupOS2(
        sTypoAscender=UNITS,
        sTypoDescender=0,
        sTypoLineGap=0,
        usWinAscent=UNITS,
        usWinDescent=0,
        fsSelection=0x40 | 0x80,  # REGULAR, USE_TYPO_METRICS
        fsType=0,  # installable: embedding is allowed
        achVendID="NONE",
        version=4,
    )
    builder.setupPost()
    head = builder.font["head"]
    head.created = head.modified = _FIXED_DATE
    out = io.BytesIO()
    builder.save(out)
    return IconFont(out.getvalue(), chars, unsupported)


# The farthest a glyph's outline may reach from the em square's origin, in font units: a
# TrueType coordinate is 16 bits; an icon is drawn inside its em square (UNITS).
_FARTHEST = 8 * UNITS


def _pathops_error() -> type[Exception]:
    import pathops

    return pathops.PathOpsError  # type: ignore[no-any-return]


def _outline(data: bytes) -> tuple[Any, tuple[str, ...]]:
    """One icon's shapes, outlined and merged, in font units; and what of it is lost."""
    import pathops
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(data)
    except Exception:  # noqa: BLE001 - not XML, an entity bomb (defusedxml), empty
        return pathops.Path(), ("not a readable SVG file",)
    view = _view_box(root)
    scale = UNITS / max(view[2], view[3])
    # Centred in the em square, y up from the baseline (the viewBox's bottom edge).
    dx = (UNITS - view[2] * scale) / 2 - view[0] * scale
    dy = UNITS - (UNITS - view[3] * scale) / 2 + view[1] * scale
    to_font = (scale, 0.0, 0.0, -scale, dx, dy)
    parts: list[Any] = []
    lost: set[str] = set()
    drawn = 0
    for element, style, matrix in _shapes(root, lost):
        local = _path(element)
        if local is None:
            continue
        drawn += len(local.value)
        if drawn > limits.MAX_ICON_SEGMENTS:  # joining its outlines would take minutes
            raise ValueError(
                f"it has more than {limits.MAX_ICON_SEGMENTS} lines and curves"
                " (limits.MAX_ICON_SEGMENTS): simplify it"
            )
        painted = []
        if style.get("fill", "black") != "none":
            filled = pathops.Path()
            local.draw(filled.getPen())
            if style.get("fill-rule") == "evenodd":
                filled.fillType = pathops.FillType.EVEN_ODD
            painted.append(filled)
        width = _length(style.get("stroke-width", "1"))
        if style.get("stroke", "none") != "none" and width > 0:
            stroked = pathops.Path()
            local.draw(stroked.getPen())
            stroked.stroke(
                width,
                _cap(style.get("stroke-linecap", "butt")),
                _join(style.get("stroke-linejoin", "miter")),
                _length(style.get("stroke-miterlimit", "4")),
                *_dashes(style),
            )
            painted.append(stroked)
        for path in painted:
            path.convertConicsToQuads()  # round caps and joins are conics
            parts.append(path.transform(*_multiply(to_font, matrix)))
    merged = pathops.Path()
    if parts:
        pathops.union(parts, merged.getPen())
    return merged, tuple(sorted(lost))


def _dashes(style: Mapping[str, str]) -> tuple[list[float] | None, float]:
    """A stroke's dashes for pathops (its dash array, an even count, and its offset): SVG
    repeats an odd list; none, or one that dashes nothing, is a solid stroke."""
    lengths = [abs(float(n)) for n in _NUMBER.findall(style.get("stroke-dasharray", ""))]
    if not lengths or not any(lengths) or len(lengths) > 64:
        return None, 0.0
    if len(lengths) % 2:
        lengths += lengths
    return lengths, _length(style.get("stroke-dashoffset", "0"))


def _view_box(root: Any) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in _NUMBER.findall(root.get("viewBox", ""))]
    if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0:
        return numbers[0], numbers[1], numbers[2], numbers[3]
    width = _length(root.get("width", "24")) or 24.0
    height = _length(root.get("height", "24")) or 24.0
    return 0.0, 0.0, width, height


_PAINT = (
    "fill",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "display",
    "visibility",
)


def _shapes(
    element: Any, lost: set[str], style: Mapping[str, str] | None = None, matrix: Any = None
) -> Iterator[tuple[Any, dict[str, str], tuple[float, ...]]]:
    """Every shape under an element, with its inherited paint and its transform."""
    own = dict(style or {})
    own.update({k: v.strip() for k, v in element.attrib.items() if k in _PAINT})
    for declaration in element.get("style", "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip() in _PAINT:
            own[key.strip()] = value.strip()
    here = _multiply(matrix or _IDENTITY, _transform(element.get("transform", "")))
    if own.get("display") == "none" or own.get("visibility") == "hidden":
        return
    for paint in ("fill", "stroke"):
        value = own.get(paint, "")
        if value.startswith("url("):
            lost.add(f"{paint} {value}")
            own[paint] = "currentColor"
    tag = element.tag.removeprefix(_SVG) if isinstance(element.tag, str) else ""
    if tag in _SHAPES:
        yield element, own, here
    elif tag in _CONTAINERS:
        for child in element:
            yield from _shapes(child, lost, own, here)
    elif tag and tag not in _SKIPPED:
        lost.add(tag)


def _path(element: Any) -> Any:
    """A shape element as a recording of its outline (None: nothing to draw)."""
    from xml.etree.ElementTree import Element

    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.svgLib.path import parse_path
    from fontTools.svgLib.path.shapes import PathBuilder

    builder = PathBuilder()
    # Its transform is _shapes' to apply (with its groups'): fontTools would apply it again,
    # and knows only matrix(), not rotate(45 12 12).
    plain = Element(element.tag, {k: v for k, v in element.attrib.items() if k != "transform"})
    try:
        if not builder.add_path_from_element(plain) or not builder.paths:
            return None
        recording = RecordingPen()
        for d in builder.paths:
            parse_path(d, recording)
    except (ValueError, TypeError, IndexError, ZeroDivisionError, NotImplementedError):
        return None
    return recording


def _length(value: str) -> float:
    found = _NUMBER.match(value.strip())
    return float(found[0]) if found else 0.0


_IDENTITY: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """a after b, as SVG's matrix(a b c d e f): b's points, then a's."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a2 * b1,
        a1 * b0 + a3 * b1,
        a0 * b2 + a2 * b3,
        a1 * b2 + a3 * b3,
        a0 * b4 + a2 * b5 + a4,
        a1 * b4 + a3 * b5 + a5,
    )


def _transform(text: str) -> tuple[float, ...]:
    """An SVG transform attribute as one matrix (the identity for none, or a bad one)."""
    matrix = _IDENTITY
    for kind, arguments in _TRANSFORM.findall(text):
        n = [float(x) for x in _NUMBER.findall(arguments)]
        step: tuple[float, ...] = _IDENTITY
        if kind == "matrix" and len(n) == 6:
            step = tuple(n)
        elif kind == "translate" and n:
            step = (1, 0, 0, 1, n[0], n[1] if len(n) > 1 else 0)
        elif kind == "scale" and n:
            step = (n[0], 0, 0, n[1] if len(n) > 1 else n[0], 0, 0)
        elif kind == "rotate" and n:
            c, s = math.cos(math.radians(n[0])), math.sin(math.radians(n[0]))
            step = (c, s, -s, c, 0, 0)
            if len(n) == 3:
                step = _multiply(
                    _multiply((1, 0, 0, 1, n[1], n[2]), step), (1, 0, 0, 1, -n[1], -n[2])
                )
        elif kind == "skewX" and n:
            step = (1, 0, math.tan(math.radians(n[0])), 1, 0, 0)
        elif kind == "skewY" and n:
            step = (1, math.tan(math.radians(n[0])), 0, 1, 0, 0)
        matrix = _multiply(matrix, tuple(float(v) for v in step))
    return matrix


def _cap(name: str) -> Any:
    import pathops

    caps = pathops.LineCap
    return {"round": caps.ROUND_CAP, "square": caps.SQUARE_CAP}.get(name, caps.BUTT_CAP)


def _join(name: str) -> Any:
    import pathops

    joins = pathops.LineJoin
    return {"round": joins.ROUND_JOIN, "bevel": joins.BEVEL_JOIN}.get(name, joins.MITER_JOIN)


def stylesheet() -> str:
    """The CSS that makes .icon a glyph of the icon font (FONT_FILE, served from memory by
    render/pdf.py), given before the layout's stylesheets: a layout sets an icon's size
    (font-size) and colour (color) only."""
    return (
        f'@font-face {{ font-family: "{FAMILY}"; src: url({FONT_FILE}); }}\n'
        f'.icon {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400;'
        " line-height: 1; letter-spacing: 0; word-spacing: 0; text-indent: 0;"
        " text-transform: none; white-space: nowrap; text-align: center; }\n"
    )
