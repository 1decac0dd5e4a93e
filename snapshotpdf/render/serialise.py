"""Each PDF object written once: the last touch before pydyf writes the file.

pydyf 0.13 (WeasyPrint's PDF writer) makes an object's bytes each time its `data` is
read, and reads every object's twice when the file has an identifier, as every file
snapshotpdf writes does (render/pdf.py: the same input gives the same bytes): once into
the file, once into the digest that becomes the trailer's /ID. Each content stream, font
and colour profile is deflated both times, at zlib's slowest level, 9. That was a tenth
of a screen PDF's writing, and in a print variant more than a quarter of the whole city:
the CMYK output intent's profile (181 KB), the same in every file, deflated twice a city.

Here each object's bytes are made once, and its streams deflated once, at zlib's default
level (6: files about 0.3% larger than at level 9, in about half the time); a large
stream already deflated in this process (that profile) is not deflated again. What the
file says is unchanged: the same objects, numbers, dictionaries and filters, only the
deflated bytes differ. The objects pydyf itself adds while writing (the document
information, the object stream, the cross-reference stream) it still writes its own way.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any

import pydyf

# zlib's default level: the level pydyf's level 9 took about twice as long for (deflate's
# longest searches pay off little on PDF content, fonts and profiles).
DEFLATE_LEVEL = 6
# Streams at least this long are remembered once deflated (below), by their bytes: in a
# build they are the ones every file shares (a colour profile). A city's own streams (its
# pages, its font subsets) are smaller and never the same twice.
SHARED_STREAM_BYTES = 64 * 1024
SHARED_STREAMS_KEPT = 4


class _Written(pydyf.Object):  # type: ignore[misc]
    """An object of the file as its bytes, made once: what pydyf reads of an object while
    writing (number, generation, free, compressible, data) and nothing else."""

    def __init__(self, original: Any, data: bytes) -> None:
        super().__init__()
        self.number = original.number
        self.generation = original.generation
        self.offset = original.offset
        self.free = original.free
        self._compressible = bool(original.compressible)
        self._data = data

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return self._compressible


def write_once(pdf: Any) -> None:
    """Every object of pdf (a pydyf.PDF about to be written) turned into its bytes, now
    and once; its streams deflated once, as pydyf would (the same /Filter), at
    DEFLATE_LEVEL. Run it last, when nothing changes any object any more: what an object
    refers to is written as its number, so the referring and referred objects may be
    turned in any order."""
    objects = pdf.objects
    for index, obj in enumerate(objects):
        if obj.free == "f" or isinstance(obj, _Written):
            continue
        if isinstance(obj, pydyf.Stream):
            _deflate_now(obj)
        objects[index] = _Written(obj, obj.data)


def _deflate_now(stream: Any) -> None:
    """A stream pydyf would deflate, deflated here instead, with the /Filter pydyf would
    give it. A stream already filtered is left as it is, as pydyf leaves it."""
    if not stream.compress or "Filter" in stream.extra:
        return
    raw = _raw(stream)
    if raw is None:
        return
    deflated = _deflate_shared(raw) if len(raw) >= SHARED_STREAM_BYTES else _deflate(raw)
    stream.stream = [deflated]
    stream.compress = False
    stream.extra["Filter"] = "/FlateDecode"


def _raw(stream: Any) -> bytes | None:
    """A stream's bytes before deflating, as pydyf makes them (it turns numbers and objects
    among a stream's parts into bytes its own way): an undeflated copy, written, is
    `<</Length N>>`, "stream", the N bytes and "endstream", one a line. None if it is not
    (then pydyf deflates the stream itself, as before)."""
    whole: bytes = pydyf.Stream(stream.stream).data
    head, found, rest = whole.partition(b"\nstream\n")
    raw = rest.removesuffix(b"\nendstream")
    if not found or len(raw) == len(rest) or head != pydyf.Dictionary({"Length": len(raw)}).data:
        return None
    return raw


def _deflate(raw: bytes) -> bytes:
    return zlib.compress(raw, DEFLATE_LEVEL)


@functools.lru_cache(maxsize=SHARED_STREAMS_KEPT)
def _deflate_shared(raw: bytes) -> bytes:
    return _deflate(raw)
