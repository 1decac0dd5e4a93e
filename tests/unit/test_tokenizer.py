"""tinyhtml5's character scans are built once, and the parse is the same
(render/tokenizer.py)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
import tinyhtml5
from tinyhtml5 import inputstream

from snapshotpdf.render import tokenizer

# Every kind of text the tokenizer scans: a doctype, text with entities and a NUL, attribute
# values in double, single and no quotes, a comment with dashes, a bogus comment, CDATA in
# SVG, white space between attributes and a tag name in capitals.
EVERY_SCAN = (
    '<!DOCTYPE html><html lang="fr"><head><title>Lima &amp; co</title></head><body>'
    "<p class=\"a b\" id='c' data-x=plain  >Text &lt; more&#x41; \x00 and <B>bold</B></p>"
    "<!-- a -- comment - here --><? bogus comment ?>"
    '<svg><![CDATA[ raw ] text ]]></svg><a href="https://example.org/?a=1&b=2">x</a>'
    "</body></html>"
)


def _tree(html: str) -> bytes:
    return ElementTree.tostring(tinyhtml5.parse(html))


def test_every_scan_of_a_document_is_found_once_primed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    assert tokenizer.primed() == len(tokenizer.tokenizer_scans(frozenset(), frozenset()))
    assert tokenizer.primed() == 0  # filed already
    missed: list[tuple[Any, bool]] = []
    real = inputstream.HTMLUnicodeInputStream.chars_until

    def watched(self: Any, characters: Any, opposite: bool = False) -> str:
        if (characters, opposite) not in inputstream.characters_until_regex:
            missed.append((characters, opposite))
        return real(self, characters, opposite)

    monkeypatch.setattr(inputstream.HTMLUnicodeInputStream, "chars_until", watched)
    _tree(EVERY_SCAN)
    assert missed == []


def test_the_parse_is_the_same_primed_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    unprimed = _tree(EVERY_SCAN)
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    tokenizer.primed()
    assert _tree(EVERY_SCAN) == unprimed
    assert b"Lima &amp; co" in unprimed and b'data-x="plain"' in unprimed


def test_a_tinyhtml5_unlike_the_one_known_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(inputstream, "characters_until_regex")
    assert tokenizer.primed() == 0

    def broken(self: Any, characters: Any, opposite: bool = False) -> str:
        raise TypeError("another signature")

    cache: dict[Any, Any] = {}
    monkeypatch.setattr(inputstream, "characters_until_regex", cache, raising=False)
    monkeypatch.setattr(inputstream.HTMLUnicodeInputStream, "chars_until", broken)
    assert tokenizer.primed() == 0
    assert inputstream.characters_until_regex is cache and cache == {}
