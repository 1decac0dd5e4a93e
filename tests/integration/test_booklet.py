"""The conference booklet: cover, contents that link to each city, every city in order (by
country, then city) on facing pages, blank pages where a press needs them, a back cover,
continuous page numbers, one bookmark per city, in every variant.

The approved images of its first spreads (tests/approved/booklet-*.png) are written by
`make approve` (SNAPSHOTPDF_APPROVE=1 on this file's approved-look test) after a deliberate
change of its look: look at them, then commit them with the change."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from support.extreme import CITY_40, EXTREME
from support.helpers import minimal_city, write_survey
from support.pdfcheck import (
    AUTHOR,
    assert_no_overlap_or_clipping,
    assert_only_bundled_fonts_embedded,
    colour_operators,
    outline,
    page_texts,
    qpdf_check,
    struct_elements,
    untagged_operations,
)
from support.visual import mismatches, page_path, rasterise, save_approved
from typer.testing import CliRunner

from snapshotpdf.batch.booklet import (
    BookletSettings,
    Cover,
    make_booklet,
    paginate,
)
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.cli.app import app
from snapshotpdf.limits import MAX_LOGO_BYTES
from snapshotpdf.models import Inputs
from snapshotpdf.reporter import Recorder

ROWS = [
    minimal_city("Zeta", "Austria", mayor="Zoe Zeller"),
    EXTREME,  # Bosnia and Herzegovina: three pages, flowing (set smaller)
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
# Cover 1, its blank back 2, contents 3; every city on an even page. The small cities
# answered little: one finished page each (as build makes them), a blank page after it; the
# extreme city takes 3 pages and a blank; Alpha is on 14 and the back cover is 16, a
# multiple of 4.
FIRST_PAGES = [4, 6, 8, 10, 14]
BLANK_PAGES = [2, 5, 7, 9, 13, 15]
TOTAL = 16
YEAR = 2031
# A logo in CMYK, as a print shop wants it (device-cmyk colours).
CMYK_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80"
  viewBox="0 0 240 80">
  <rect width="80" height="80" rx="12" fill="device-cmyk(0 0.9 0.85 0.1)"/>
  <circle cx="40" cy="40" r="22" fill="device-cmyk(0 0 0 0)"/>
  <rect x="95" y="28" width="130" height="24" fill="device-cmyk(0.7 0.5 0.3 0.8)"/>
</svg>
"""


Booklet = Callable[[str], tuple[BuildResult, Path]]


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def booklet(tmp_path_factory: pytest.TempPathFactory) -> Booklet:
    """booklet(variant): the conference booklet of ROWS in that variant, with a year and a
    logo on its cover, made once."""
    made: dict[str, tuple[BuildResult, Path]] = {}

    def get(variant: str) -> tuple[BuildResult, Path]:
        if variant not in made:
            folder = tmp_path_factory.mktemp(f"booklet-{variant}")
            survey = write_survey(folder / "conference.xlsx", ROWS)
            logo = folder / "logo.svg"
            logo.write_text(CMYK_LOGO, encoding="utf-8")
            settings = BookletSettings(
                inputs=Inputs(survey=survey),
                output=folder / "booklet.pdf",
                variant=variant,
                author=AUTHOR,
                cover=Cover(year=YEAR, logo=logo),
            )
            made[variant] = make_booklet(settings), settings.output
        return made[variant]

    return get


@pytest.fixture(scope="session")
def sample_booklet(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    """The bundled sample's booklet (26 cities, Port Ashcombe on three pages), screen."""
    output = tmp_path_factory.mktemp("sample-booklet") / "booklet.pdf"
    return make_booklet(BookletSettings(output=output)), output


def destination_pages(path: Path, number: int) -> list[int]:
    """The page each link of page `number` leads to, in the order of the page's links: a
    named destination of the document, resolved to its page."""
    with pikepdf.open(path) as pdf:
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages = []
        for annotation in pdf.pages[number - 1].obj.get("/Annots", []):
            assert annotation.Subtype == "/Link" and "/A" not in annotation
            destination = names[str(annotation.Dest)]
            pages.append(pikepdf.Page(destination[0]).index + 1)
        return pages


# --- the order and the pages -------------------------------------------------------------


def test_cities_in_order_by_country_then_city_with_their_first_pages(booklet: Booklet) -> None:
    result, _ = booklet("screen")
    assert [(r.city, r.country) for r, _ in result.starts] == ORDER
    assert [page for _, page in result.starts] == FIRST_PAGES
    assert result.pages == TOTAL
    assert result.summary().startswith("5 data row(s): 5 cities on 16 pages")


@pytest.mark.parametrize(
    ("contents", "lengths", "starts", "blanks", "pages"),
    [
        (1, [2, 2], (4, 6), (2,), 8),  # the back cover on 8, right after the last city
        (1, [2], (4,), (2, 6, 7), 8),  # two blank pages make up the sheet
        (2, [2], (6,), (2, 5), 8),  # contents on 3 and 4: the city after a blank page
        (1, [3, 2], (4, 8), (2, 7, 10, 11), 12),  # a blank page after a city of three
        (1, [4, 2], (4, 8), (2, 10, 11), 12),  # four pages: the next one still on the left
    ],
)
def test_pagination_for_a_press(
    contents: int, lengths: list[int], starts: tuple[int, ...], blanks: tuple[int, ...], pages: int
) -> None:
    pagination = paginate(contents, lengths)
    assert (pagination.starts, pagination.blanks, pagination.pages) == (starts, blanks, pages)
    assert pagination.pages % 4 == 0 and all(page % 2 == 0 for page in pagination.starts)


def test_the_sample_booklet_is_ready_for_a_press(
    sample_booklet: tuple[BuildResult, Path],
) -> None:
    result, path = sample_booklet
    pages = page_texts(path)
    assert len(pages) == result.pages and result.pages % 4 == 0
    starts = {record.city: page for record, page in result.starts}
    assert len(starts) == 26
    # Each city on a left-hand page, facing its second page.
    assert all(page % 2 == 0 for page in starts.values()), starts
    # The contents on one page (3), the first city on the next.
    assert pages[2].startswith("Contents") and min(starts.values()) == 4
    # Port Ashcombe, a little too long, is set smaller on its two pages (as build sets
    # it), and the next city follows at once; Kestrel Falls, sparse, takes one page and a
    # blank page follows. (A city flowing onto three: the conference booklet below.)
    ashcombe, kestrel = starts["Port Ashcombe"], starts["Kestrel Falls"]
    assert all("PORT ASHCOMBE" in pages[ashcombe - 1 + k] for k in range(2))
    assert ashcombe + 2 in starts.values()
    assert "KESTREL FALLS" in pages[kestrel - 1] and pages[kestrel] == ""
    # Blank pages are blank: no page number either.
    following = sorted(starts.values())
    last_city_end = following[-1] + 1  # two pages
    blanks = sorted([2, kestrel + 1, *range(last_city_end + 1, result.pages)])
    assert [n for n, text in enumerate(pages, 1) if not text] == blanks
    # Every contents line links to its city's first page (the city, then its number).
    ordered = [page for _, page in result.starts]
    assert destination_pages(path, 3) == [page for page in ordered for _ in range(2)]


def test_cover_then_blank_page_then_contents_with_page_numbers(booklet: Booklet) -> None:
    _, path = booklet("screen")
    pages = page_texts(path)
    assert len(pages) == TOTAL
    cover = pages[0]
    assert "City Innovation Snapshots" in cover and str(YEAR) in cover
    assert f"Prepared by {AUTHOR}" in cover and "5 cities in 3 countries" in cover
    assert [n for n, text in enumerate(pages, 1) if not text] == BLANK_PAGES
    contents = pages[2]
    assert contents.startswith("Contents")
    for (city, _country), page in zip(ORDER, FIRST_PAGES, strict=True):
        assert re.search(rf"{re.escape(city)}[ .]*\b{page}\b", contents), (city, contents)
    # Each city begins where the contents say: its band is on that page.
    for (city, _country), page in zip(ORDER, FIRST_PAGES, strict=True):
        assert city.upper() in pages[page - 1], (city, page)
    back = pages[-1]
    assert back == f"City Innovation Snapshots {YEAR} Prepared by {AUTHOR}"


def test_page_numbers_run_on_through_the_booklet(booklet: Booklet) -> None:
    """Every page counts; the covers and blank pages show no number."""
    _, path = booklet("screen")
    for number, text in enumerate(page_texts(path), 1):
        if number in (1, *BLANK_PAGES, TOTAL):
            assert "Page" not in text, number
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
    assert "takes 3" in warnings[0].message and "outcomes moved to page 3" in warnings[0].message
    assert "flowed onto 3 pages with tighter spacing and 8.5 pt type" in warnings[0].message


# --- the contents link to the cities ------------------------------------------------------


@pytest.mark.parametrize("variant", ["screen", "print", "archive"])
def test_each_line_of_the_contents_links_to_its_citys_first_page(
    booklet: Booklet, variant: str
) -> None:
    _, path = booklet(variant)
    assert destination_pages(path, 3) == [page for page in FIRST_PAGES for _ in range(2)]
    with pikepdf.open(path) as pdf:  # nothing to click on the covers and blank pages
        assert not [n for n in (1, *BLANK_PAGES, TOTAL) if "/Annots" in pdf.pages[n - 1].obj]


@pytest.mark.parametrize("variant", ["screen", "archive"])
def test_each_link_of_the_contents_is_tagged_as_a_link(booklet: Booklet, variant: str) -> None:
    """PDF/UA: each link annotation belongs to a Link element, which holds its text and
    refers to it; nothing in the booklet is painted outside the tags."""
    _, path = booklet(variant)
    with pikepdf.open(path) as pdf:
        parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        for annotation in pdf.pages[2].obj.Annots:
            element = parents[int(annotation.StructParent)]
            assert element.S == "/Link"
            kids = list(element.K)
            assert any(
                isinstance(k, pikepdf.Dictionary) and k.Obj.objgen == annotation.objgen
                for k in kids
                if isinstance(k, pikepdf.Dictionary) and "/Obj" in k
            )
            assert any(isinstance(k, int) for k in kids)  # its words
            assert str(annotation.Contents)  # the alternate description PDF/UA asks for
        assert untagged_operations(pdf) == []
        figures = [e for kind, e, _ in struct_elements(pdf) if kind == "/Figure"]
        assert f"Logo of {AUTHOR}" in [str(f.get("/Alt")) for f in figures]


# --- every variant ------------------------------------------------------------------------


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
            # Every page, the covers and blank pages too, trimmed with 3 mm of bleed.
            for page in pdf.pages:
                trim, bleed = page.obj.TrimBox, page.obj.BleedBox
                assert float(trim[0]) - float(bleed[0]) == pytest.approx(3 * 72 / 25.4, abs=0.01)
                assert float(bleed[3]) - float(trim[3]) == pytest.approx(3 * 72 / 25.4, abs=0.01)
            # Nothing in RGB: covers, contents, blank pages and the (CMYK) logo.
            assert not colour_operators(pdf) & {"rg", "RG"}
        if variant == "archive":
            assert pdf.open_metadata()["pdfaid:part"] == "3"
            names = sorted(pdf.attachments)
            assert len(names) == 5 and "austria-beta.json" in names


def test_booklet_pages_do_not_overlap(booklet: Booklet, tmp_path: Path) -> None:
    """Every page with words (the blank ones have none, by design)."""
    _, path = booklet("screen")
    worded = tmp_path / "worded.pdf"
    with pikepdf.open(path) as pdf:
        for number in sorted(BLANK_PAGES, reverse=True):
            del pdf.pages[number - 1]
        pdf.save(worded)
    assert_no_overlap_or_clipping(worded)


# --- the command and its cover options ----------------------------------------------------


def test_booklet_command(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:4])
    out = tmp_path / "out" / "booklet.pdf"
    done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(out), "-q"])
    assert done.exit_code == 0, done.output
    assert "2 cities on 8 pages" in done.output  # cover, blank, contents, 4, 6, back
    pages = page_texts(out)
    assert len(pages) == 8 and [n for n, text in enumerate(pages, 1) if not text] == [2, 5, 7]
    # No author, no year given: the covers name neither ("Prepared by snapshotpdf" no more).
    assert "Prepared by" not in pages[0] and "Prepared by" not in pages[-1]
    assert pages[-1] == "City Innovation Snapshots"
    with pikepdf.open(out) as pdf:
        assert "/Author" not in pdf.docinfo
    empty = write_survey(tmp_path / "empty.xlsx", [minimal_city(None, "Chile")])
    done = CliRunner().invoke(app, ["booklet", str(empty), "-o", str(out), "-q"])
    assert done.exit_code == 2 and "no valid city" in done.output


def test_the_covers_say_what_the_options_say_in_the_booklets_language(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:3])
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (200, 40, 40)).save(logo)
    out = tmp_path / "booklet.pdf"
    options = ["--title", "Urban Futures Summit", "--subtitle", "Delegates' edition"]
    options += ["--year", "2031", "--logo", str(logo), "--author", "City Lab", "--lang", "fr"]
    done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(out), "-q", *options])
    assert done.exit_code == 0, done.output
    pages = page_texts(out)
    assert len(pages) == 8 and [n for n, text in enumerate(pages, 1) if not text] == [2, 5, 6, 7]
    assert pages[0] == "2031 Urban Futures Summit Delegates' edition Réalisé par City Lab"
    assert pages[-1] == "Urban Futures Summit 2031 Réalisé par City Lab"
    assert pages[2].startswith("Table des matières") and "Urban Futures Summit" in pages[2]
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Urban Futures Summit"
        assert str(pdf.docinfo["/Author"]) == "City Lab"
        images = [x for x in pdf.pages[0].get_images().values() if x.Width == 300]
        assert len(images) == 1  # the logo, embedded from the file
        alts = [str(e.get("/Alt")) for kind, e, _ in struct_elements(pdf) if kind == "/Figure"]
        assert "Logo de City Lab" in alts


def test_an_svg_logo_is_read_alone_and_a_print_booklet_says_it_is_rgb(tmp_path: Path) -> None:
    """What an SVG logo names (a file beside it, any other file) is never read; in a print
    variant an RGB logo is a warning about the run (the print shop may convert it)."""
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:3])
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100">'
        '<rect width="300" height="100" fill="#22aa77"/>'
        '<image href="secret.png" width="50" height="50"/>'
        '<image href="file:///etc/hostname" width="50" height="50"/></svg>',
        encoding="utf-8",
    )
    recorder = Recorder()
    settings = BookletSettings(
        inputs=Inputs(survey=survey),
        output=tmp_path / "booklet.pdf",
        variant="print",
        cover=Cover(logo=logo),
    )
    result = make_booklet(settings, recorder)
    assert result.exit_code() == 0
    notices = [message for _, message in recorder.notices]
    assert len(notices) == 1 and "logo logo.svg: printed in its own colours, RGB" in notices[0]
    refused = [p.message for p in result.warnings if "renderer:" in p.message]  # counted
    assert len(refused) == 2, refused
    for name in ("secret.png", "/etc/hostname"):
        assert any(name in n and "fetches only layout and font files" in n for n in refused)
    with pikepdf.open(settings.output) as pdf:
        assert not pdf.pages[0].get_images()


def _bad_logos(folder: Path) -> dict[str, tuple[str, str]]:
    """--logo value -> what the error says, for logos that are no logo."""
    (folder / "logo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a JPEG")
    (folder / "fake.png").write_text("not a PNG at all", encoding="utf-8")
    (folder / "text.svg").write_text("<html>no svg here</html>", encoding="utf-8")
    (folder / "bomb.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
        encoding="utf-8",
    )
    with (folder / "huge.svg").open("wb") as f:  # sparse: no disk used
        f.write(b"<svg>")
        f.truncate(MAX_LOGO_BYTES + 1024 * 1024)
    huge = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\x0dIHDR" + (60_000).to_bytes(4, "big") * 2
    (folder / "pixels.png").write_bytes(huge + b"\x08\x06\0\0\0")
    # The renderer leaves these out of the cover without a word: they are refused first.
    (folder / "cut.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect', "utf-8")
    (folder / "page.svg").write_text("<html><!-- <svg> --><p>a page</p></html>", "utf-8")
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(png, "PNG")
    damaged = bytearray(png.getvalue())
    at = damaged.index(b"IDAT") + 8
    damaged[at : at + 8] = b"\xff" * 8
    (folder / "damaged.png").write_bytes(bytes(damaged))
    return {
        str(folder / "missing.svg"): ("no such file", "give the path of the logo"),
        str(folder): ("not a file", "give the path of the logo"),
        "https://example.com/logo.svg": ("https://example.com/logo.svg: a web address", "save"),
        str(folder / "logo.jpg"): ("an SVG or PNG file, not .jpg", "save the logo as SVG"),
        str(folder / "fake.png"): ("not a PNG image", "save the logo again"),
        str(folder / "text.svg"): ("not an SVG image", "save the logo again"),
        str(folder / "bomb.svg"): ("a DOCTYPE or entities", "save the logo again"),
        str(folder / "huge.svg"): ("3 MB, more than a logo may be (2 MB)", "save it smaller"),
        str(folder / "pixels.png"): ("60000 x 60000 pixels", "save the logo again"),
        str(folder / "cut.svg"): ("its XML cannot be read", "save the logo again"),
        str(folder / "page.svg"): ("its root element is not <svg>", "save the logo again"),
        str(folder / "damaged.png"): ("a damaged PNG image", "save the logo again"),
    }


def test_a_logo_that_is_no_logo_is_an_error_before_anything_is_read(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:3])
    out = tmp_path / "out" / "booklet.pdf"
    folder = tmp_path / "logos"
    folder.mkdir()
    for logo, (says, hint) in _bad_logos(folder).items():
        done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(out), "--logo", logo])
        assert done.exit_code == 2, (logo, done.output)
        assert done.output.startswith("error: logo "), done.output
        assert says in done.output and f"hint: {hint}" in done.output, done.output
        assert "Traceback" not in done.output and "Step" not in done.output
        assert not out.exists()


def test_a_cover_line_no_font_can_print_is_an_error(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", ROWS[2:3])
    out = tmp_path / "booklet.pdf"
    done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(out), "--title", "Jazz 𝄀"])
    assert done.exit_code == 2 and not out.exists()
    assert done.output.startswith("error: the covers' title: no bundled font has '𝄀' (U+1D100")
    assert "hint: give --title without them" in done.output


# --- how it looks -------------------------------------------------------------------------

# Approved name -> the variant and the pages: the booklet's own, the first two spreads (the
# cover; its blank back and the contents) on screen, and in print with the back cover, each
# with its bleed and crop marks. A city's pages are test_visual.py's to hold.
LOOKS = {"booklet-screen": ("screen", (1, 2, 3)), "booklet-print": ("print", (1, 2, 3, 16))}


@pytest.mark.parametrize("name", list(LOOKS))
def test_the_booklets_pages_look_as_approved(booklet: Booklet, name: str) -> None:
    variant, numbers = LOOKS[name]
    rendered = rasterise(booklet(variant)[1])
    pages = {number: rendered[number - 1] for number in numbers}
    if os.environ.get("SNAPSHOTPDF_APPROVE"):  # make approve
        for number, image in pages.items():
            save_approved(image, page_path(name, number))
    for number in pages:
        path = page_path(name, number)
        assert path.is_file(), f"no approved image {path.name}: see this file's docstring"
        assert path.stat().st_size < 20_000 and Image.open(path).size[0] < 400
    failures = mismatches((page, page_path(name, number)) for number, page in pages.items())
    assert not failures, "; ".join(failures) + " (if intended: approve, look, commit)"
