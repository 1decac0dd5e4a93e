"""Pages that look designed whatever a city answered (issue 15): a running footer on one
line however long the city and country; a city a little too long set smaller on its pages
and one far too long flowing with no page left mostly empty, each named in the run; a city
that answered too little flowing onto one finished page, named with what it left out."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pikepdf
from support.extreme import CITY_40, EXTREME
from support.helpers import minimal_city, pdf_text, write_survey
from support.pdfcheck import BuildOf, Built, word_boxes

from snapshotpdf.batch.build import build
from snapshotpdf.batch.settings import Settings
from snapshotpdf.files import slug
from snapshotpdf.models import Inputs
from snapshotpdf.render.layout import load_layout

MM = 72 / 25.4
TOP, BOTTOM = 36 * MM, 17 * MM  # the page area's margins (snapshot.css @page)
LONG_COUNTRY = "República Bolivariana de los Estados Unidos del Hemisferio Occidental"


def footer_words(pdf: Path, page: int = 0) -> list[tuple[float, str]]:
    """(top, text) of every word in the bottom margin (17 mm) of a page."""
    _width, height, words = word_boxes(pdf)[page]
    return [(w.y0, w.text) for w in words if w.y0 > height - 17 * MM]


def test_a_long_city_and_country_keep_the_footer_on_one_line(tmp_path: Path) -> None:
    rows = [minimal_city(CITY_40, LONG_COUNTRY, mayor="Ana Alba", org_structure="A team.")]
    survey = write_survey(tmp_path / "s.xlsx", rows)
    build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out", jobs=0))
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    footer = footer_words(pdf)
    assert len({round(top) for top, _ in footer}) == 1, footer  # one line
    texts = [text for _, text in footer]
    assert texts[-4:] == ["Page", "1", "of", texts[-1]] and texts[-1].isdigit()
    title = " ".join(texts[:-4])
    assert title.startswith(f"City Innovation Snapshot · {CITY_40}, República")
    assert title.endswith("…") and LONG_COUNTRY not in title  # cut short, not wrapped
    assert f"{CITY_40.upper()}, {LONG_COUNTRY}" in pdf_text(pdf)  # whole in the band


def test_a_sparse_city_flows_onto_one_finished_page(sample_build: Built) -> None:
    """Kestrel Falls answered five of the eleven sections: one page, every section on it,
    not two mostly empty pages."""
    layout = load_layout()
    with pikepdf.open(sample_build.pdf("canada-kestrel-falls")) as pdf:
        assert len(pdf.pages) == 1
    text = pdf_text(sample_build.pdf("canada-kestrel-falls"))
    for heading in (
        "What is the city's innovation vision?",
        "What is the city's innovation approach?",
        "What funding is available?",
        "How is innovation helping the city?",
        "How are outcomes measured?",
    ):
        assert heading in text
    assert "Page 1 of 1" in text
    assert layout.pages == 2


def test_a_sparse_city_is_named_with_what_it_left_out(sample_build: Built) -> None:
    result = sample_build.result
    said = [p for p in result.warnings if "answered too little" in p.message]
    assert [p.city for p in said] == ["Kestrel Falls"]
    message = said[0].message
    assert message.startswith("Kestrel Falls answered too little to fill 2 pages: no answers for")
    assert "overview, structure, spotlight, partnerships, success, data" in message
    assert "(6 of 11 sections left out)" in message and "flow onto 1 page" in message
    report = json.loads((sample_build.outdir / "report.json").read_text(encoding="utf-8"))
    (row,) = [r for r in report["rows"] if r.get("city") == "Kestrel Falls"]
    assert any("answered too little" in w for w in row["warnings"])
    full = [p for p in result.warnings if p.city == "Lima"]
    assert full == []  # a city that answered everything gets no word


def body_size(pdf: Path) -> float:
    """The size most of a PDF's text is set in, in points (WeasyPrint writes CSS px)."""
    sizes: Counter[float] = Counter()
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    sizes[round(float(operands[1]) * 0.75, 2)] += 1
    return sizes.most_common(1)[0][0]


def page_fills(pdf: Path) -> list[float]:
    """How far down its page area each page's text reaches (0 to 1), the footer aside."""
    fills = []
    for _width, height, words in word_boxes(pdf):
        body = [w.y1 for w in words if w.y0 < height - BOTTOM and w.y0 > TOP]
        fills.append((max(body, default=TOP) - TOP) / (height - TOP - BOTTOM))
    return fills


def test_a_city_a_little_too_long_is_set_smaller_on_its_pages(sample_build: Built) -> None:
    """Port Ashcombe's spotlight makes it about a fifth too long: tighter spacing and 9 pt
    type keep it to its two pages (8 pt is the floor), and the run says so."""
    pdf = sample_build.pdf("united-kingdom-port-ashcombe")
    with pikepdf.open(pdf) as document:
        assert len(document.pages) == 2
    assert body_size(sample_build.pdf("peru-lima")) == 9.8  # as designed
    assert 8 <= body_size(pdf) < 9.8
    said = [p.message for p in sample_build.result.warnings if p.city == "Port Ashcombe"]
    assert said == [
        "Port Ashcombe is too long for 2 pages as designed: set with tighter spacing and 9 pt"
        " type to fit its 2 pages; shorten the longest answer, the spotlight (1,460 characters),"
        " to print it as designed"
    ]


def test_a_city_far_too_long_flows_with_no_page_under_half_full(built: BuildOf) -> None:
    """The extreme respondent answers everything at its longest, about twice what two pages
    hold: it flows onto further pages, and the last is not left mostly empty."""
    extreme = built("screen", "extreme")
    pdf = extreme.pdf(slug(str(EXTREME["country"]), str(EXTREME["city"])))
    fills = page_fills(pdf)
    assert len(fills) >= 3 and min(fills) >= 0.5, fills
    assert body_size(pdf) >= 8
    (said,) = [p.message for p in extreme.result.warnings if p.city == EXTREME["city"]]
    assert f"does not fit in 2 pages and takes {len(fills)}" in said
