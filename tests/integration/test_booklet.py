"""The conference booklet: cover, contents with page numbers, every city in order (by
country, then city), continuous page numbers, one bookmark per city, in every variant."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from support.extreme import CITY_40, EXTREME
from support.helpers import minimal_city, write_survey
from support.pdfcheck import (
    AUTHOR,
    assert_no_overlap_or_clipping,
    assert_only_bundled_fonts_embedded,
    outline,
    page_texts,
    qpdf_check,
    untagged_operations,
)
from typer.testing import CliRunner

from snapshotpdf.batch.booklet import BookletSettings, make_booklet
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.cli.app import app
from snapshotpdf.models import Inputs

ROWS = [
    minimal_city("Zeta", "Austria", mayor="Zoe Zeller"),
    EXTREME,  # Bosnia and Herzegovina: three pages
    minimal_city("Alpha", "Chile"),
    minimal_city("Żabno", "Austria"),  # sorts with the Z's, not after them
    minimal_city("Beta", "Austria"),
]
ORDER = [
    ("Beta", "Austria"),
    ("Żabno", "Austria"),  # as Zabno: before Zeta
    ("Zeta", "Austria"),
    (CITY_40, "Bosnia and Herzegovina"),
    ("Alpha", "Chile"),
]
FIRST_PAGES = [3, 5, 7, 9, 13]  # cover 1, contents 2; the extreme city takes 4 pages
TOTAL = 14


Booklet = Callable[[str], tuple[BuildResult, Path]]


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def booklet(tmp_path_factory: pytest.TempPathFactory) -> Booklet:
    """booklet(variant): the conference booklet of ROWS in that variant, made once."""
    made: dict[str, tuple[BuildResult, Path]] = {}

    def get(variant: str) -> tuple[BuildResult, Path]:
        if variant not in made:
            folder = tmp_path_factory.mktemp(f"booklet-{variant}")
            survey = write_survey(folder / "conference.xlsx", ROWS)
            settings = BookletSettings(
                inputs=Inputs(survey=survey),
                output=folder / "booklet.pdf",
                variant=variant,
                author=AUTHOR,
            )
            made[variant] = make_booklet(settings), settings.output
        return made[variant]

    return get


def test_cities_in_order_by_country_then_city_with_their_first_pages(booklet: Booklet) -> None:
    result, _ = booklet("screen")
    assert [(r.city, r.country) for r, _ in result.starts] == ORDER
    assert [page for _, page in result.starts] == FIRST_PAGES
    assert result.pages == TOTAL
    assert result.summary().startswith("5 data row(s): 5 cities on 14 pages")


def test_cover_then_contents_with_page_numbers(booklet: Booklet) -> None:
    _, path = booklet("screen")
    pages = page_texts(path)
    assert len(pages) == TOTAL
    assert "City Innovation Snapshots" in pages[0] and f"Prepared by {AUTHOR}" in pages[0]
    assert "5 cities in 3 countries" in pages[0]
    contents = pages[1]
    assert contents.startswith("Contents")
    for (city, _country), page in zip(ORDER, FIRST_PAGES, strict=True):
        assert re.search(rf"{re.escape(city)}[ .]*\b{page}\b", contents), (city, contents)
    # Each city begins where the contents say: its band is on that page.
    for (city, _country), page in zip(ORDER, FIRST_PAGES, strict=True):
        assert city.upper() in pages[page - 1], (city, page)


def test_page_numbers_run_on_through_the_booklet(booklet: Booklet) -> None:
    _, path = booklet("screen")
    for number, text in enumerate(page_texts(path), 1):
        if number == 1:
            assert "Page" not in text  # the cover has no footer
            continue
        assert re.search(rf"\bPage {number}\b", text), (number, text[-120:])
        assert " of " not in text[-40:], (number, text[-40:])  # no per-city "of 2"


def test_one_bookmark_per_city_with_its_sections(booklet: Booklet) -> None:
    _, path = booklet("screen")
    with pikepdf.open(path) as pdf:
        tree = outline(pdf)
        assert [title for title, _ in tree] == [f"{city}, {country}" for city, country in ORDER]
        assert all("What is the city's innovation vision?" in sections for _, sections in tree)
        with pdf.open_outline() as items:
            targets = [
                pikepdf.Page(item.destination[0]).index + 1
                if isinstance(item.destination, pikepdf.Array)
                else None
                for item in items.root
            ]
    assert targets == FIRST_PAGES


def test_a_city_that_does_not_fit_is_reported_in_the_booklet_too(booklet: Booklet) -> None:
    result, _ = booklet("screen")
    warnings = [p for p in result.warnings if "does not fit" in p.message]
    assert [p.city for p in warnings] == [CITY_40]
    assert "outcomes moved to page 4" in warnings[0].message


@pytest.mark.parametrize("variant", ["screen", "print", "archive"])
def test_booklet_is_sound_in_every_variant(booklet: Booklet, variant: str) -> None:
    result, path = booklet(variant)
    assert result.exit_code() == 0
    assert not [p for p in result.problems if "renderer:" in p.message]
    qpdf_check(path)
    assert_only_bundled_fonts_embedded(path)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == TOTAL
        assert str(pdf.docinfo["/Title"]) == "City Innovation Snapshots: 5 cities"
        assert str(pdf.docinfo["/Author"]) == AUTHOR
        assert str(pdf.Root.Lang) == "en"
        if variant == "screen":
            assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            assert untagged_operations(pdf) == []
        if variant == "print":
            assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
            for page in pdf.pages:
                trim, bleed = page.obj.TrimBox, page.obj.BleedBox
                assert float(trim[0]) - float(bleed[0]) == pytest.approx(3 * 72 / 25.4, abs=0.01)
        if variant == "archive":
            assert pdf.open_metadata()["pdfaid:part"] == "3"
            names = sorted(pdf.attachments)
            assert len(names) == 5 and "austria-beta.json" in names


def test_booklet_pages_do_not_overlap(booklet: Booklet) -> None:
    _, path = booklet("screen")
    assert_no_overlap_or_clipping(path)


def test_booklet_command(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:4])
    out = tmp_path / "out" / "booklet.pdf"
    done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(out), "-q"])
    assert done.exit_code == 0, done.output
    assert "2 cities on 6 pages" in done.output
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 6
    empty = write_survey(tmp_path / "empty.xlsx", [minimal_city(None, "Chile")])
    done = CliRunner().invoke(app, ["booklet", str(empty), "-o", str(out), "-q"])
    assert done.exit_code == 2 and "no valid city" in done.output
