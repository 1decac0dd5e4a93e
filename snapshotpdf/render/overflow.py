"""Boxes that run out of the page area: what `snapshotpdf layout check` reports as an
overflowing box (a CSS width too large for the page, a line that cannot break, a box of a
fixed height taller than the page).

How, with WeasyPrint's public API only. The check lays out a check copy of each document
(CheckCopier): the same HTML, which lays out exactly as the original does, with
- an id on every element measured (one the layout does not use), so that the anchors of
  each laid-out page (Page.anchors: an element's border box on that page) give its
  rectangle; and one on what a rule generates before or after an element (::before,
  ::after), by an anchor the copy's own <style> gives it;
- the longest word of an element's text that cannot break (white-space: nowrap or pre, or
  no overflow-wrap or word-break that breaks it; for nowrap, its last run of text) in an
  element of its own, and the first word of a text whose negative text-indent starts its
  first line before its box: a line is measured by its word, not by the box of its
  paragraph. Such an element is only put where no selector of the layout sees a
  difference (_Copy._put_words_apart);
- a <head> made an empty fixed box: its rectangle on each page is the page area (the page
  less its margins), and its id is the key: what each id stands for, what is around it,
  whether it paints.
overflowing() then compares the rectangle of every element that paints something (text of
its own, an image, a background or a border) with the page area: one that reaches more
than TOLERANCE_MM past any of its four edges overflows. It is blamed on the outermost
element around it that reaches past the area too (the box too wide: `.overview { width:
400mm }` is named once, not through each word inside it) or, for a word that cannot
break, on the element it is in; one finding per element and page.

What an element is (out of the flow, clipping, painting, breaking its words) is read from
the layout's stylesheets by the check itself, the way WeasyPrint's cascade reads them
(_Sheets, with tinycss2 and cssselect2, WeasyPrint's own CSS parser and selector engine):
the position, overflow, background, border, white-space, overflow-wrap, word-break and
text-indent properties, by origin (the layout's stylesheets; the document's <style>,
<link> and style attributes), !important, @layer, specificity and order; with @media
(print), @import and nested rules.

What is left out, by design:
- the page-margin boxes (running footers, the repeated header band): they live in the
  margins, and the layout clips what does not fit in them;
- absolutely positioned and fixed elements (the header band, run to the paper's edges on
  purpose; badges set off a tile's corner), and running elements, with what they hold;
- what an element with overflow other than visible clips;
- an element that paints nothing (a list pulled 1.5 mm out by a negative margin, its
  cells still inside).
What the public API does not show as the box tree did:
- text is measured by the box of the element that holds it: a heading moved 150 mm to the
  right counts, even when its short text still ends inside;
- a line that cannot break is measured by its longest word (a line that does not wrap, by
  its last run of text); where a selector of the layout would see the word's element
  (p > *, :first-child ...), by its paragraph's box only (a line running out of a
  paragraph that stays inside is then not said);
- a list item's ::marker is not measured (WeasyPrint gives it no anchor); a negative
  text-indent is, by the first word after it.
And what it costs: WeasyPrint shares no computed style between elements that have an id,
so a check copy takes about a third longer to lay out and draw than its document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

from snapshotpdf.render.layout import layer_file

if TYPE_CHECKING:
    from snapshotpdf.render.layout import Layout

CSS_PX_PER_MM = 96 / 25.4
TOLERANCE_MM = 0.5  # past an edge by less is rounding, not a mistake
EXCERPT = 30  # characters of a text shown in a finding
PREFIX = "snapshotpdf-check"  # the check copy's ids (PREFIX-N) and its key (PREFIX;...)
WORD = "snapshotpdf-word"  # the element a word is put in


@dataclass(frozen=True)
class Overflow:
    """A box reaching past the page area on one page of a document."""

    page: int  # from 1
    box: str  # the element: "section#overview.overview", "li.fact-website", "p"
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
    """Every element of a laid-out document's pages (weasyprint.Document.pages, laid out
    from a CheckCopier copy) that runs out of its page's area, in page order: one for each
    element to blame, and one for elements named alike in the same section of a page (the
    paragraphs of a section that cannot wrap). Nothing for a document that is no check
    copy: there is nothing to measure it by."""
    key = _Key.find(pages)
    if key is None:
        return []
    found: list[Overflow] = []
    for number, page in enumerate(pages, start=1):
        anchors = page.anchors
        area = _rectangle(anchors.get(key.area))
        if area is None:
            continue
        said: dict[tuple[str, str | None], Overflow] = {}
        for blame, leaf in key.outside(anchors, area):
            rectangles = (_rectangle(anchors.get(e.anchor)) for e in (blame, leaf))
            reaches = [_past(rectangle, area) for rectangle in rectangles if rectangle]
            edge, by = max(reaches, key=lambda reach: reach[1])
            at = (blame.name, key.around(blame))
            before = said.get(at)
            if before is None or by / CSS_PX_PER_MM > before.by_mm:
                text = before.text if before else leaf.text
                said[at] = Overflow(number, at[0], edge, by / CSS_PX_PER_MM, text, at[1])
        found.extend(said.values())
    return found


_Rectangle = tuple[float, float, float, float]  # left, top, right, bottom (CSS px)


def _rectangle(value: Any) -> _Rectangle | None:
    """An anchor's (x1, y1, x2, y2) as left, top, right, bottom (a transform may swap
    them); None for no anchor."""
    if not value or len(value) != 4:
        return None
    x1, y1, x2, y2 = (float(v) for v in value)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _past(rectangle: _Rectangle, area: _Rectangle) -> tuple[str, float]:
    """The edge of the area the rectangle reaches furthest past, and how far (CSS px; 0
    or less: inside)."""
    left, top, right, bottom = area
    reaches = {
        "right": rectangle[2] - right,
        "left": left - rectangle[0],
        "bottom": rectangle[3] - bottom,
        "top": top - rectangle[1],
    }
    edge = max(reaches, key=lambda name: reaches[name])
    return edge, reaches[edge]


# The key of a check copy: the id of its <head>, so the laid-out pages carry it (the head
# is a fixed box on every page). PREFIX, then a record per element measured, in document
# order, after ";": its own id (empty: it has PREFIX-INDEX), the index of the element
# measured around it (-1: none), its flags (p: it paints; w: it is measured for the
# element around it: a word, what CSS generates), its name and its text, each URL-quoted,
# so that the id holds no quote, backslash or white space (WeasyPrint puts it in a CSS
# string).


@dataclass(frozen=True)
class _Element:
    """An element measured, as the key says it."""

    anchor: str  # its id in the check copy
    own: bool  # the id is the layout's own
    parent: int  # the index of the element measured around it; -1: none
    paints: bool
    for_parent: bool  # a word, or what CSS generates: blamed on the element it is in
    name: str  # as a CSS selector names it: tag#id.class.class
    text: str | None  # the start of its text (the word, for a word)


@dataclass(frozen=True)
class _Key:
    area: str  # the page area's anchor: the key itself
    elements: list[_Element]
    children: list[list[int]]

    @classmethod
    def find(cls, pages: Sequence[Any]) -> _Key | None:
        for name in pages[0].anchors if pages else ():
            if name.startswith(PREFIX) and ";" in name:
                return cls.parse(name)
        return None

    @classmethod
    def parse(cls, key: str) -> _Key:
        prefix, *records = key.split(";")
        elements = []
        for index, record in enumerate(records):
            own, parent, flags, name, text = (unquote(part) for part in record.split(","))
            anchor = own or f"{prefix}-{index}"
            elements.append(
                _Element(anchor, bool(own), int(parent), "p" in flags, "w" in flags, name, text)
            )
        children: list[list[int]] = [[] for _ in elements]
        for index, element in enumerate(elements):
            if element.parent >= 0:
                children[element.parent].append(index)
        return cls(key, elements, children)

    def around(self, element: _Element) -> str | None:
        """The layout's own id of the nearest element around it that has one."""
        index = element.parent
        while index >= 0:
            if self.elements[index].own:
                return self.elements[index].anchor
            index = self.elements[index].parent
        return None

    def outside(
        self, anchors: dict[str, Any], area: _Rectangle
    ) -> Iterator[tuple[_Element, _Element]]:
        """Each painting element past the area on a page, with the element to blame: the
        outermost element around it past the area too, where the too-wide box is; for a
        word past an element inside the area, that element."""
        tolerance = TOLERANCE_MM * CSS_PX_PER_MM
        roots = [i for i, element in enumerate(self.elements) if element.parent < 0]
        stack: list[tuple[int, int | None]] = [(i, None) for i in reversed(roots)]
        while stack:
            index, blame = stack.pop()
            element = self.elements[index]
            rectangle = _rectangle(anchors.get(element.anchor))
            if rectangle is not None:  # None: not on this page, or no box of its own
                if _past(rectangle, area)[1] > tolerance:
                    if blame is None:
                        blame = element.parent if element.for_parent else index
                    if element.paints:
                        yield self.elements[blame], element
                        continue
                else:
                    blame = None
            stack.extend((child, blame) for child in reversed(self.children[index]))


class CheckCopier:
    """Makes the check copy of a layout's documents (the module's docstring). One per
    layout and output variant: its stylesheets are read once."""

    def __init__(self, stylesheets: Sequence[Path], folders: Sequence[Path] = ()) -> None:
        """stylesheets: the layout's CSS files as the renderer gives them (render/pdf.py,
        PdfMaker.for_layout), in cascade order; folders: the layout's folders
        (Layout.folders), its own first, where a document's relative URLs start."""
        self.folders = tuple(folder.resolve() for folder in folders)
        self.sheets = _Sheets("user", self.folders)
        for sheet in stylesheets:
            self.sheets.read_file(Path(sheet).resolve())

    @classmethod
    def for_layout(cls, layout: Layout, variant: str) -> CheckCopier:
        """For a layout and an output variant: the layout's stylesheets and the variant's,
        the files PdfMaker.for_layout gives. The CSS it makes itself is not read: the
        palette's colours, and the icon font's (an icon is one glyph that does not wrap,
        measured by its element's box all the same)."""
        from snapshotpdf.render.variants import get_variant

        table = get_variant(variant).table
        return cls([*layout.stylesheets, *layout.variant_stylesheets(table)], layout.folders)

    def __call__(self, html: str) -> str:
        """The check copy of a document."""
        return _Copy(self, html).html


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID = _names(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source"
    " track wbr"
)
_RAW_TEXT = _names("script style xmp iframe noembed noframes plaintext")
# What paints all it holds: nothing in it is measured apart.
_REPLACED = _names(
    "img svg video audio canvas object embed iframe input textarea select button meter progress hr"
)
# Not laid out, or no part of a page: no id, no record.
_UNMEASURED = (
    _names("head title br wbr template noscript") | (_VOID - _REPLACED) | (_RAW_TEXT - _REPLACED)
)
_DOCTYPE = re.compile(r"\s*(?:<!--.*?-->\s*)*(<!doctype[^>]*>)", re.IGNORECASE | re.DOTALL)
# The check copy's <head>: an empty fixed box on every page, as large as the page area (a
# style attribute: a <style> more would be matched against every element).
_AREA_STYLE = (
    "display: block !important; position: fixed !important; top: 0 !important;"
    " right: 0 !important; bottom: 0 !important; left: 0 !important; margin: 0 !important;"
    " padding: 0 !important; border: 0 !important; width: auto !important;"
    " height: auto !important"
)
_GENERATED = frozenset({"before", "after"})  # what CSS generates that an anchor can mark


class _Copy:
    """One document's check copy: its tree (tinyhtml5, the parser WeasyPrint uses), each
    element's style as far as the check reads it, the ids and words put in, the key."""

    def __init__(self, copier: CheckCopier, html: str) -> None:
        import tinyhtml5

        self.root = tinyhtml5.parse(html, namespace_html_elements=False)
        document = _Sheets("author", copier.folders)
        for element in self.root.iter():
            if element.tag in ("style", "link"):
                document.read_element(element)
        self.sheets = (copier.sheets, document)
        self.parents = {child: parent for parent in self.root.iter() for child in parent}
        self.matches: dict[tuple[Any, bool], tuple[Any, ...]] = {}
        self.wrappers = self._wrap()
        taken = {str(element.get("id")) for element in self.root.iter() if element.get("id")}
        self.prefix = PREFIX
        while any(name.startswith(self.prefix) for name in taken):
            self.prefix += "-"
        self.records: list[tuple[str, str, str, str, str]] = []
        self.words: list[tuple[Any, int, _Style]] = []  # elements with words to put apart
        self.css: list[str] = []  # the copy's <style>: anchors of what CSS generates
        self._measure()
        self._put_words_apart()
        head = self.root.find("head")
        if head is not None:
            if self.css:
                ElementTree.SubElement(head, "style").text = "\n".join(self.css)
            records = (",".join(quote(part, safe="") for part in r) for r in self.records)
            head.set("id", ";".join([self.prefix, *records]))
            head.set("style", _AREA_STYLE)
        doctype = _DOCTYPE.match(html)
        out = [doctype[1] if doctype else ""]
        _serialise(self.root, out)
        self.html = "".join(out)

    def _wrap(self) -> dict[Any, Any]:
        """cssselect2's view of the tree, by element: what selectors are matched on."""
        import cssselect2

        root = cssselect2.ElementWrapper.from_html_root(self.root)
        self.matches = {}
        return {wrapper.etree_element: wrapper for wrapper in root.iter_subtree()}

    def _match(self, element: Any, every: bool = True) -> tuple[Any, ...]:
        """The selectors that select the element (cssselect2's matches: specificity,
        order, pseudo-element, rule), by sheets: every one, or (every=False) those of
        the rules that set what the check reads or generate content."""
        if (element, every) not in self.matches:
            wrapper = self.wrappers[element]
            self.matches[element, every] = tuple(
                (number, *match)
                for number, sheets in enumerate(self.sheets)
                for match in (sheets.every if every else sheets.reading).match(wrapper)
            )
        return self.matches[element, every]

    def _measure(self) -> None:
        """Give an id to every element measured and write its record, in document order:
        not the head, what is out of the flow (with what it holds) or what a clipping
        element holds."""
        said: set[str] = set()
        stack: list[tuple[Any, int, _Style]] = [(self.root, -1, _INITIAL)]
        while stack:
            element, parent, inherited = stack.pop()
            tag = element.tag
            if not isinstance(tag, str) or tag in _UNMEASURED:
                continue  # a comment, or not on a page
            name = tag.rsplit("}", 1)[-1]
            style = self._style(element, name, inherited)
            if style["position"] in ("absolute", "fixed", "running"):
                continue
            own = str(element.get("id") or "")
            index = len(self.records)
            classes = "".join(f".{c}" for c in str(element.get("class") or "").split())
            label = f"{name}#{own}{classes}" if own else f"{name}{classes}"
            if not own:
                element.set("id", f"{self.prefix}-{index}")
            elif own in said:  # an id said twice: the anchor is the first element's, so
                own = ""  # this one is not measured (no element has PREFIX-INDEX)
            said.add(own)
            replaced = name in _REPLACED or tag.startswith("{")  # or SVG, MathML
            text = None if replaced else _first_text(element)
            box = replaced or _paints(style)  # then what is out there is its box
            flags = "p" if box or text is not None else ""
            self.records.append((own, str(parent), flags, label, "" if box else text or ""))
            if replaced or style["overflow"] != "visible":
                continue  # what it holds paints inside it, or is clipped to it
            self._generated(element, index)
            if text is not None and (not _breaks(style) or style["text-indent"] == "-"):
                self.words.append((element, index, style))
            stack.extend((child, index, style) for child in reversed(element))

    def _generated(self, element: Any, index: int) -> None:
        """Measure what a rule generates before or after the element by an anchor the
        copy's <style> gives it, blamed on the element."""
        for pseudo in sorted({match[3] for match in self._match(element, False)} & _GENERATED):
            anchor = f"{self.prefix}-{len(self.records)}"
            selector = f'[id="{_css_string(str(element.get("id")))}"]::{pseudo}'
            self.css.append(f'{selector} {{ -weasy-anchor: "{anchor}" !important; }}')
            self.records.append(("", str(index), "pw", "", ""))

    def _style(self, element: Any, name: str, inherited: _Style) -> _Style:
        """The element's values of what the check reads (_INITIAL), by WeasyPrint's
        cascade: weight (origin and importance, layer, specificity), then order; a style
        attribute weighs as specificity (1, 0, 0), before any rule."""
        best: dict[str, tuple[tuple[Any, ...], str]] = {}

        def say(longhand: str, value: str, weight: tuple[Any, ...]) -> None:
            if longhand not in best or best[longhand][0] <= weight:
                best[longhand] = (weight, value)

        for longhand, value in _UA.get(name, {}).items():
            say(longhand, value, (1, math.inf, (0, 0, 0), 0))
        for longhand, value, important in _declarations(_parse(element.get("style") or "")):
            say(longhand, value, (_precedence("author", important), math.inf, (1, 0, 0), -1))
        for number, specificity, order, pseudo, rule in self._match(element, False):
            sheets = self.sheets[number]
            for longhand, value, important in rule.declarations if pseudo is None else ():
                precedence = _precedence(sheets.origin, important)
                say(longhand, value, (precedence, sheets.rank(rule.layer), specificity, order))
        style: _Style = {}
        for longhand, initial in _INITIAL.items():
            value = best[longhand][1] if longhand in best else ""
            if value == "inherit" or (not value and longhand in _INHERITED):
                value = inherited[longhand]
            style[longhand] = value if value not in ("", "initial") else initial
        return style

    def _put_words_apart(self) -> None:
        """Put the words of _put_apart in elements of their own, where no selector of the
        layout sees them: a rule that selects one may set only what changes nothing of an
        inline box with no style of its own (box-sizing, zero margins and paddings,
        custom properties), and the element they are in, its children and the elements
        around it must be selected as they were. What one word changes, another may too:
        where any does, the element's last word alone is tried, then none. Then each word
        kept gets its id and record."""
        if not self.words:
            return
        seen = {
            element: self._match(element)
            for holder, _index, _style in self.words
            for element in self._around(holder)
        }
        plans = [(holder, index, _put_apart(holder, style)) for holder, index, style in self.words]
        for _ in range(3):
            self.wrappers = self._wrap()
            changed = {
                element for element, before in seen.items() if self._match(element) != before
            }
            kept, done = [], True
            for holder, index, words in plans:
                if changed.intersection(self._around(holder)) or not all(
                    match[4].harmless for word, _text in words for match in self._match(word)
                ):
                    done = False
                    last = words[-1:] if len(words) > 1 else []
                    _take_back(holder, words[: len(words) - len(last)])
                    words = last
                kept.append((holder, index, words))
            plans = [plan for plan in kept if plan[2]]
            if done:
                break
        else:
            for holder, _index, words in plans:
                _take_back(holder, words)
            return
        for _holder, index, words in plans:
            for word, text in words:
                word.set("id", f"{self.prefix}-{len(self.records)}")
                self.records.append(("", str(index), "pw", "", _excerpt(text) or ""))

    def _around(self, element: Any) -> list[Any]:
        """The element, its children and the elements around it: what a word put in it
        could change the selection of."""
        around = [element, *(child for child in element if isinstance(child.tag, str))]
        while element in self.parents:
            element = self.parents[element]
            around.append(element)
        return around


def _css_string(text: str) -> str:
    """Text for a CSS string between double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")


def _first_text(element: Any) -> str | None:
    """The start of the element's own text (not its children's); None: it has none."""
    for run in (element.text, *(child.tail for child in element)):
        if run and run.strip():
            return _excerpt(run)
    return None


def _excerpt(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


_BREAK = r"[^ \t\n\r\f]+"  # a line breaks between these (white space; no no-break space)


def _put_apart(element: Any, style: _Style) -> list[tuple[Any, str]]:
    """Put words of the element's text in elements of their own (WORD): when a word cannot
    break, its longest word (the longest line for white-space: pre; for nowrap, where the
    line ends: the whole of its last run of text); when a negative text-indent starts its
    first line before its box, its first word. The new elements, with their words, in
    document order."""
    holders = [None, *(child for child in element if child.tail and child.tail.strip())]
    runs = [(h, run) for h in holders if (run := element.text if h is None else h.tail)]
    runs = [(holder, run) for holder, run in runs if run.strip()]
    chosen: dict[Any, set[tuple[int, int]]] = {}
    first = re.search(_BREAK, runs[0][1]) if runs and runs[0][0] is None else None
    if first and style["text-indent"] == "-":
        chosen.setdefault(None, set()).add(first.span())
    if runs and style["white-space"] == "nowrap":
        holder, run = runs[-1]
        chosen.setdefault(holder, set()).add((len(run) - len(run.lstrip()), len(run.rstrip())))
    elif runs and not _breaks(style):
        pattern = r"[^\n]+" if style["white-space"] == "pre" else _BREAK
        found = ((h, w) for h, run in runs for w in re.finditer(pattern, run))
        holder, longest = max(found, key=lambda found: len(found[1][0].strip()))
        chosen.setdefault(holder, set()).add(longest.span())
    words = []
    for holder, run in runs:
        spans = sorted(chosen.get(holder, ()))
        if len(spans) == 2 and spans[0][1] > spans[1][0]:  # the one holds the other
            spans = [(spans[0][0], max(spans[0][1], spans[1][1]))]
        if not spans:
            continue
        at = 0 if holder is None else list(element).index(holder) + 1
        ends = [start for start, _end in spans[1:]] + [len(run)]
        for number, ((start, end), following) in enumerate(zip(spans, ends, strict=True)):
            word = ElementTree.Element(WORD)
            word.text, word.tail = run[start:end], run[end:following]
            element.insert(at + number, word)
            words.append((word, run[start:end]))
        if holder is None:
            element.text = run[: spans[0][0]]
        else:
            holder.tail = run[: spans[0][0]]
    return words


def _take_back(element: Any, words: list[tuple[Any, str]]) -> None:
    """Undo _put_apart for these words: each back in its run of text."""
    for word, _text in reversed(words):
        children = list(element)
        at = children.index(word)
        joined = (word.text or "") + (word.tail or "")
        if at == 0:
            element.text = (element.text or "") + joined
        else:
            children[at - 1].tail = (children[at - 1].tail or "") + joined
        element.remove(word)


def _serialise(element: Any, out: list[str]) -> None:
    """An element of tinyhtml5's tree as HTML that parses back into it (HTML's
    serialisation algorithm)."""
    tag = element.tag
    if not isinstance(tag, str):  # a comment
        out.append(f"<!--{element.text or ''}-->")
    else:
        foreign = tag.startswith("{")  # SVG, MathML
        name = tag.rsplit("}", 1)[-1]
        out.append(f"<{name}")
        for attribute, value in element.attrib.items():
            if attribute.startswith("{"):
                space, local = attribute[1:].split("}", 1)
                attribute = _ATTRIBUTE_SPACES.get(space, "") + local
            out.append(f' {attribute}="{escape(str(value))}"')
        if foreign and not len(element) and not element.text:
            out.append("/>")
        elif not foreign and name in _VOID:
            out.append(">")
        else:
            text = element.text or ""
            if name in ("pre", "textarea", "listing") and text.startswith("\n"):
                text = "\n" + text  # the parser drops a first newline
            out.append(">" + (text if name in _RAW_TEXT and not foreign else escape(text, False)))
            for child in element:
                _serialise(child, out)
            out.append(f"</{name}>")
    if element.tail:
        out.append(escape(element.tail, False))


_ATTRIBUTE_SPACES = {
    "http://www.w3.org/1999/xlink": "xlink:",
    "http://www.w3.org/XML/1998/namespace": "xml:",
    "http://www.w3.org/2000/xmlns/": "xmlns:",
}


# The style of an element, as far as the check reads it: the value of each longhand
# (_INITIAL's words; "?": set by var(), not known here, so taken to paint).
_Style = dict[str, str]
_SIDES = ("top", "right", "bottom", "left")
_INITIAL: _Style = {
    "position": "static",  # "running" for running()
    "overflow": "visible",  # "clip" for any other
    "background-color": "none",  # "paint": a colour not transparent
    "background-image": "none",  # "paint": an image
    **{f"border-{side}-width": "w" for side in _SIDES},  # "0", or "w": wider
    **{f"border-{side}-style": "none" for side in _SIDES},
    "white-space": "normal",
    "overflow-wrap": "normal",
    "word-break": "normal",
    "text-indent": "0",  # "-": negative, the first line starting before the box
}
_INHERITED = frozenset({"white-space", "overflow-wrap", "word-break", "text-indent"})
# What WeasyPrint's user-agent stylesheet sets of them.
_UA: dict[str, _Style] = {
    **dict.fromkeys(("pre", "listing", "xmp", "plaintext"), {"white-space": "pre"}),
    "nobr": {"white-space": "nowrap"},
    "mark": {"background-color": "paint"},
    "fieldset": {
        **{f"border-{side}-width": "w" for side in _SIDES},
        **{f"border-{side}-style": "groove" for side in _SIDES},
    },
}


def _paints(style: _Style) -> bool:
    """Whether an element of this style paints a background or a border."""
    if style["background-color"] != "none" or style["background-image"] != "none":
        return True
    return any(
        style[f"border-{side}-style"] not in ("none", "hidden")
        and style[f"border-{side}-width"] != "0"
        for side in _SIDES
    )


def _breaks(style: _Style) -> bool:
    """Whether a word too long for its line breaks (else it runs past the line)."""
    if style["white-space"] in ("nowrap", "pre"):
        return False
    return style["overflow-wrap"] in ("anywhere", "break-word") or (
        style["word-break"] == "break-all"
    )


@dataclass(frozen=True)
class _Rule:
    layer: str | None
    declarations: tuple[tuple[str, str, bool], ...]  # (longhand, value, !important)
    harmless: bool  # it changes nothing of an inline box with no style of its own


class _Sheets:
    """The rules of the stylesheets of one origin, as WeasyPrint reads them (@media by
    media type, for print; @import; @layer; nested rules; what cssselect2 compiles), in
    cssselect2 matchers."""

    def __init__(self, origin: str, folders: Sequence[Path]) -> None:
        import cssselect2

        self.origin = origin  # "user": HTML.render's stylesheets; "author": the document's
        self.folders = folders
        self.every = cssselect2.Matcher()
        self.reading = cssselect2.Matcher()  # the rules that set what the check reads
        self.layers: list[str] = []
        self.ranks: dict[str | None, float] = {}

    def rank(self, layer: str | None) -> float:
        """A layer's weight: declared later weighs more, no layer most."""
        if layer not in self.ranks:
            self.ranks[layer] = math.inf if layer is None else self.layers.index(layer)
        return self.ranks[layer]

    def read_file(self, path: Path, layer: str | None = None, depth: int = 0) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return  # WeasyPrint says so, as a renderer warning
        self.read(text, path.parent, layer, depth)

    def read_element(self, element: Any) -> None:
        """A document's <style>, or <link rel="stylesheet">."""
        if str(element.get("type") or "text/css").split(";")[0].strip() != "text/css":
            return
        if not _for_print(_parse_values(str(element.get("media") or ""))):
            return
        base = self.folders[0] if self.folders else Path.cwd()
        rel = str(element.get("rel") or "").lower().split()
        if element.tag == "style":
            self.read(element.text or "", base)
        elif "stylesheet" in rel and "alternate" not in rel and element.get("href"):
            path = self._find(str(element.get("href")), base)
            if path is not None:
                self.read_file(path)

    def read(self, text: str, base: Path, layer: str | None = None, depth: int = 0) -> None:
        import tinycss2

        rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        self._rules(rules, base, layer, depth)

    def _rules(self, rules: Sequence[Any], base: Path, layer: str | None, depth: int) -> None:
        import tinycss2

        for rule in rules:
            if rule.type == "qualified-rule":
                self._style_rule(tinycss2.serialize(rule.prelude), rule.content, layer)
            if rule.type != "at-rule":
                continue
            keyword, content = rule.lower_at_keyword, rule.content
            tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
            if keyword == "media" and content is not None and _for_print(tokens):
                self._rules(tinycss2.parse_rule_list(content, True, True), base, layer, depth)
            elif keyword == "layer":
                names = [_layer_name(part) for part in _split_commas(tokens)]
                if content is None:  # @layer a, b;
                    for name in names:
                        if name:
                            self._add_layer(f"{layer}.{name}" if layer else name)
                elif len(names) <= 1 and None not in names:
                    name = names[0] if names else f"@anonymous{len(self.layers)}"
                    inner = f"{layer}.{name}" if layer else str(name)
                    self._add_layer(inner)
                    inside = tinycss2.parse_rule_list(content, True, True)
                    self._rules(inside, base, inner, depth)
            elif keyword == "import" and tokens and depth < 8:
                self._import(tokens, base, layer, depth)

    def _import(self, tokens: list[Any], base: Path, layer: str | None, depth: int) -> None:
        first, rest = tokens[0], tokens[1:]
        url = first.value if first.type in ("string", "url") else None
        if first.type == "function" and first.lower_name == "url" and first.arguments:
            url = first.arguments[0].value
        if not isinstance(url, str):
            return
        inner = layer
        if rest and rest[0].type == "function" and rest[0].lower_name == "layer":
            name = _layer_name(rest.pop(0).arguments)
            if name is None:
                return
            inner = f"{layer}.{name}" if layer else name
            self._add_layer(inner)
        elif rest and rest[0].type == "ident" and rest[0].lower_value == "layer":
            rest.pop(0)
            name = f"@anonymous{len(self.layers)}"
            inner = f"{layer}.{name}" if layer else name
            self._add_layer(inner)
        path = self._find(url, base)
        if path is not None and _for_print(rest):
            self.read_file(path, inner, depth + 1)

    def _find(self, url: str, base: Path) -> Path | None:
        """The file of the layout a relative URL stands for, looked up in its folders as
        the renderer's fetcher does (its own file, else the one the layout it extends
        has); None for any other (the renderer does not fetch it)."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "file") or not parts.path:
            return None
        path = (base / unquote(parts.path)).resolve()
        for folder in self.folders:
            if path.is_relative_to(folder):
                inside = path.relative_to(folder).as_posix()
                for other in self.folders:  # a link out of the layout is its error
                    if (found := layer_file(other, inside)) is not None:
                        return found
        return None

    def _add_layer(self, layer: str) -> None:
        """A layer in WeasyPrint's order of layers (css/__init__.py, _add_layer)."""
        index: int | None = None
        full = ""
        for part in layer.split("."):
            full = f"{full}.{part}" if full else part
            if full in self.layers:
                index = self.layers.index(full)
            elif index is None:
                self.layers.append(full)
                index = len(self.layers) - 1
            else:
                self.layers.insert(index, full)
                index -= 1
        self.ranks.clear()

    def _style_rule(self, selectors: str, content: Sequence[Any], layer: str | None) -> None:
        """A style rule (its selectors as text), and the rules nested in it."""
        import cssselect2
        import tinycss2

        blocks = tinycss2.parse_blocks_contents(content, True, True)
        found = [block for block in blocks if block.type == "declaration"]
        harmless = all(_harmless(d.lower_name, d.value) for d in found)
        rule = _Rule(layer, _declarations(found), harmless)
        if "&" in selectors:  # & outside a rule: the root, as WeasyPrint takes it
            selectors = selectors.replace("&", ":root")
        try:
            compiled = cssselect2.compile_selector_list(selectors)
        except cssselect2.SelectorError:
            compiled = []  # WeasyPrint leaves the rule out, with a warning
        for selector in compiled:
            self.every.add_selector(selector, rule)
            if rule.declarations or selector.pseudo_element in _GENERATED:
                self.reading.add_selector(selector, rule)
        for nested in blocks:
            if nested.type == "qualified-rule":
                self._style_rule(_nested(selectors, nested.prelude), nested.content, layer)


def _nested(parent: str, prelude: Sequence[Any]) -> str:
    """A nested rule's selectors: each with `&` standing for the rule's around it, or
    after them."""
    import tinycss2

    selectors = []
    for part in _split_commas(prelude, spaces=True):
        text = tinycss2.serialize(part).strip()
        nests = any(t.type == "literal" and t.value == "&" for t in part)
        selectors.append(text.replace("&", f":is({parent})") if nests else f":is({parent}) {text}")
    return ", ".join(selectors)


def _split_commas(tokens: Sequence[Any], spaces: bool = False) -> list[list[Any]]:
    """Tokens between commas; with white space (a selector's combinator), or without."""
    parts: list[list[Any]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        elif spaces or token.type not in ("whitespace", "comment"):
            parts[-1].append(token)
    return [part for part in parts if any(t.type != "whitespace" for t in part)]


def _layer_name(tokens: Sequence[Any]) -> str | None:
    """A layer's name (a.b.c); None: not a name."""
    name, dot = "", True
    for token in (t for t in tokens if t.type not in ("whitespace", "comment")):
        if token.type == "ident" and dot:
            name, dot = name + token.value, False
        elif token.type == "literal" and token.value == "." and not dot:
            name, dot = name + ".", True
        else:
            return None
    return name if name and not dot else None


def _for_print(tokens: Sequence[Any]) -> bool:
    """Whether a media query list holds for print (media types only, as WeasyPrint)."""
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if tokens and tokens[0].type == "ident" and tokens[0].lower_value == "only":
        tokens = tokens[1:]
    types = []
    for part in _split_commas(tokens):
        if len(part) != 1 or part[0].type != "ident":
            return False
        types.append(part[0].lower_value)
    return not types or "all" in types or "print" in types


def _precedence(origin: str, important: bool) -> int:
    """WeasyPrint's precedence of a declaration (css/__init__.py)."""
    if origin == "user":
        return 5 if important else 2
    return 4 if important else 3


def _parse(text: str) -> list[Any]:
    """The declarations of a style attribute."""
    import tinycss2

    found = tinycss2.parse_blocks_contents(text, True, True) if text else []
    return [declaration for declaration in found if declaration.type == "declaration"]


def _parse_values(text: str) -> list[Any]:
    import tinycss2

    return list(tinycss2.parse_component_value_list(text))


def _declarations(declarations: Sequence[Any]) -> tuple[tuple[str, str, bool], ...]:
    """The longhands the check reads of some declarations, with the value each gives
    (as _INITIAL says them) and its importance."""
    return tuple(
        (longhand, value, bool(declaration.important))
        for declaration in declarations
        for longhand, value in _longhands(declaration.lower_name, list(declaration.value))
    )


_GLOBAL = _names("inherit initial unset revert revert-layer")
_KEYWORDS = _names("position overflow white-space overflow-wrap word-break")
_BORDER = re.compile(
    r"border(?:-(top|right|bottom|left|inline-start|inline-end|block-start|block-end"
    r"|inline|block))?(?:-(width|style))?"
)
_BORDER_SIDES: dict[str | None, tuple[str, ...]] = {
    None: _SIDES,
    **{side: (side,) for side in _SIDES},
    "inline-start": ("left",),  # as written left to right: "any side paints" is what counts
    "inline-end": ("right",),
    "block-start": ("top",),
    "block-end": ("bottom",),
    "inline": ("left", "right"),
    "block": ("top", "bottom"),
}
_BORDER_STYLES = _names("none hidden dotted dashed solid double groove ridge inset outset")


def _longhands(name: str, tokens: list[Any]) -> list[tuple[str, str]]:
    """What a declaration sets of what the check reads: (longhand, value)."""
    border = _BORDER.fullmatch(name)
    name = "overflow-wrap" if name == "word-wrap" else name
    if border:
        kinds = (border[2],) if border[2] else ("width", "style")
        targets = [f"border-{side}-{kind}" for side in _BORDER_SIDES[border[1]] for kind in kinds]
    elif name == "background":
        targets = ["background-color", "background-image"]
    elif name in _KEYWORDS or name in ("background-color", "background-image", "text-indent"):
        targets = [name]
    else:
        return []
    parts = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if not parts:
        return []
    first = parts[0]
    if len(parts) == 1 and first.type == "ident" and first.lower_value in _GLOBAL:
        word = first.lower_value
        inherit = {"inherit"} | ({"unset"} if name in _INHERITED else set())
        return [(t, "inherit" if word in inherit else "initial") for t in targets]
    if any(_uses_var(t) for t in parts):
        return [(t, "?") for t in targets]
    if border:
        return _border(targets, border[2], parts)
    if name in ("background", "background-color", "background-image"):
        values = {"background-color": _colour(parts), "background-image": _image(parts)}
        return [(t, values[t]) for t in targets]
    if name == "text-indent":
        negative = first.type in ("number", "dimension", "percentage") and first.value < 0
        return [(name, "-" if negative or first.type == "function" else "0")]
    if name == "position" and first.type == "function" and first.lower_name == "running":
        return [(name, "running")]
    words = [t.lower_value for t in parts if t.type == "ident"]
    if not words:
        return []
    if name == "overflow":
        return [(name, "visible" if set(words) == {"visible"} else "clip")]
    return [(name, words[0])]


def _border(targets: list[str], kind: str | None, parts: list[Any]) -> list[tuple[str, str]]:
    """border and border-SIDE (a width and a style each); border-width and border-style
    (a value per side, as CSS gives one to four)."""
    if kind is None:
        widths = [width for width in map(_width, parts) if width is not None]
        styles = [str(t.lower_value) for t in parts if t.type == "ident"]
        style = next((word for word in styles if word in _BORDER_STYLES), "none")
        return [(t, (widths or ["w"])[0] if t.endswith("-width") else style) for t in targets]
    found = [
        _width(t) if kind == "width" else (str(t.lower_value) if t.type == "ident" else None)
        for t in parts
    ]
    values = [value for value in found if value is not None]
    if len(values) != len(found) or not 1 <= len(values) <= 4:
        return []
    if len(targets) == 4:  # top, right, bottom, left
        order = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}
        return [(t, values[i]) for t, i in zip(targets, order[len(values)], strict=True)]
    return [(t, values[min(i, len(values) - 1)]) for i, t in enumerate(targets)]


def _width(token: Any) -> str | None:
    """A border width: "0", or "w" for any other; None: not a width."""
    if token.type in ("number", "dimension", "percentage"):
        return "0" if token.value == 0 else "w"
    if token.type == "ident" and token.lower_value in ("thin", "medium", "thick"):
        return "w"
    return None


def _colour(parts: list[Any]) -> str:
    """A background's colour: "paint", or "none" (none, or a transparent one)."""
    import tinycss2.color4

    for token in parts:
        colour = tinycss2.color4.parse_color(token)
        if colour is not None:
            return "paint" if isinstance(colour, str) or colour.alpha > 0 else "none"
    return "none"  # (str: currentcolor)


def _image(parts: list[Any]) -> str:
    """A background's image: "paint" (a URL, a gradient), or "none"."""
    import tinycss2.color4

    for token in parts:
        if token.type == "url" or (
            token.type == "function" and tinycss2.color4.parse_color(token) is None
        ):
            return "paint"
    return "none"


def _uses_var(token: Any) -> bool:
    if token.type != "function":
        return False
    if token.lower_name in ("var", "env", "attr"):
        return True
    return any(_uses_var(t) for t in token.arguments)


_SPACING = re.compile(
    r"(?:margin|padding)(?:-(?:top|right|bottom|left|inline|block))?(?:-start|-end)?"
)


def _harmless(name: str, tokens: Sequence[Any]) -> bool:
    """Whether a declaration leaves an inline box with no style of its own as it was."""
    if name.startswith("--") or name == "box-sizing":
        return True
    if _SPACING.fullmatch(name):
        return all(
            t.type in ("whitespace", "comment")
            or (t.type in ("number", "dimension", "percentage") and t.value == 0)
            for t in tokens
        )
    return False
