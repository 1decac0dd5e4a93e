"""JSON documents with one long list (a manifest's cities, a run report's rows), made a
piece at a time: the very text of json.dumps(document, ensure_ascii=False, indent=2) + "\\n",
without holding every item of the list, nor the text twice, so that what a build writes at
its end costs no memory in proportion to the number of cities."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

_ITEM = "\n    "  # where an item of a top-level list starts, with indent=2
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)  # json.dumps's, made once


def pieces(document: dict[str, object], key: str, items: Iterable[object]) -> Iterator[str]:
    """The text of document with items as its value at key (in key's place when document
    has it, else last), piece by piece, each item dumped as it comes."""
    text = json.dumps({**document, key: []}, ensure_ascii=False, indent=2) + "\n"
    # A newline inside a JSON string is escaped: this is the key's own line.
    marker = f"\n  {json.dumps(key, ensure_ascii=False)}: "
    at = text.index(marker + "[]") + len(marker)
    yield text[:at]
    empty = True
    for item in items:
        body = _ENCODER.encode(item).replace("\n", _ITEM)
        yield ("[" if empty else ",") + _ITEM + body
        empty = False
    yield ("[]" if empty else "\n  ]") + text[at + 2 :]


def encode(parts: Iterable[str]) -> bytes:
    """The pieces as one UTF-8 text, gathered without a second copy of the whole."""
    buffer = io.BytesIO()
    for part in parts:
        buffer.write(part.encode("utf-8"))
    return buffer.getvalue()
