"""The longest realistic answers: nothing is clipped or overlaps, the content flows on in
reading order, and the run names the city and the sections that moved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.extreme import CITY_40, CROWDED, EXTREME, SPOTLIGHT_250
from support.helpers import pdf_text, squash
from support.pdfcheck import (
    HEADINGS,
    BuildOf,
    Word,
    assert_no_overlap_or_clipping,
    overlapping,
    page_texts,
    word_boxes,
)

from snapshotpdf.files import slug
from snapshotpdf.render.layout import load_layout


def extreme_pdf(built: BuildOf, variant: str, row: dict[str, object]) -> Path:
    return built(variant, "extreme").pdf(slug(str(row["country"]), str(row["city"])))


@pytest.mark.parametrize("variant", ["screen", "print"])
@pytest.mark.parametrize("row", [EXTREME, CROWDED], ids=["extreme", "crowded"])
def test_no_word_overlaps_another_or_leaves_the_page(
    built: BuildOf, variant: str, row: dict[str, object]
) -> None:
    assert_no_overlap_or_clipping(extreme_pdf(built, variant, row))


def test_the_overlap_check_sees_an_overlap() -> None:
    """The check above is not vacuous: text drawn over text is caught."""
    words = [Word(10, 10, 60, 20, "over"), Word(30, 12, 80, 22, "lapping")]
    assert overlapping(words)
    assert not overlapping([Word(10, 10, 60, 20, "side"), Word(61, 10, 90, 20, "by")])
    # Lines set tighter than the font's own height touch without overlapping.
    assert not overlapping([Word(10, 10, 60, 20, "one"), Word(10, 18, 60, 28, "two")])


def test_a_snapshot_that_needs_more_pages_is_reported_by_city_and_section(built: BuildOf) -> None:
    result = built("screen", "extreme").result
    warnings = {p.city: p.message for p in result.warnings if "does not fit" in p.message}
    assert set(warnings) == {CITY_40, CROWDED["city"]}  # the ordinary city fits
    message = warnings[CITY_40]
    assert message.startswith(f"{CITY_40} does not fit in 2 pages and takes 3")
    assert "moved to page 2" in message and "outcomes moved to page 3" in message
    assert "flowed onto 3 pages with tighter spacing and 8.5 pt type" in message
    assert "vision" in message and "shorten the longest answers" in message
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1
    layout = load_layout()
    moved = re.findall(r"(\w[\w, ]*) moved to page", message)
    assert moved and all(name in layout.sections for part in moved for name in part.split(", "))


def test_nothing_is_cut_and_everything_reads_in_order(built: BuildOf) -> None:
    path = extreme_pdf(built, "screen", EXTREME)
    text = pdf_text(path)
    for paragraph in SPOTLIGHT_250.split("\n\n"):
        assert squash(paragraph) in text
    for name in (EXTREME["mayor"], EXTREME["innovation_lead"]):
        assert squash(str(name)) in text.replace("- ", "-")
    assert "SAN CRISTÓBAL DE LOS ALTOS DEL VALLE SUR, Bosnia and Herzegovina" in text
    assert "datos-abiertos.san-cristobal-de-los-altos-del-valle-sur.example" in text.replace(
        " ", ""
    )
    # Every option of every question is there ("Legal Specialist" is the last staff skill).
    for label in (
        "Legal Specialist",
        "Experimentation and testing",
        "international organisations",
        "Responding to crises and emergencies",
        "a lack of funding",
    ):
        assert label in text
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions), "sections out of reading order"


def test_the_band_holds_a_long_name_on_every_page(built: BuildOf) -> None:
    """The city's name, at a smaller size, stays inside the header band of each page."""
    path = extreme_pdf(built, "screen", EXTREME)
    pages = word_boxes(path)
    assert len(pages) == 3
    band_bottom = 27 * 72 / 25.4  # the navy band is 27 mm high
    for _width, _height, words in pages:
        top = [w for w in words if w.y0 < band_bottom * 2]  # not the footer's
        name = [w for w in top if w.text in ("SAN", "CRISTÓBAL", "Herzegovina")]
        assert len(name) == 3
        assert all(w.y1 < band_bottom for w in name), name
    assert all("SAN CRISTÓBAL DE LOS ALTOS DEL VALLE SUR" in text for text in page_texts(path))
