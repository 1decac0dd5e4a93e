"""Survey text is data, never code; the renderer fetches nothing the data names."""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
import pytest
from support.helpers import minimal_city, pdf_text, write_survey

from snapshotpdf.assets import fonts_dir
from snapshotpdf.batch.build import build
from snapshotpdf.batch.settings import Settings
from snapshotpdf.limits import MAX_IMAGE_PIXELS
from snapshotpdf.models import Inputs, Severity
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.pdf import RestrictedFetcher

HOSTILE = [
    '<img src="file:///etc/passwd">',
    "<script>alert(1)</script>",
    "&amp; R&D <b>bold</b>",
    "{{ 7*7 }} {% if true %}x{% endif %}",
]


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def hostile_build(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hostile")
    survey = write_survey(
        tmp / "hostile.xlsx",
        [
            minimal_city(
                "Villa <i>Nueva</i> & Co",
                "Ruritania",
                mayor=HOSTILE[1],
                innovation_lead=HOSTILE[3],
                org_structure=" ".join(HOSTILE),
                spotlight=HOSTILE[0] + "\n\nSecond paragraph " + HOSTILE[2],
                website="javascript:alert(document.cookie)",
            ),
            minimal_city("Otherton", "Ruritania", website="file:///etc/passwd"),
        ],
    )
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp / "out"))
    return result, tmp / "out"


def test_free_text_prints_as_typed(hostile_build) -> None:
    result, outdir = hostile_build
    pdf = outdir / "ruritania-villa-i-nueva-i-co.pdf"
    text = pdf_text(pdf)
    assert "VILLA <I>NUEVA</I> & CO, Ruritania" in text
    for snippet in HOSTILE:
        assert snippet in text
    assert "49" not in text


def test_hostile_text_fetches_nothing_and_embeds_nothing(hostile_build) -> None:
    result, outdir = hostile_build
    assert not [p for p in result.problems if "renderer:" in p.message]
    with pikepdf.open(outdir / "ruritania-villa-i-nueva-i-co.pdf") as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        for page in pdf.pages:
            assert not list(page.get_images())


def test_non_http_websites_are_dropped_with_a_warning_naming_the_city(hostile_build) -> None:
    result, outdir = hostile_build
    warnings = [p for p in result.warnings if "website" in p.message]
    assert {p.city for p in warnings} == {"Villa <i>Nueva</i> & Co", "Otherton"}
    assert all(p.location.header == "Innovation / open data website" for p in warnings)
    for pdf_path in outdir.glob("*.pdf"):
        with pikepdf.open(pdf_path) as pdf:
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    assert "/A" not in annot or not str(annot.A.get("/URI", "")).startswith(
                        ("javascript", "file")
                    )
    assert "passwd" not in pdf_text(outdir / "ruritania-otherton.pdf")


def _maker():
    from snapshotpdf.render.pdf import PdfMaker

    layout = load_layout()
    return PdfMaker(layout.folders, layout.stylesheets)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "data:text/plain,hello",
    ],
)
def test_restricted_fetcher_refuses_everything_but_bundled_files(url: str) -> None:
    fetcher = _maker().fetcher
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_restricted_fetcher_serves_layout_and_font_files() -> None:
    fetcher = _maker().fetcher
    css = load_layout().folder / "snapshot.css"
    assert fetcher.fetch(css.as_uri()).read().startswith(b"/*")
    font = next(fonts_dir().glob("*.ttf"))
    assert len(fetcher.fetch(font.as_uri()).read()) > 10_000
    escape = load_layout().folder.as_uri() + "/../../../../../etc/passwd"
    with pytest.raises(ValueError):
        fetcher.fetch(escape)


def png_header(width: int, height: int) -> bytes:
    """A PNG of that size with no pixel data: all a reader needs to know its size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [11_000, 30_000])
def test_an_image_of_too_many_pixels_is_left_out_with_the_limit_named(
    tmp_path: Path, side: int
) -> None:
    """An 11,000 pixels square PNG took 1.1 GB and printed Pillow's bomb warning on the
    terminal; a 30,000 one failed with no reason given. Its header is all that is read."""
    layout = tmp_path / "layout"
    layout.mkdir()
    (layout / "big.png").write_bytes(png_header(side, side))
    (layout / "small.png").write_bytes(png_header(100, 100))
    fetcher = RestrictedFetcher([layout])
    with pytest.raises(ValueError, match="limits.MAX_IMAGE_PIXELS") as refused:
        fetcher.fetch((layout / "big.png").as_uri())
    assert "big.png" in str(refused.value) and f"{MAX_IMAGE_PIXELS:,}" in str(refused.value)
    if side == 11_000:
        assert "11000 x 11000 pixels" in str(refused.value)
    assert fetcher.fetch((layout / "small.png").as_uri()).read().startswith(b"\x89PNG")


def test_markup_that_would_fetch_is_refused_by_the_renderer(tmp_path: Path) -> None:
    """Even HTML that asks for local files (as a bug in a layout might) gets none."""
    html = (
        '<html><body><p>x</p><img src="file:///etc/passwd">'
        '<a rel="attachment" href="file:///etc/hostname">a</a>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"></body></html>'
    )
    rendered = _maker().render(html)
    assert rendered.renderer_warnings  # WeasyPrint reports the refused URLs
    out = tmp_path / "x.pdf"
    out.write_bytes(rendered.data)
    with pikepdf.open(out) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        assert not list(pdf.pages[0].get_images())


def test_a_template_link_that_is_not_http_is_left_out_and_said(tmp_path: Path) -> None:
    """A layout's template may write any <a href>: only http(s) links reach the PDF."""
    html = (
        '<html lang="en"><body><p><a href="javascript:alert(1)">js</a>'
        ' <a href="file:///etc/passwd">file</a> <a href="data:text/html,x">data</a>'
        ' <a href="https://ok.example/">web</a> <a href="#here" id="here">here</a></p>'
        "</body></html>"
    )
    rendered = _maker().render(html)
    left_out = [m for m in rendered.renderer_warnings if "was left out" in m]
    assert len(left_out) == 3 and "'javascript:alert(1)'" in left_out[0]
    out = tmp_path / "x.pdf"
    out.write_bytes(rendered.data)
    with pikepdf.open(out) as pdf:
        actions = [a.get("/A") for a in pdf.pages[0].get("/Annots", [])]
        assert [str(a.URI) for a in actions if a is not None] == ["https://ok.example/"]
        assert len(actions) == 2  # and the link inside the page
    assert "js file data web here" in pdf_text(out)  # the words stay


def test_missing_required_field_skips_only_that_row(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [
            minimal_city("Alpha", "Ruritania"),
            minimal_city("Beta", None),
            {},  # a blank row between data
            minimal_city(None, "Ruritania", mayor="Somebody"),
            minimal_city("Gamma", "Ruritania"),
        ],
    )
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out"))
    assert sorted(d.city for d in result.written) == ["Alpha", "Gamma"]
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert [(p.location.row, p.location.column) for p in errors] == [(3, "B"), (5, "A")]
    assert "no country" in errors[0].message and "no city" in errors[1].message
    assert result.skipped == 2 and result.blank_rows == 1 and result.data_rows == 5
    assert result.exit_code() == 1
    assert "2 row(s) skipped" in result.summary()


def test_same_city_twice_is_refused_naming_both_rows(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [
            minimal_city("Alpha", "Ruritania"),
            minimal_city("ALPHA", "ruritania"),
        ],
    )
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out"))
    assert len(result.written) == 1
    (error,) = [p for p in result.problems if p.severity is Severity.ERROR]
    assert error.location.row == 3 and "row 2" in error.message
    assert result.exit_code() == 1
