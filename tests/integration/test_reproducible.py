"""What WeasyPrint 70 writes differently from run to run (a random XMP DocumentID, a colour
profile re-serialised differently), made the same by render/pdf.py's finisher through the
public API (_stabilise). If WeasyPrint ever writes the same bytes by itself, the first test
here fails: then remove _stabilise."""

from __future__ import annotations

import io

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


def test_without_stabilising_the_print_variant_changes_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "_stabilise", lambda *args: None)
    first, second = print_pdfs()
    assert first != second


def test_the_xmp_document_id_and_the_output_intent_are_the_files_own() -> None:
    """The DocumentID is derived from the input (not a random uuid4), and the output
    intent's profile is the .icc file's own bytes (not Pillow's re-serialisation)."""
    import pikepdf

    first, _ = print_pdfs()
    profile = (load_layout().folder / "colour" / "FOGRA39L-300.icc").read_bytes()
    with pikepdf.open(io.BytesIO(first)) as document:
        intents = document.Root.OutputIntents
        assert intents[0].DestOutputProfile.read_bytes() == profile
        xmp = document.Root.Metadata.read_bytes()
    assert b"xmp.did:" in xmp
