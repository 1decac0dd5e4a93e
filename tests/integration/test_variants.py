"""The three output variants, each checked with tools nobody here wrote: screen is tagged
PDF/UA-1, print is PDF/X-4 with a 3 mm bleed, archive is PDF/A-3b carrying its data."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pikepdf
import pytest
from support.helpers import FIXTURES
from support.pdfcheck import (
    AUTHOR,
    SECTIONS,
    BuildOf,
    assert_only_bundled_fonts_embedded,
    colour_operators,
    outline,
    qpdf_check,
    struct_elements,
    untagged_operations,
)
from typer.testing import CliRunner

from snapshotpdf.assets import sample_survey
from snapshotpdf.batch.build import build
from snapshotpdf.batch.plan import in_languages
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.cli.app import app
from snapshotpdf.cli.options import Variant
from snapshotpdf.render import variants
from snapshotpdf.render.layout import load_layout
from snapshotpdf.survey.validate import validate

VARIANTS = ["screen", "print", "print-uncoated", "archive"]
# The print variants and the output condition each is made for (its OutputConditionIdentifier).
PRINTS = [("print", "FOGRA39"), ("print-uncoated", "FOGRA29")]
MM = 72 / 25.4


def lima(built: BuildOf, variant: str) -> Path:
    return built(variant).pdf("peru-lima")


def test_the_command_line_offers_exactly_the_registered_variants() -> None:
    assert [v.value for v in Variant] == list(variants.VARIANTS) == VARIANTS
    assert variants.DEFAULT == "screen"
    with pytest.raises(Exception, match="unknown output variant 'email'"):
        variants.get_variant("email")


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_is_sound_with_every_font_embedded(built: BuildOf, variant: str) -> None:
    result = built(variant).result
    assert result.exit_code() == 0, [str(p) for p in result.problems]
    assert not [p for p in result.problems if "renderer:" in p.message]
    qpdf_check(lima(built, variant))
    assert_only_bundled_fonts_embedded(lima(built, variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_describes_itself(built: BuildOf, variant: str) -> None:
    with pikepdf.open(lima(built, variant)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "City Innovation Snapshot: Lima, Peru"
        assert str(info["/Author"]) == AUTHOR
        assert "Innovation capacity of Lima, Peru" in str(info["/Subject"])
        assert "Lima" in str(info["/Keywords"]) and "city innovation" in str(info["/Keywords"])
        assert str(pdf.Root.Lang) == "en"
        assert str(info["/CreationDate"]) == str(info["/ModDate"])  # dates from the input
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "City Innovation Snapshot: Lima, Peru"
        assert meta["dc:creator"] == [AUTHOR]
        assert meta["dc:language"] == {"en"}


def test_screen_is_tagged_pdf_ua(built: BuildOf) -> None:
    with pikepdf.open(lima(built, "screen")) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        assert untagged_operations(pdf) == []  # all content tagged or an artifact

        elements = struct_elements(pdf)
        kinds = [kind for kind, _, _ in elements]
        headings = [kind for kind in kinds if kind in ("/H1", "/H2")]
        assert headings[0] == "/H1" and "/H2" in headings  # the city, then its sections
        figures = [element for kind, element, _ in elements if kind == "/Figure"]
        assert len(figures) == 15  # the outcomes grid: one icon per policy area
        alts = [str(figure.get("/Alt", "")) for figure in figures]
        assert all(alts), alts
        assert "Transport / Mobility: with sufficient data" in alts
        assert "Housing: without sufficient data" in alts
        # Lists are lists: list items only in lists, labels and bodies only in list items.
        for kind, _, parents in elements:
            if kind == "/LI":
                assert parents[-1] == "/L", parents
            if kind in ("/LBody", "/Lbl"):
                assert parents[-1] == "/LI", parents


def test_screen_marks_decorative_drawing_as_artifacts(built: BuildOf) -> None:
    """Backgrounds, rules and the decorative icons (overview, priorities, badges) are
    artifacts: only the 15 grid icons, which say something, are figures."""
    with pikepdf.open(lima(built, "screen")) as pdf:
        artifacts = 0
        for page in pdf.pages:
            for instruction in pikepdf.parse_content_stream(page):
                if str(instruction.operator) in ("BMC", "BDC"):
                    artifacts += str(instruction.operands[0]) == "/Artifact"
        assert artifacts > 50
        images_drawn_as_figures = [kind for kind, _, _ in struct_elements(pdf) if kind == "/Figure"]
        assert len(images_drawn_as_figures) == 15


def test_screen_has_one_bookmark_per_section_under_the_city(built: BuildOf) -> None:
    with pikepdf.open(lima(built, "screen")) as pdf:
        assert outline(pdf) == [("Lima, Peru", SECTIONS)]


@pytest.mark.parametrize(("variant", "condition"), PRINTS)
def test_print_is_pdf_x4_with_output_intent_and_3mm_bleed(
    built: BuildOf, variant: str, condition: str
) -> None:
    with pikepdf.open(lima(built, variant)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == "/GTS_PDFX"
        assert condition in str(intent.OutputConditionIdentifier)
        assert intent.DestOutputProfile.N == 4  # a CMYK profile
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert str(pdf.docinfo["/Trapped"]) == "/False"
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.obj.MediaBox]
            outward = [
                trim[0] - bleed[0],
                trim[1] - bleed[1],
                bleed[2] - trim[2],
                bleed[3] - trim[3],
            ]
            assert outward == pytest.approx([3 * MM] * 4, abs=0.01)
            # A4 trimmed; the crop marks lie beyond the bleed, so the sheet is larger still.
            assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx(
                (595.28, 841.89), abs=0.1
            )
            assert media[0] < bleed[0] and media[2] > bleed[2]


@pytest.mark.parametrize(("variant", "condition"), PRINTS)
def test_print_paints_in_cmyk_only(built: BuildOf, variant: str, condition: str) -> None:
    """Nothing on the page is RGB: text, rules, backgrounds and icons are all CMYK."""
    with pikepdf.open(lima(built, variant)) as pdf:
        used = colour_operators(pdf)
    assert not used & {"rg", "RG"}, used
    assert {op for op in used if op.startswith(("cs ", "CS "))} <= {
        "cs /DeviceCMYK",
        "CS /DeviceCMYK",
    }


def test_each_output_condition_has_its_own_cmyk_for_the_same_colours(built: BuildOf) -> None:
    """The navy band, converted through FOGRA39 (coated) and FOGRA29 (uncoated) by
    littleCMS: the values the palette gives each condition are the ones on the page."""
    from snapshotpdf.render import colour

    layout = load_layout()
    navy = {
        variant: colour.print_colours(layout, condition)[1]["navy"]
        for variant, condition in (("print", "coated"), ("print-uncoated", "uncoated"))
    }
    assert navy["print"] == "device-cmyk(0.83 0.45 0.12 0.65)"  # as print.css had it by hand
    assert navy["print"] != navy["print-uncoated"]
    for variant, paint in navy.items():
        values = paint.removeprefix("device-cmyk(").removesuffix(")").split()
        with pikepdf.open(lima(built, variant)) as pdf:
            filled = cmyk_fills(pdf)
        assert tuple(float(v) for v in values) in filled, (variant, sorted(filled)[:5])


def test_archive_is_pdf_a3b_and_carries_the_record(built: BuildOf) -> None:
    result = built("archive").result
    [done] = result.written
    checked = validate(sample_survey())
    [lima_row] = [r for r in checked.records if r.source.row == done.row]
    [record] = in_languages(load_layout(), [lima_row], None, BuildResult(validation=checked))
    with pikepdf.open(lima(built, "archive")) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert list(pdf.attachments) == ["peru-lima.json"]
        spec = pdf.attachments["peru-lima.json"]
        assert spec.obj.AFRelationship == "/Data"
        embedded = spec.get_file()
        assert embedded.mime_type == "application/json"
        data = embedded.read_bytes()
    assert data.decode("utf-8") == variants.record_json(record)
    assert json.loads(data) == json.loads(json.dumps(asdict(record)))
    assert json.loads(data)["city"] == "Lima" and json.loads(data)["source"]["row"] >= 2


def test_archive_passes_a_pdf_a_validator(built: BuildOf) -> None:
    """pikepdf's allowlist PDF/A validator (veraPDF's rules for PDF/A-1b to 3b): it approves
    only what it recognises as conforming."""
    pdfa = pytest.importorskip("pikepdf.pdfa", exc_type=ImportError)
    report = pdfa.validate_written(lima(built, "archive"), "3b")
    assert report.passed, [str(f) for f in report.findings]


def cmyk_fills(pdf: pikepdf.Pdf) -> set[tuple[float, ...]]:
    """Every colour of four components set on the pages (k, K, or sc/scn in DeviceCMYK;
    rounded to two decimals)."""
    found = set()
    for page in pdf.pages:
        for instruction in pikepdf.parse_content_stream(page):
            operator, operands = str(instruction.operator), instruction.operands
            if operator in ("k", "K", "sc", "scn", "SC", "SCN") and len(operands) == 4:
                found.add(tuple(round(float(v), 2) for v in instruction.operands))
    return found


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_same_input_gives_the_same_bytes(variant: str) -> None:
    from snapshotpdf.render.pdf import PdfMaker

    layout = load_layout()
    maker = PdfMaker.for_layout(layout, variant)
    html = (FIXTURES / "tiny.html").read_text(encoding="utf-8")
    first, second = maker.render(html), maker.render(html)
    assert first.data == second.data
    other = PdfMaker.for_layout(layout, variant).render(html)
    assert other.data == first.data  # a fresh maker (another worker) too


def test_a_variant_change_rebuilds_and_the_same_variant_does_not(tmp_path: Path) -> None:
    settings = Settings(outdir=tmp_path, cities=("Kestrel Falls",), jobs=0)
    assert len(build(settings).written) == 1
    assert len(build(settings).unchanged) == 1
    printed = Settings(outdir=tmp_path, cities=("Kestrel Falls",), jobs=0, variant="print")
    assert len(build(printed).written) == 1
    assert len(build(printed).unchanged) == 1
    with pikepdf.open(tmp_path / "canada-kestrel-falls.pdf") as pdf:
        assert "/OutputIntents" in pdf.Root
    signed = Settings(
        outdir=tmp_path, cities=("Kestrel Falls",), jobs=0, variant="print", author="X"
    )
    assert len(build(signed).written) == 1


def test_build_command_takes_variant_and_author(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "build",
            "--city",
            "Kestrel Falls",
            "-o",
            str(tmp_path),
            "-j",
            "0",
            "-q",
            "--variant",
            "archive",
            "--author",
            "Ville de Test",
        ],
    )
    assert done.exit_code == 0, done.output
    with pikepdf.open(tmp_path / "canada-kestrel-falls.pdf") as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "3"
        assert str(pdf.docinfo["/Author"]) == "Ville de Test"
        assert list(pdf.attachments) == ["canada-kestrel-falls.json"]
    wrong = runner.invoke(app, ["build", "-o", str(tmp_path), "--variant", "fax"])
    assert wrong.exit_code == 2
