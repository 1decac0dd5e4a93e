"""The box check's check copy and its findings (render/overflow.py), without rendering: the
copy is read back with the parser WeasyPrint uses, and the findings are made from pages
that are fakes with the anchors WeasyPrint gives (an element's rectangle by its id). The
copies rendered are tests/integration/test_overflowing_boxes.py's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import tinyhtml5

from snapshotpdf.render.overflow import PREFIX, WORD, CheckCopier, Overflow, overflowing

AREA = (0.0, 0.0, 400.0, 600.0)  # the page area of the fake pages, CSS px
MM = 96 / 25.4


def copy_of(tmp_path: Path, body: str, css: str = "", head: str = "") -> str:
    """The check copy of a document with this body, under a layout of this stylesheet."""
    sheet = tmp_path / "layout.css"
    sheet.write_text(css, encoding="utf-8")
    html = f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>"
    return CheckCopier([sheet], [tmp_path])(html)


def parsed(html: str) -> Any:
    return tinyhtml5.parse(html, namespace_html_elements=False)


def ids(copy: str) -> dict[str, str]:
    """The id of each element of a copy, by its own id, its class, its text and its tag
    (the first element of each)."""
    found: dict[str, str] = {}
    for element in parsed(copy).find("body").iter():
        made = str(element.get("id") or "")
        if not isinstance(element.tag, str) or element.tag == WORD or not made:
            continue
        own = [
            element.text,
            *(c.text for c in element if c.tag == WORD),
            *(c.tail for c in element),
        ]
        text = " ".join("".join(t or "" for t in own).split())  # its own, not its children's
        for name in (made, element.get("class"), text, element.tag):
            if name:
                found.setdefault(name, made)
    return found


def measured(copy: str) -> set[str]:
    """The names of the elements the copy's key has (module docstring: the key)."""
    return {unquote(record.split(",")[3]) for record in key_of(copy).split(";")[1:]}


def key_of(copy: str) -> str:
    head = parsed(copy).find("head")
    assert head is not None
    return str(head.get("id"))


@dataclass
class Page:
    anchors: dict[str, tuple[float, float, float, float]]


def page(copy: str, **rectangles: tuple[float, float, float, float]) -> Page:
    """A laid-out page of a copy: the page area, and these elements (by ids()'s names;
    __ for a space, _ for a hyphen) at these rectangles."""
    by_name = ids(copy)
    anchors = {key_of(copy): AREA}
    for name, rectangle in rectangles.items():
        anchors[by_name[name.replace("__", " ").replace("_", "-")]] = rectangle
    return Page(anchors)


def structure(element: Any, tail: str = "") -> Any:
    """An element as the layout sees it: tag, attributes but the check's, text, children,
    the words the check put apart back in their text."""
    attributes = {
        k: v
        for k, v in element.attrib.items()
        if not (k == "id" and str(v).startswith(PREFIX))
        and not (element.tag == "head" and k in ("id", "style"))
    }
    text, children, tails = element.text or "", [], list[str]()
    for child in element:
        if child.tag == WORD:
            joined = (child.text or "") + (child.tail or "")
            if tails:
                tails[-1] += joined
            else:
                text += joined
        else:
            children.append(child)
            tails.append(child.tail or "")
    kids = [structure(child, more) for child, more in zip(children, tails, strict=True)]
    return (element.tag, attributes, text, tail or element.tail or "", kids)


DOCUMENT = """<!DOCTYPE html>
<html lang="en" class="fit-tight"><head><meta charset="utf-8"><title>A &amp; B</title>
<style>p > b { color: red } /* </p> */</style></head>
<body><!-- a comment --><div id="own" class='a "b"'>Tom &amp; Jerry &lt;3 &nbsp;x</div>
<pre>
first line kept
  indented</pre>
<p>a<br>b<img src="x.png" alt="x &quot;y&quot;"><b>bold</b> tail</p>
<svg viewBox="0 0 10 10" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#s"/>
<linearGradient id="g"></linearGradient><text>1 &lt; 2</text></svg>
<table><tr><td>cell</td></tr></table><textarea>
text</textarea><script>if (a < b && c) {}</script></body></html>"""


def test_the_copy_is_the_same_document_with_ids(tmp_path: Path) -> None:
    copy = copy_of(tmp_path, "")
    sheet = tmp_path / "layout.css"
    copy = CheckCopier([sheet], [tmp_path])(DOCUMENT)
    assert copy.startswith("<!DOCTYPE html>")  # quirks mode or not, as the original
    assert structure(parsed(copy)) == structure(parsed(DOCUMENT))
    elements = [e for e in parsed(copy).find("body").iter() if isinstance(e.tag, str)]
    measured = [e for e in elements if e.tag not in ("br", "script")]
    assert all(e.get("id") for e in measured if not e.tag.startswith("{") or e.tag.endswith("}svg"))
    assert parsed(copy).find("body/div").get("id") == "own"  # its own id kept


def test_ids_made_are_none_the_layout_uses(tmp_path: Path) -> None:
    body = f'<p id="{PREFIX}-1">taken</p><p>mine</p><p id="dup">one</p><p id="dup">two</p>'
    copy = copy_of(tmp_path, body)
    made = ids(copy)
    assert made["taken"] == f"{PREFIX}-1"
    assert made["mine"].startswith(f"{PREFIX}---")  # PREFIX-- + "-N": none of the layout's
    assert key_of(copy).startswith(f"{PREFIX}--;")
    # the second element of an id is left unmeasured: its anchor would be the first's
    records = [map(unquote, record.split(",")) for record in key_of(copy).split(";")[1:]]
    assert [(own, name) for own, _parent, _flags, name, _text in records if name == "p#dup"] == [
        ("dup", "p#dup"),
        ("", "p#dup"),
    ]
    assert [o.box for o in overflowing([page(copy, one=(0, 0, 500, 10))])] == ["p#dup"]


def test_what_is_out_of_the_flow_or_clipped_has_no_id(tmp_path: Path) -> None:
    css = """
    .abs { position: absolute } .fixed { position: fixed }
    .run { position: running(header) } .clip { overflow: hidden }
    .static { position: static } .relative { position: relative }
    """
    body = """
    <div class="abs"><span class="in-abs">x</span></div><div class="fixed">x</div>
    <div class="run"><span class="in-run">x</span></div>
    <div class="clip"><span class="in-clip">x</span></div>
    <div class="static">x</div><div class="relative">x</div>
    """
    made = measured(copy_of(tmp_path, body, css))
    assert {"div.abs", "div.fixed", "div.run", "span.in-abs", "span.in-run"}.isdisjoint(made)
    assert "span.in-clip" not in made
    assert {"div.clip", "div.static", "div.relative"} <= made


@pytest.mark.parametrize(
    ("css", "body", "out_of_flow"),
    [
        # specificity, then order
        (".x { position: absolute } div { position: static }", '<div class="x">x</div>', True),
        ("div.x { position: static } .x { position: absolute }", '<div class="x">x</div>', False),
        (".x { position: absolute } .x { position: static }", '<div class="x">x</div>', False),
        # !important; a style attribute (1, 0, 0), before an id selector
        (
            ".x { position: absolute !important } #i { position: static }",
            '<div id="i" class="x">x</div>',
            True,
        ),
        (".x { position: absolute }", '<div class="x" style="position: static">x</div>', False),
        ("", '<div style="position: absolute">x</div>', True),
        # @media as WeasyPrint reads it: the media type, print
        ("@media screen { .x { position: absolute } }", '<div class="x">x</div>', False),
        ("@media print, screen { .x { position: absolute } }", '<div class="x">x</div>', True),
        # @layer: a layer weighs less than no layer, a later layer more
        (
            ".x { position: absolute } @layer a { .x { position: static } }",
            '<div class="x">x</div>',
            True,
        ),
        (
            "@layer a, b; @layer b { .x { position: absolute } }"
            " @layer a { .x { position: static } }",
            '<div class="x">x</div>',
            True,
        ),
        # nested rules, with & and without
        (".o { .x { position: absolute } }", '<div class="o"><div class="x">x</div></div>', True),
        (
            ".o { & > .x { position: absolute } }",
            '<div class="o"><span><i class="x">x</i></span></div>',
            False,
        ),
        ("div { &.x { position: fixed } }", '<div class="x">x</div>', True),
        # inherit, initial, var()
        (
            ".o { position: absolute } .x { position: inherit }",
            '<p class="o2"><span class="x">x</span></p>',
            False,
        ),
        (".x { position: absolute; position: initial }", '<div class="x">x</div>', False),
        (".x { position: var(--p) }", '<div class="x">x</div>', False),
        # what WeasyPrint leaves out: an unknown selector
        (".x:unknown-thing { position: absolute }", '<div class="x">x</div>', False),
    ],
)
def test_the_cascade_is_read_as_weasyprint_reads_it(
    tmp_path: Path, css: str, body: str, out_of_flow: bool
) -> None:
    made = measured(copy_of(tmp_path, body, css))
    assert any(".x" in name for name in made) is not out_of_flow


def test_the_documents_own_style_weighs_as_an_authors(tmp_path: Path) -> None:
    """The layout's stylesheets are HTML.render's: user origin, under the document's own
    <style> but over it when !important."""
    head = "<style>.x { position: absolute } .y { position: absolute !important }</style>"
    css = ".x { position: static } .y { position: static !important }"
    made = measured(copy_of(tmp_path, '<p class="x">x</p><p class="y">y</p>', css, head))
    assert "p.x" not in made and "p.y" in made
    imported = tmp_path / "more.css"
    imported.write_text(".z { position: fixed }", encoding="utf-8")
    made = measured(copy_of(tmp_path, '<p class="z">z</p>', '@import "more.css";'))
    assert "p.z" not in made


def finding(copy: str, **rectangles: tuple[float, float, float, float]) -> list[str]:
    return [str(found) for found in overflowing([page(copy, **rectangles)])]


def test_a_box_that_paints_and_runs_past_is_blamed_on_the_outermost_past(tmp_path: Path) -> None:
    css = ".wide { width: 200mm; background: #eee } .inner { border: 1px solid }"
    body = (
        '<main id="sheet"><div class="wide"><div class="inner"><p>Some text</p></div></div></main>'
    )
    copy = copy_of(tmp_path, body, css)
    inside = (10, 10, 390, 50)
    past = (10, 10, 400 + 30 * MM, 50)
    assert finding(copy, sheet=inside, wide=past, inner=past) == [
        "page 1: div.wide in #sheet runs 30.0 mm past the right edge of the page area"
    ]
    assert finding(copy, sheet=inside, wide=inside, inner=inside) == []
    # less than the tolerance past is rounding
    assert finding(copy, sheet=inside, wide=(10, 10, 400 + 0.4 * MM, 50)) == []


def test_what_paints_nothing_is_no_finding_by_itself(tmp_path: Path) -> None:
    css = "ul { margin: 0 -2mm; padding: 0 } li { padding: 0 2mm }"
    copy = copy_of(tmp_path, '<ul class="list"><li class="item"><span>in</span></li></ul>', css)
    out = (-2 * MM, 10, 400 + 2 * MM, 20)
    assert finding(copy, list=out, item=out, **{"in": (5, 10, 20, 20)}) == []
    # its text, when it runs past, is: blamed on the outermost element past the area
    assert finding(copy, list=out, item=out, **{"in": (5, 10, 420, 20)}) == [
        "page 1: ul.list ('in') runs 5.3 mm past the right edge of the page area"
    ]


def test_each_edge_and_one_finding_per_element_and_section(tmp_path: Path) -> None:
    body = '<section id="s"><p class="a">one</p><p class="a">two</p></section><p class="b">b</p>'
    copy = copy_of(tmp_path, body)
    by = ids(copy)
    anchors = {
        key_of(copy): AREA,
        by["s"]: (0, 0, 400, 100),
        by["one"]: (-10 * MM, 0, 100, 10),
        by["two"]: (-20 * MM, 20, 100, 30),
        by["b"]: (10, 590, 100, 600 + 5 * MM),
    }
    found = overflowing([Page(anchors), Page({key_of(copy): AREA, by["b"]: (10, -3 * MM, 100, 9)})])
    assert [str(f) for f in found] == [
        "page 1: p.a in #s ('one') runs 20.0 mm past the left edge of the page area",
        "page 1: p.b ('b') runs 5.0 mm past the bottom edge of the page area",
        "page 2: p.b ('b') runs 3.0 mm past the top edge of the page area",
    ]
    assert found[0] == Overflow(1, "p.a", "left", found[0].by_mm, "one", "s")
    assert found[0].by_mm == pytest.approx(20.0)


def test_a_word_that_cannot_break_is_measured_apart(tmp_path: Path) -> None:
    text = "Short words then averyveryverylongword and more"
    css = ".n { white-space: nowrap } .b { overflow-wrap: break-word } .i { text-indent: -5mm }"
    body = "".join(f'<p class="{name}">{text}</p>' for name in ("n", "w", "b", "i b"))
    copy = copy_of(tmp_path, body, css)
    words = {
        element.text: parsed_parent
        for parsed_parent in parsed(copy).iter()
        for element in parsed_parent
        if element.tag == WORD
    }
    assert {word: parent.get("class") for word, parent in words.items()} == {
        text: "n",  # nowrap: the whole run
        "averyveryverylongword": "w",  # the longest word
        "Short": "i b",  # the first word, before the box by a negative text-indent
    }
    mixed = copy_of(tmp_path, "<p>short <b>bold</b> words then alongerword, end</p>")
    assert [(w.text, w.tail) for p in parsed(mixed).iter("p") for w in p if w.tag == WORD] == [
        ("alongerword,", " end")  # the longest of all the paragraph's own text
    ]
    word = next(
        e for e in parsed(copy).iter() if e.tag == WORD and e.text == "averyveryverylongword"
    )
    by = ids(copy)
    # a word past, its paragraph inside: the paragraph is said, with the word
    found = overflowing(
        [Page({key_of(copy): AREA, by["w"]: (0, 0, 400, 40), word.get("id"): (300, 20, 430, 30)})]
    )
    assert [str(f) for f in found] == [
        "page 1: p.w ('averyveryverylongword') runs 7.9 mm past the right edge of the page area"
    ]


@pytest.mark.parametrize(
    ("css", "body", "put_apart"),
    [
        ("p { white-space: nowrap }", "<p>a long line <b>b</b> with words</p>", 2),
        # a rule that would select the word, and change its box
        ("p { white-space: nowrap } p > * { margin-left: 1mm }", "<p>a long line</p>", 0),
        ("p { white-space: nowrap } p :not(b) { color: red }", "<p>a long line</p>", 0),
        # one that changes nothing of it
        (
            "p { white-space: nowrap } * { box-sizing: border-box; margin: 0; --x: 1 }",
            "<p>a long line</p>",
            1,
        ),
        # what selects the element's children, the element, or what is around it
        (
            "p { white-space: nowrap } b:first-child { color: red }",
            "<p>a long <b>b</b> tail</p>",
            2,
        ),
        ("p { white-space: nowrap } b:last-child { color: red }", "<p>a long <b>b</b> tail</p>", 0),
        ("p { white-space: nowrap } p:has(> :nth-child(2)) { color: red }", "<p>a <b>b</b></p>", 0),
    ],
)
def test_no_word_is_put_where_a_selector_would_see_it(
    tmp_path: Path, css: str, body: str, put_apart: int
) -> None:
    copy = copy_of(tmp_path, body, css)
    assert sum(1 for element in parsed(copy).iter() if element.tag == WORD) == put_apart


def test_what_css_generates_has_its_anchor(tmp_path: Path) -> None:
    copy = copy_of(tmp_path, '<p class="g">x</p><p class="h">y</p>', "p.g::after { content: 'z' }")
    style = parsed(copy).find("head/style")
    assert style is not None and f'[id="{ids(copy)["g"]}"]::after' in style.text
    anchor = style.text.split('-weasy-anchor: "')[1].split('"')[0]
    by = ids(copy)
    found = overflowing(
        [Page({key_of(copy): AREA, by["g"]: (0, 0, 300, 10), anchor: (300, 0, 410, 10)})]
    )
    assert [str(f) for f in found] == [
        "page 1: p.g runs 2.6 mm past the right edge of the page area"
    ]


def test_a_document_that_is_no_check_copy_has_nothing_to_be_measured_by() -> None:
    assert overflowing([Page({"page-area": AREA, "overview": (0, 0, 900, 10)})]) == []
    assert overflowing([]) == []
