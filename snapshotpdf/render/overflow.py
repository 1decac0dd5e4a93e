"""Boxes that run out of the page area: what `snapshotpdf layout check` reports as an
overflowing box (a CSS width too large for the page, a line that cannot break, a box of a
fixed height taller than the page).

How: each laid-out page's box tree (WeasyPrint keeps it as Page._page_box, the one reach-in
past its public API, in _page_box below) is walked once, and every box that paints something
(text, an image, a background or a border) is compared with the page area, the page less its
margins: one that reaches more than TOLERANCE_MM past any of its four edges overflows. It
is blamed on the outermost box around it that reaches past that edge too (the box too wide:
`.overview { width: 400mm }` is named once, not through each word inside it), one finding
per such box and page. Cheap: a walk of the boxes already laid out, a few milliseconds a city.

What is left out, by design:
- the page-margin boxes (running footers, the repeated header band): they live in the
  margins, and the layout clips what does not fit in them;
- absolutely positioned and fixed boxes (the header band, run to the paper's edges on
  purpose; badges set off a tile's corner), and running elements, with what they hold;
- what a box with overflow other than visible clips;
- a box that paints nothing (a list pulled 1.5 mm out by a negative margin, its cells
  still inside).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

CSS_PX_PER_MM = 96 / 25.4
TOLERANCE_MM = 0.5  # past an edge by less is rounding, not a mistake
EXCERPT = 30  # characters of a text shown in a finding


@dataclass(frozen=True)
class Overflow:
    """A box reaching past the page area on one page of a document."""

    page: int  # from 1
    box: str  # the element: "section#overview.overview", "li.fact-website", "text in p"
    edge: str  # "right", "left", "bottom" or "top": the edge of the page area it passes
    by_mm: float  # how far past it
    text: str | None = None  # the first text of it that is out there
    section: str | None = None  # the id of the nearest element around it that has one

    def __str__(self) -> str:
        where = f" in #{self.section}" if self.section else ""
        said = f" ({self.text!r})" if self.text else ""
        return (
            f"page {self.page}: {self.box}{where}{said} runs {self.by_mm:.1f} mm past the"
            f" {self.edge} edge of the page area"
        )


def overflowing(pages: Sequence[Any]) -> list[Overflow]:
    """Every box of a laid-out document's pages (weasyprint.Document.pages) that runs out
    of its page's area, in page order: one for each box to blame, and one for boxes named
    alike in the same section of a page (the paragraphs of a section that cannot wrap)."""
    found: list[Overflow] = []
    for number, page in enumerate(pages, start=1):
        page_box = _page_box(page)
        area = (
            page_box.content_box_x(),
            page_box.content_box_y(),
            page_box.content_box_x() + page_box.width,
            page_box.content_box_y() + page_box.height,
        )
        said: dict[tuple[str, str | None], Overflow] = {}
        for out in _outside(page_box, area):
            edge, by = max(_past(out.blame, area), _past(out.leaf, area), key=lambda p: p[1])
            key = (_name(out.blame), out.section)
            before = said.get(key)
            if before is None or by / CSS_PX_PER_MM > before.by_mm:
                text = before.text if before else _text(out.leaf)
                said[key] = Overflow(number, key[0], edge, by / CSS_PX_PER_MM, text, key[1])
        found.extend(said.values())
    return found


def _page_box(page: Any) -> Any:
    """A weasyprint.Page's box tree. Private in WeasyPrint 70 (Page keeps only what the
    PDF needs in public: anchors, links, bookmarks); pinned with WeasyPrint itself."""
    return page._page_box


@dataclass(frozen=True)
class _Out:
    blame: Any  # the box to name
    leaf: Any  # the box painting past the area
    section: str | None  # the id around the box to name


@dataclass(frozen=True)
class _At:
    """A box of the walk, with what it needs to know of the boxes around it."""

    box: Any
    blame: Any = None  # the outermost box around it already past the area
    blame_in: str | None = None  # the id around that box
    around: str | None = None  # the id of the nearest element around the box
    block: Any = None  # the nearest box around it that is no line or inline box
    block_in: str | None = None  # the id around that box


def _outside(page_box: Any, area: tuple[float, float, float, float]) -> Iterator[_Out]:
    """Each painting box past the area, with the box to blame: the outermost box around
    it past the area too, where the too-wide box is; or, for text in a line of a block
    that is inside the area (a word that cannot break), that block."""
    from weasyprint.formatting_structure import boxes

    tolerance = TOLERANCE_MM * CSS_PX_PER_MM
    inline = (boxes.LineBox, boxes.InlineBox, boxes.TextBox)  # not inline-block, image
    stack = [_At(child) for child in reversed(page_box.children)]
    while stack:
        at = stack.pop()
        box, blame, blame_in = at.box, at.blame, at.blame_in
        if isinstance(box, boxes.MarginBox) or box.is_absolutely_positioned() or box.is_running():
            continue
        if not isinstance(box, boxes.LineBox):  # a line box is as wide as its block
            if _past(box, area)[1] > tolerance:
                if blame is None:
                    inside = isinstance(box, inline) and at.block is not None
                    blame, blame_in = (at.block, at.block_in) if inside else (box, at.around)
                if _paints(box, boxes):
                    yield _Out(blame, box, blame_in)
                    continue
            else:
                blame = blame_in = None
        if box.style["overflow"] != "visible" and not isinstance(box, boxes.LineBox):
            continue  # what it holds is clipped to it
        element = box.element
        around = (element.get("id") if element is not None else None) or at.around
        block, block_in = (at.block, at.block_in) if isinstance(box, inline) else (box, at.around)
        stack.extend(
            _At(child, blame, blame_in, around, block, block_in)
            for child in reversed(getattr(box, "children", ()))
        )


def _past(box: Any, area: tuple[float, float, float, float]) -> tuple[str, float]:
    """The edge of the area the box's border box reaches furthest past, and how far (CSS
    px; 0 or less: inside)."""
    left, top, right, bottom = area
    x, y = box.border_box_x(), box.border_box_y()
    reaches = {
        "right": x + box.border_width() - right,
        "left": left - x,
        "bottom": y + box.border_height() - bottom,
        "top": top - y,
    }
    edge = max(reaches, key=lambda name: reaches[name])
    return edge, reaches[edge]


def _paints(box: Any, boxes: Any) -> bool:
    """Whether the box puts anything on the page: text, an image, a background, a border."""
    if isinstance(box, boxes.TextBox | boxes.ReplacedBox):
        return True
    style = box.style
    colour = style["background_color"]
    if colour is not None and getattr(colour, "alpha", 1) > 0:
        return True
    if any(style[f"border_{side}_width"] for side in ("top", "right", "bottom", "left")):
        return True
    return any(image and image[0] != "none" for image in style["background_image"])


def _name(box: Any) -> str:
    """The element a box is of, as a CSS selector names it: tag#id.class.class; a text
    as "text in" its element."""
    from weasyprint.formatting_structure import boxes

    element = box.element
    tag = box.element_tag or "?"
    name = tag
    if element is not None and not isinstance(box, boxes.TextBox):
        if element.get("id"):
            name += f"#{element.get('id')}"
        name += "".join(f".{c}" for c in (element.get("class") or "").split())
    return f"text in {name}" if isinstance(box, boxes.TextBox) else name


def _text(box: Any) -> str | None:
    """The start of a text box's text (None for any other box)."""
    text = getattr(box, "text", None)
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
