"""The contrast of every text colour on what it is set on, from a snapshot's HTML and the
layout's CSS: the cascade for `color` and `background` worked out with tinycss2 and
cssselect2 (the CSS parser and selector matcher WeasyPrint itself uses), not by reading a
table someone keeps by hand. A rule that adds a pale text colour, or text on a new
background, is caught when a snapshot uses it.

WCAG 2.1 (1.4.3, AA): 4.5:1 for text. The list marks (::marker) are text too, the label
of their item in a tagged PDF. Icons are set as glyphs of the layout's icon font but are
graphics (a figure or an artifact in a tagged PDF), not text: they are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import cssselect2
import tinycss2
import tinyhtml5

AA = 4.5  # WCAG 1.4.3, text below 18 pt (14 pt bold)
PAGE = "#ffffff"  # the paper, under every background
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\b(white|black|transparent)\b")
_NAMED = {"white": "#ffffff", "black": "#000000"}
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


@dataclass(frozen=True)
class Pair:
    """Text of one colour on one background, where it was found."""

    where: str  # "li.fact-mayor > strong", "@page @bottom-left", "li::marker"
    colour: str  # #rrggbb
    background: str  # #rrggbb

    @property
    def ratio(self) -> float:
        return contrast(self.colour, self.background)


def luminance(colour: str) -> float:
    """WCAG relative luminance of an sRGB #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def _colour(value: str, variables: dict[str, str]) -> str | None:
    """The colour in a CSS value (#rgb, #rrggbb, white, var(--x)); "transparent" or None."""
    for _ in range(5):
        value = _VAR.sub(lambda m: variables.get(m[1], ""), value)
    found = _COLOUR.search(value)
    if not found:
        return None
    text = _NAMED.get(found[0], found[0]).lower()
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def _declarations(content: list[tinycss2.ast.Node]) -> dict[str, str]:
    return {
        d.lower_name: tinycss2.serialize(d.value).strip()
        for d in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True)
        if d.type == "declaration"
    }


class Cascade:
    """The rules of a stylesheet that decide text colours and backgrounds."""

    def __init__(self, css: str) -> None:
        self.matcher = cssselect2.Matcher()
        self.variables: dict[str, str] = {}
        self.margin_colours: dict[str, str] = {}  # @page margin box -> its text colour
        for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
            if rule.type == "qualified-rule":
                declarations = _declarations(rule.content)
                prelude = tinycss2.serialize(rule.prelude).strip()
                if prelude == ":root":
                    self.variables |= {k: v for k, v in declarations.items() if k.startswith("--")}
                for selector in cssselect2.compile_selector_list(rule.prelude):
                    self.matcher.add_selector(selector, declarations)
            elif rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content:
                for inner in tinycss2.parse_blocks_contents(
                    rule.content, skip_whitespace=True, skip_comments=True
                ):
                    if inner.type == "at-rule" and inner.content:
                        colour = _declarations(inner.content).get("color")
                        if colour:
                            self.margin_colours[f"@page @{inner.lower_at_keyword}"] = colour

    def pairs(self, html: str) -> Iterator[Pair]:
        """Every text colour on its background in the document, and the page's margins."""
        for where, value in self.margin_colours.items():
            colour = _colour(value, self.variables)
            assert colour and colour != "transparent", (where, value)
            yield Pair(where, colour, PAGE)
        root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))
        yield from self._walk(root, "#000000", PAGE)

    def _walk(self, element: cssselect2.ElementWrapper, colour: str, ground: str) -> Iterator[Pair]:
        own: dict[str, str] = {}
        marker: dict[str, str] = {}
        for _specificity, _order, pseudo, declarations in self.matcher.match(element):
            if pseudo is None:
                own |= declarations
            elif pseudo == "marker":
                marker |= declarations
        name = element.local_name
        if name in ("head", "style", "script", "title"):
            return
        if "color" in own and (found := _colour(own["color"], self.variables)):
            colour = found
        for key in ("background-color", "background"):
            found = _colour(own.get(key, ""), self.variables)
            if found and found != "transparent":
                ground = found
                break
        classes = element.etree_element.get("class", "").split()
        if "icon" in classes:
            return  # an icon's glyph (render/iconfont.py) is a graphic, not text to read
        where = name + "".join(f".{c}" for c in classes)
        texts = [element.etree_element.text or ""]
        texts += [child.tail or "" for child in element.etree_element]
        if any(t.strip() for t in texts):
            yield Pair(where, colour, ground)
        if "color" in marker and (found := _colour(marker["color"], self.variables)):
            yield Pair(f"{where}::marker", found, ground)
        for child in element.iter_children():
            yield from self._walk(child, colour, ground)
