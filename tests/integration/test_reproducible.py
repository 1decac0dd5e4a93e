"""The two places snapshotpdf reaches past WeasyPrint's public API (render/pdf.py), each
kept only because the output is not byte-reproducible without it. If WeasyPrint ever makes
one unnecessary, its test here fails: then remove the reach-in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from support.helpers import FIXTURES

from snapshotpdf.render import pdf
from snapshotpdf.render.layout import load_layout


def print_pdfs() -> tuple[bytes, bytes]:
    """A small document rendered twice in the print variant (PDF/X-4: an XMP DocumentID
    and an output intent carrying the layout's CMYK profile) by one maker, as a worker
    renders one city after another."""
    layout = load_layout()
    maker = pdf.PdfMaker.for_layout(layout, "print")
    html = (FIXTURES / "tiny.html").read_text(encoding="utf-8")
    return maker.render(html).data, maker.render(html).data


def test_with_both_the_print_variant_is_byte_reproducible() -> None:
    first, second = print_pdfs()
    assert first == second


def test_without_the_stable_uuid_the_xmp_document_id_changes_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @contextlib.contextmanager
    def random_uuid(identifier: bytes) -> Iterator[None]:
        yield

    monkeypatch.setattr(pdf, "_stable_uuid", random_uuid)
    first, second = print_pdfs()
    assert first != second


def test_without_the_stable_profile_the_output_intent_changes_after_the_first_pdf(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf._StableProfile, "adopt", classmethod(lambda cls, *args: None))
    first, second = print_pdfs()
    assert first != second
