"""Every city in its own script: a survey of cities named in Japanese, Korean, Arabic, Hebrew,
Hindi, Thai, Georgian, Armenian, Greek, Cyrillic, Bengali and Chinese (simplified and
traditional) is built, and each PDF is checked from the file itself:

(a) every font it uses is embedded, and is one of the bundled fonts (fonts/);
(b) no glyph drawn is .notdef (glyph 0, the empty box): every text-showing operator of
    every page (and of the forms it draws) is decoded through its font. WeasyPrint writes
    every font as Type0 with 2-byte codes; the codes are glyph ids (Encoding /Identity-H,
    CIDToGIDMap /Identity) unless a glyph was missing, when WeasyPrint gives the missing
    character a code past the font's glyphs and an embedded CMap that sends it to CID 0:
    the check reads that CMap, so it catches both (proven below on a PDF made with one);
(c) pdftotext gives each name back. Left-to-right names come back exactly (pdftotext
    -raw). Right-to-left ones cannot: pdftotext rebuilds the logical order from the drawn
    (visual) order run by run, wraps each run in U+202B...U+202C, lifts a combining mark
    out of its word (the shadda of عمّان comes back as a separate run) and orders runs
    around a neutral character as it sees them (the hyphen of תל אביב-יפו). So for them the
    check is that each word of the name, without its combining marks, comes back in
    pdftotext's default (reading-order) mode, its embedding marks removed.

A row with a character no bundled font has is skipped with an error naming its cell and the
character's code point (`check` says the same: tests/unit/test_glyphs.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from support.helpers import minimal_city, raw_text, write_survey
from support.pdfcheck import BUNDLED_FONTS, SCRIPT_FONTS, fonts

from snapshotpdf import files
from snapshotpdf.batch.booklet import BookletSettings, make_booklet
from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import CityRecord, Inputs, Location, Severity, SurveyFigures
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.pdf import PdfMaker

# script -> (city, country), as the city writes them
CITIES = {
    "Japanese": ("仙台市", "日本"),
    "Korean": ("서울특별시", "대한민국"),
    "Arabic": ("عمّان", "الأردن"),
    "Hebrew": ("תל אביב-יפו", "ישראל"),
    "Hindi": ("पुणे", "भारत"),
    "Thai": ("กรุงเทพมหานคร", "ประเทศไทย"),
    "Georgian": ("თბილისი", "საქართველო"),
    "Armenian": ("Երևան", "Հայաստան"),
    "Greek": ("Αθήνα", "Ελλάδα"),
    "Cyrillic": ("Новосибирск", "Россия"),
    "Bengali": ("ঢাকা", "বাংলাদেশ"),
    "Chinese (simplified)": ("北京市", "中国"),
    "Chinese (traditional)": ("臺北市", "臺灣"),
}
RTL = {"Arabic", "Hebrew"}
# Rows no font can print: their city, and a spotlight.
BAD_CITY = minimal_city("Bad\U0001d100ville", "Testland")
BAD_SPOTLIGHT = minimal_city("Quiet Town", "Testland", spotlight="Our lab\ue000 opened in 2020.")


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def scripts_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, Path]:
    tmp = tmp_path_factory.mktemp("scripts")
    rows = [minimal_city(city, country) for city, country in CITIES.values()]
    survey = write_survey(tmp / "scripts.xlsx", [*rows, BAD_CITY, BAD_SPOTLIGHT])
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp / "out", jobs=0))
    return result, tmp / "out", survey


def pdf_of(outdir: Path, script: str) -> Path:
    city, country = CITIES[script]
    return outdir / files.pdf_name(country, city)


def test_every_city_is_written_without_a_problem(
    scripts_build: tuple[BuildResult, Path, Path],
) -> None:
    result, outdir, _survey = scripts_build
    assert len(result.written) == len(CITIES)
    for script in CITIES:
        assert pdf_of(outdir, script).is_file(), script
    # No renderer warning (a .notdef glyph would be one) and no error but the two rows'
    # (each city answered little: that it flows onto one page is said, batch/fit.py).
    problems = [p for p in result.problems if p.city not in (BAD_CITY["city"], "Quiet Town")]
    assert [p for p in problems if "answered too little" not in p.message] == []


@pytest.mark.parametrize("script", CITIES)
def test_every_font_is_embedded_and_bundled(
    scripts_build: tuple[BuildResult, Path, Path], script: str
) -> None:
    used = fonts(pdf_of(scripts_build[1], script))
    assert used
    for name, embedded in used:
        assert embedded, (script, name)
        assert name.split("+", 1)[-1] in BUNDLED_FONTS | SCRIPT_FONTS, (script, name)


@pytest.mark.parametrize("script", CITIES)
def test_no_glyph_drawn_is_notdef(
    scripts_build: tuple[BuildResult, Path, Path], script: str
) -> None:
    with pikepdf.open(pdf_of(scripts_build[1], script)) as pdf:
        drawn = list(drawn_glyphs(pdf))
    assert drawn
    assert [(font, gid) for font, gid in drawn if gid == 0] == []


@pytest.mark.parametrize("script", CITIES)
def test_pdftotext_gives_the_name_back(
    scripts_build: tuple[BuildResult, Path, Path], script: str
) -> None:
    path = pdf_of(scripts_build[1], script)
    city = CITIES[script][0]
    if script in RTL:
        text = unmarked(reading_text(path))
        words = unmarked(city).replace("-", " ").split()
        assert [w for w in words if w not in text] == [], (script, text[:300])
    else:
        assert city in " ".join(raw_text(path).split()), script


def test_the_script_fonts_print_in_their_own_family(
    scripts_build: tuple[BuildResult, Path, Path],
) -> None:
    """Han characters take the Japanese forms on an English page (the CSS's default order)."""
    outdir = scripts_build[1]
    expected = {
        "Japanese": "Noto-Sans-CJK-JP",
        "Chinese (simplified)": "Noto-Sans-CJK-JP",
        "Arabic": "Noto-Sans-Arabic",
        "Hebrew": "Noto-Sans-Hebrew",
        "Hindi": "Noto-Sans-Devanagari",
        "Thai": "Noto-Sans-Thai",
        "Georgian": "Noto-Sans-Georgian",
        "Armenian": "Noto-Sans-Armenian",
        "Bengali": "Noto-Sans-Bengali",
    }
    for script, family in expected.items():
        names = {name.split("+", 1)[-1] for name, _ in fonts(pdf_of(outdir, script))}
        assert {family, f"{family}-Bold"} <= names, (script, names)
    for script in ("Greek", "Cyrillic"):  # Noto Sans has them: nothing else is used
        names = {name.split("+", 1)[-1] for name, _ in fonts(pdf_of(outdir, script))}
        assert names <= BUNDLED_FONTS, (script, names)


@pytest.mark.parametrize(
    ("lang", "family"),
    [
        ("ja", "Noto-Sans-CJK-JP"),
        ("zh", "Noto-Sans-CJK-SC"),
        ("zh-Hans-CN", "Noto-Sans-CJK-SC"),
        ("zh-TW", "Noto-Sans-CJK-TC"),
        ("zh-Hant", "Noto-Sans-CJK-TC"),
        ("zh-HK", "Noto-Sans-CJK-HK"),
        ("ko", "Noto-Sans-CJK-KR"),
    ],
)
def test_han_characters_take_the_forms_of_the_pages_language(
    tmp_path: Path, lang: str, family: str
) -> None:
    """Han unification: the page's language (<html lang>) picks the CJK face, footers too."""
    layout = load_layout()
    record = CityRecord(Location("s.xlsx", None, 2), "直方市", "日本")
    page = Renderer(layout).html(record, SurveyFigures(1, {}))
    page = re.sub(r'<html lang="[^"]*"', f'<html lang="{lang}"', page, count=1)
    path = tmp_path / "han.pdf"
    path.write_bytes(PdfMaker.for_layout(layout).render(page).data)
    cjk = {name.split("+", 1)[-1] for name, _ in fonts(path) if "CJK" in name}
    assert cjk == {family, f"{family}-Bold"}


def test_the_notdef_check_finds_a_missing_glyph(tmp_path: Path) -> None:
    """What the build refuses, rendered anyway: the check above sees its empty box."""
    layout = load_layout()
    record = CityRecord(Location("s.xlsx", None, 2), "Lima", "Peru")
    page = Renderer(layout).html(record, SurveyFigures(1, {}))
    # A private-use character no font has (the icon font has U+E000 on: iconfont.py).
    page = page.replace("</body>", "<p>box \U000f0000 here</p></body>")
    rendered = PdfMaker.for_layout(layout).render(page)
    assert any(".notdef" in message for message in rendered.renderer_warnings)
    path = tmp_path / "box.pdf"
    path.write_bytes(rendered.data)
    with pikepdf.open(path) as pdf:
        assert [gid for _font, gid in drawn_glyphs(pdf) if gid == 0]


def test_a_row_no_font_can_print_is_skipped_with_its_cell_and_code_point(
    scripts_build: tuple[BuildResult, Path, Path],
) -> None:
    result, outdir, survey = scripts_build
    assert result.skipped == 2 and result.exit_code() == 1
    errors = [str(p) for p in result.problems if p.severity is Severity.ERROR]
    first_bad = len(CITIES) + 2  # the header is row 1
    assert errors == [
        f"error: scripts.xlsx, sheet 'Responses', row {first_bad}, column A ('City'): city:"
        " '𝄀' (U+1D100 MUSICAL SYMBOL SINGLE BARLINE) cannot be printed: no bundled font has"
        " it; the row is skipped: retype the answer without it, or add a font that has it"
        " (docs/fonts.md) (found 'Bad𝄀ville')",
        f"error: scripts.xlsx, sheet 'Responses', row {first_bad + 1}, column K ('Spotlight'):"
        " spotlight: '\\ue000' (U+E000) cannot be printed: no bundled font has it; the row is"
        " skipped: retype the answer without it, or add a font that has it (docs/fonts.md)"
        " (found 'Our lab\\ue000 opened in 2020.')",
    ]
    assert "2 row(s) skipped" in result.summary()
    assert not list(outdir.glob("testland-*.pdf"))
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["skipped"] == 2 and report["counts"]["written"] == len(CITIES)
    assert report["exit_code"] == 1
    rows = {row["row"]: row for row in report["rows"]}
    assert rows[first_bad]["status"] == "skipped" and "U+1D100" in rows[first_bad]["reason"]
    assert rows[first_bad + 1]["status"] == "skipped" and "U+E000" in rows[first_bad + 1]["reason"]
    entries = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assert '"skipped"' in json.dumps(entries) and "U+1D100" in json.dumps(entries)


def test_a_city_with_a_pdf_that_can_no_longer_print_is_set_aside(tmp_path: Path) -> None:
    """Like any row that gets an error: its earlier PDF goes to removed/, mail cannot send it."""
    outdir = tmp_path / "out"
    good = write_survey(tmp_path / "a.xlsx", [minimal_city("Lima", "Peru")])
    assert build(Settings(inputs=Inputs(survey=good), outdir=outdir, jobs=0)).exit_code() == 0
    assert (outdir / "peru-lima.pdf").is_file()
    bad = write_survey(
        tmp_path / "a.xlsx", [minimal_city("Lima", "Peru", mayor="Jorge \U0001f600 Muñoz")]
    )
    again = build(Settings(inputs=Inputs(survey=bad), outdir=outdir, jobs=0))
    assert again.exit_code() == 1 and again.skipped == 1
    assert "column C ('Mayor'): mayor: '😀' (U+1F600" in str(again.problems[0])
    assert not (outdir / "peru-lima.pdf").exists()
    assert (outdir / "removed" / "peru-lima.pdf").is_file()


# --- reading a PDF's text and glyphs -----------------------------------------------------


def reading_text(path: Path) -> str:
    """pdftotext in its default (reading order) mode."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def unmarked(text: str) -> str:
    """Without bidi embedding marks and combining marks (Mn)."""
    return "".join(
        c
        for c in unicodedata.normalize("NFD", text)
        if unicodedata.category(c) != "Mn" and not ("\u202a" <= c <= "\u202e")
    )


def drawn_glyphs(pdf: pikepdf.Pdf) -> Iterator[tuple[str, int]]:
    """(font, glyph id) of every glyph drawn by a text-showing operator (Tj, TJ, ', ") of
    every page and of the forms the pages draw."""
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        yield from _drawn(page.obj, page.obj.get("/Resources"), seen)


def _drawn(
    stream: pikepdf.Object, resources: pikepdf.Object | None, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, int]]:
    fonts_here = resources.get("/Font", {}) if resources is not None else {}
    font: pikepdf.Object | None = None
    for instruction in pikepdf.parse_content_stream(stream):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image
        op, operands = str(instruction.operator), list(instruction.operands)
        if op == "Tf":
            font = fonts_here[str(operands[0])]
            continue
        if op == "Do":
            child = (resources or {}).get("/XObject", {}).get(str(operands[0]))
            if child is not None and child.objgen not in seen and child.get("/Subtype") == "/Form":
                seen.add(child.objgen)
                yield from _drawn(child, child.get("/Resources", resources), seen)
            continue
        shown = {"Tj": operands[:1], "'": operands[:1], '"': operands[2:3], "TJ": []}.get(op)
        if shown is None:
            continue
        if op == "TJ":
            shown = [item for item in operands[0] if isinstance(item, pikepdf.String)]
        assert font is not None, "text shown before a font is set"
        name = str(font.get("/BaseFont"))
        for string in shown:
            for gid in glyph_ids(font, bytes(string)):
                yield name, gid


def glyph_ids(font: pikepdf.Object, data: bytes) -> list[int]:
    """The glyph ids a string shows in a Type0 font: 2-byte codes -> CIDs (Identity-H, or
    the font's embedded CMap) -> glyph ids (CIDToGIDMap /Identity, or its stream)."""
    assert font.Subtype == "/Type0", f"not a Type0 font: {font.get('/BaseFont')}"
    assert len(data) % 2 == 0
    codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    encoding = font.Encoding
    if isinstance(encoding, pikepdf.Name):
        assert encoding == "/Identity-H", encoding
        cids = codes
    else:
        table = cmap_cids(encoding.read_bytes().decode("latin-1"))
        cids = [table.get(code, 0) for code in codes]  # a code the CMap lacks is .notdef
    descendant = font.DescendantFonts[0]
    to_gid = descendant.get("/CIDToGIDMap", pikepdf.Name.Identity)
    if isinstance(to_gid, pikepdf.Name):
        assert to_gid == "/Identity"
        return cids
    table_bytes = to_gid.read_bytes()
    return [int.from_bytes(table_bytes[2 * cid : 2 * cid + 2], "big") for cid in cids]


def cmap_cids(text: str) -> dict[int, int]:
    """A CMap's code -> CID mappings (begincidchar and begincidrange sections)."""
    table: dict[int, int] = {}
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s*(\d+)", block):
            table[int(code, 16)] = int(cid)
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for low, high, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = int(cid) + offset
    return table


def test_the_booklet_leaves_out_a_city_no_font_can_print(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "b.xlsx", [minimal_city("Lima", "Peru"), BAD_CITY])
    output = tmp_path / "booklet.pdf"
    result = make_booklet(BookletSettings(inputs=Inputs(survey=survey), output=output))
    assert result.skipped == 1 and result.exit_code() == 1
    errors = [str(p) for p in result.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1 and "U+1D100" in errors[0] and "row 3, column A" in errors[0]
    text = raw_text(output)
    assert "LIMA" in text and "Bad" not in text
