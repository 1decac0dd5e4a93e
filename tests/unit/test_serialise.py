"""Each PDF object written once (render/serialise.py): the file says what pydyf would have
written, each stream is deflated once, and a large stream shared by the files of a build
is deflated once for all of them."""

from __future__ import annotations

import io
import zlib
from typing import Any

import pikepdf
import pydyf
import pytest

from snapshotpdf.render import serialise

IDENTIFIER = b"0123456789abcdef"


def _document() -> Any:
    """A small PDF as WeasyPrint hands it over: a page whose content stream mixes bytes,
    text, a number and an inline dictionary (a marked-content property list), a stream of
    bytes alone, one left undeflated, and one filtered already."""
    pdf = pydyf.PDF()
    content = pydyf.Stream(compress=True)
    content.stream = [
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET",
        "0.5 g",
        2.25,
        pydyf.Dictionary({"MCID": 0}),
        b"q 1 0 0 1 0 0 cm Q",
    ]
    pdf.add_object(content)
    fonts = pydyf.Stream([b"\x00\x01font bytes" * 300], {"Length1": 3300}, compress=True)
    pdf.add_object(fonts)
    plain = pydyf.Stream([b"<x:xmpmeta/>"], {"Type": "/Metadata", "Subtype": "/XML"})
    pdf.add_object(plain)
    already = pydyf.Stream([zlib.compress(b"raw")], {"Filter": "/FlateDecode"})
    pdf.add_object(already)
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": pdf.pages.reference,
            "MediaBox": pydyf.Array([0, 0, 612, 792]),
            "Contents": content.reference,
            "Extra": pydyf.Array([fonts.reference, plain.reference, already.reference]),
        }
    )
    pdf.add_page(page)
    return pdf


def _written(pdf: Any) -> bytes:
    out = io.BytesIO()
    pdf.write(out, b"1.7", IDENTIFIER, True)
    return out.getvalue()


def _streams(data: bytes) -> list[tuple[str, bytes]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            (str(obj.stream_dict.get("/Filter", "")), obj.read_bytes())
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
            and obj.stream_dict.get("/Type") not in ("/ObjStm", "/XRef")
        ]


def test_at_pydyfs_own_level_the_file_is_byte_for_byte_pydyfs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serialise, "DEFLATE_LEVEL", 9)  # pydyf 0.13 deflates at 9
    expected = _written(_document())
    made = _document()
    serialise.write_once(made)
    assert _written(made) == expected


def test_the_file_says_the_same_at_the_faster_level() -> None:
    expected = _written(_document())
    made = _document()
    serialise.write_once(made)
    data = _written(made)
    assert data != expected  # deflated otherwise
    assert _streams(data) == _streams(expected)  # the same streams, filters and bytes
    assert len(_streams(data)) == 4
    assert ("/FlateDecode", b"raw") in _streams(data)  # filtered already: as it was


def test_every_object_is_made_once_and_every_stream_deflated_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = _document()
    serialise.write_once(made)
    deflated: list[int] = []
    real = zlib.compressobj

    def deflating(*args: Any, **kwargs: Any) -> Any:
        deflated.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(zlib, "compressobj", deflating)
    made_bytes: list[int] = []
    real_data = pydyf.Dictionary.data

    def counted(self: Any) -> bytes:
        made_bytes.append(1)
        return real_data.fget(self)  # type: ignore[no-any-return]

    monkeypatch.setattr(pydyf.Dictionary, "data", property(counted))
    _written(made)
    # pydyf deflates only what it adds itself while writing: its object stream and its
    # cross-reference stream (the object stream twice: into the file and the identifier);
    # the dictionaries it makes are the stream's own and those two streams'.
    assert len(deflated) == 3
    assert all(isinstance(obj, serialise._Written) for obj in made.objects[1:-2])
    assert len(made_bytes) <= 6


def test_a_large_stream_every_file_shares_is_deflated_once_for_all() -> None:
    profile = bytes(range(256)) * (serialise.SHARED_STREAM_BYTES // 256 + 1)
    serialise._deflate_shared.cache_clear()
    for _ in range(3):
        pdf = _document()
        pdf.add_object(pydyf.Stream([profile], {"N": 4}, compress=True))
        serialise.write_once(pdf)
        assert _streams(_written(pdf))[-1][1] == profile
    info = serialise._deflate_shared.cache_info()
    assert (info.misses, info.hits) == (1, 2)
