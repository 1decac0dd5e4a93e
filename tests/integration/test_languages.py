"""Snapshots in other languages, as PDFs: Lima in English by default (the reference) and in
Spanish with --lang es; French and Portuguese wording, numbers and lists; no English left in
a complete catalog's output; and a language added as a catalog alone (a test-only Hebrew
one, mirrored, and a German one chosen by the survey's language column)."""

from __future__ import annotations

import json
import re
import shutil
import string
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from jsonschema import Draft202012Validator
from markupsafe import Markup
from support.helpers import ROOT, minimal_city, pdf_text, write_survey
from support.pdfcheck import word_boxes
from typer.testing import CliRunner

from snapshotpdf.assets import fonts_dir, sample_survey
from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.cli.app import app
from snapshotpdf.models import Inputs, SurveyFigures
from snapshotpdf.render.catalog import is_plural
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.wording import format_percent
from snapshotpdf.survey.validate import validate

runner = CliRunner()
CONJUNCTION = {"es": "y", "fr": "et", "pt": "e"}  # CLDR's "A, B y C"
CITIES = ("Lima", "Valderrosa", "Noordhaven")


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample's Lima built in English, and with two more cities in Spanish, French and
    Portuguese: language -> output folder."""
    folders = {}
    for language in ("en", "es", "fr", "pt"):
        out = tmp_path_factory.mktemp(f"lang-{language}")
        english = language == "en"  # the reference: only Lima is read
        settings = Settings(
            outdir=out,
            cities=("Lima",) if english else CITIES,
            language=None if english else language,
        )
        result = build(settings)
        # Nothing but copy-fitting is said: a longer language may need tighter spacing to
        # keep a city to its pages (the run says so), never a page more.
        said = [str(p) for p in result.problems if "to fit its 2 pages" not in p.message]
        assert result.exit_code() == 0 and not said, said
        folders[language] = out
    return folders


def strings(language: str) -> dict[str, Any]:
    return load_layout().catalog(language).strings


def sentence(template: str, **parts: object) -> str:
    """A catalog sentence as the PDF's text shows it: filled, tags gone, spaces folded."""
    filled = str(Markup(template).format(**parts))
    text = re.sub(r"<[^>]+>", "", filled).replace("&#39;", "'").replace("&amp;", "&")
    return " ".join(text.split())


def lima(pdfs: dict[str, Path], language: str) -> str:
    return pdf_text(pdfs[language] / "peru-lima.pdf")


def lang_of(path: Path) -> str:
    """The document's language, as the catalog's /Lang and the XMP's dc:language say it
    (they must agree)."""
    with pikepdf.open(path) as pdf:
        lang = str(pdf.Root.Lang)
        assert pdf.open_metadata().get("dc:language") == {lang}
        return lang


# --- English, the reference -----------------------------------------------------------------


def test_lima_is_in_english_by_default_as_the_reference(pdfs: dict[str, Path]) -> None:
    text = lima(pdfs, "en")
    assert "Like 50% of cities surveyed, Lima has a formal innovation strategy." in text
    assert "Like 81% of cities surveyed, Lima has dedicated funding" in text
    assert "Similar to more than half of cities surveyed, Lima approaches" in text
    assert "9.67 million (2020)" in text and "2019–2022" in text
    assert (
        "with other public agencies, private firms, and city residents / resident associations"
        in text
    )
    assert "are a focus on metrics, Human Resource involvement, and leadership from" in text
    assert lang_of(pdfs["en"] / "peru-lima.pdf") == "en"


def test_lima_in_spanish_with_lang_es(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", "-o", str(out), "--city", "Lima", "--lang", "es", "-q", "-j", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "catalog" not in result.output  # complete: nothing untranslated to say
    text = pdf_text(out / "peru-lima.pdf")
    t = strings("es")
    expected = sentence(t["vision"]["strategy_yes"], percent=format_percent(50, "es"), city="Lima")
    assert expected in text
    assert "50 %" in text and "9,67 millones (2020)" in text
    assert t["kicker"] in text and "Página 1 de 2" in text
    assert lang_of(out / "peru-lima.pdf") == "es"
    unknown = runner.invoke(app, ["build", "-o", str(tmp_path / "x"), "--lang", "tlh", "-j", "0"])
    assert unknown.exit_code == 2 and "--lang tlh: the layout 'snapshot' has no catalog" in (
        unknown.output
    )


# --- Spanish, French, Portuguese ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "percent", "population"),
    [
        ("es", "81 %", "9,67 millones (2020)"),
        ("fr", "81 %", "9,67 millions (2020)"),
        ("pt", "81%", "9,67 milhões (2020)"),
    ],
)
def test_sentences_numbers_and_lists_follow_the_language(
    pdfs: dict[str, Path], language: str, percent: str, population: str
) -> None:
    text = lima(pdfs, language)
    t = strings(language)
    figure = format_percent(81, language)
    assert percent in text and population in text and "2019–2022" in text
    funding = sentence(t["funding"]["yes_sources"], percent=figure, city="Lima")
    assert funding in text, funding
    partners = [t["options"]["partners"][k] for k in ("other_public", "private", "residents")]
    listed = f"{partners[0]}, {partners[1]} {CONJUNCTION[language]} {partners[2]}"
    assert " ".join(listed.split()) in text
    assert "," not in listed.split(partners[1])[1]  # no serial comma outside English
    two = t["approach"]["priorities"]
    words = t["numbers"]["counts"][2]
    lead_in = two["other"] if is_plural(two) else two
    assert sentence(lead_in, count=words) in text
    assert lang_of(pdfs[language] / "peru-lima.pdf") == language


def fixed_phrases(template: str) -> list[str]:
    """The runs of three or more words of an English string between its placeholders."""
    runs = []
    for literal, _name, _spec, _conv in string.Formatter().parse(template):
        words = re.sub(r"<[^>]+>", " ", literal).split()
        if len(words) >= 3:
            runs.append(" ".join(words))
    return runs


def english_phrases() -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.update(fixed_phrases(node))

    walk(strings("en"))
    return found


@pytest.mark.parametrize("language", ["es", "fr", "pt"])
def test_no_english_is_left_in_a_complete_catalogs_output(
    pdfs: dict[str, Path], language: str
) -> None:
    records = {r.city: r for r in validate(sample_survey()).records}
    for city in CITIES:
        record = records[city]
        typed = " ".join(
            " ".join(str(v).split())
            for v in (record.org_structure, record.spotlight, *record.own_options)
            if v
        )
        name = next(pdfs[language].glob(f"*-{city.lower()}.pdf"))
        text = pdf_text(name)
        left = [p for p in english_phrases() if p in text and p not in typed]
        assert not left, (language, city, left)


# --- a language added as a catalog, no code ------------------------------------------------

HEBREW = """
kicker = "תמונת מצב של חדשנות עירונית"
page_of = "עמוד {page} מתוך {pages}"
[overview]
heading = "סקירה כללית"
[vision]
heading = "מהו חזון החדשנות של העיר?"
strategy_yes = "כמו {percent} מהערים שנסקרו, ל־{city} יש <strong>אסטרטגיית חדשנות רשמית</strong>."
"""
GERMAN = """
kicker = "Innovationsprofil der Stadt"
[vision]
heading = "Was ist die Innovationsvision der Stadt?"
strategy_yes = "Wie {percent} der Städte hat {city} eine <strong>Innovationsstrategie</strong>."
"""


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, Path]:
    """A copy of the layout with a Hebrew and a German catalog added (nothing else), and a
    survey whose cities ask for them in its language column."""
    tmp = tmp_path_factory.mktemp("added-language")
    layout = tmp / "layouts" / "snapshot"
    shutil.copytree(load_layout().folder, layout)
    (tmp / "fonts").symlink_to(fonts_dir())  # where its CSS finds them: ../../fonts
    (layout / "locales" / "he.toml").write_text(HEBREW, encoding="utf-8")
    (layout / "locales" / "de.toml").write_text(GERMAN, encoding="utf-8")
    survey = write_survey(
        tmp / "s.xlsx",
        [
            minimal_city("Haifa", "Israel", language="he", spotlight="English text, kept LTR."),
            minimal_city("Kassel", "Germany", language="de-DE"),
            minimal_city("Alpha", "Ruritania"),
        ],
    )
    out = tmp / "out"
    result = build(Settings(inputs=Inputs(survey=survey, layout=str(layout)), outdir=out))
    return result, out, layout


def test_a_catalog_is_all_a_new_language_needs(added: tuple[BuildResult, Path, Path]) -> None:
    result, out, _layout = added
    assert len(result.written) == 3
    german = pdf_text(out / "germany-kassel.pdf")
    assert "Wie 100 % der Städte hat Kassel eine Innovationsstrategie." in german
    assert "Was ist die Innovationsvision der Stadt?" in german
    assert lang_of(out / "germany-kassel.pdf") == "de"
    # pdftotext gives right-to-left words in the order they are drawn, each marked as such.
    hebrew = pdf_text(out / "israel-haifa.pdf").replace("\u202b", "").replace("\u202c", "")
    assert all(word in hebrew.split() for word in ["מהו", "חזון", "החדשנות", "של"])
    assert "כללית" not in hebrew  # the overview heading: Haifa answered no overview question
    assert lang_of(out / "israel-haifa.pdf") == "he"
    assert "Like 100% of cities surveyed, Alpha" in pdf_text(out / "ruritania-alpha.pdf")


def test_a_missing_string_is_said_once_per_language_and_strict_fails(
    added: tuple[BuildResult, Path, Path],
) -> None:
    result, out, _layout = added
    said = [p for p in result.problems if "catalog" in p.message]
    assert len(said) == 2, said
    german = next(p for p in said if "catalog de lacks" in p.message)
    assert german.message.startswith("Kassel is in de: catalog de lacks ")
    assert "printed in English instead: " in german.message
    assert "structure.heading" in german.message and "vision.heading" not in german.message
    assert german.city == "Kassel" and german.location.row == 3  # Kassel's row
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "docs/schemas/report.schema.json").read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(report))


def test_a_right_to_left_snapshot_is_mirrored(
    added: tuple[BuildResult, Path, Path], pdfs: dict[str, Path]
) -> None:
    _result, out, layout = added
    records = validate(out.parent / "s.xlsx").records
    haifa = next(r for r in records if r.city == "Haifa")
    page = Renderer(load_layout(str(layout))).html(haifa, SurveyFigures(3))
    assert '<html lang="he" dir="rtl">' in page
    assert '<div dir="ltr">' in page  # the English spotlight keeps its direction
    assert "@bottom-right { content:" in page  # the footer at the right, the number left
    # On the page: the spotlight, the left column of an English snapshot, is on the right.
    width, _height, words = word_boxes(out / "israel-haifa.pdf")[0]
    spotlight = next(w for w in words if w.text == "Spotlight")
    assert spotlight.x0 > width / 2
    width, _height, words = word_boxes(pdfs["en"] / "peru-lima.pdf")[0]
    spotlight = next(w for w in words if w.text == "Spotlight")
    assert spotlight.x1 < width / 2  # in English, on the left


def test_a_booklet_in_french_counts_and_lists_in_french(tmp_path: Path) -> None:
    from snapshotpdf.batch.booklet import BookletSettings, make_booklet

    survey = write_survey(
        tmp_path / "s.xlsx",
        [minimal_city("Alpha", "Ruritania"), minimal_city("Beta", "Ruritania", language="es")],
    )
    output = tmp_path / "booklet.pdf"
    settings = BookletSettings(inputs=Inputs(survey=survey), output=output, language="fr")
    result = make_booklet(settings)
    assert result.exit_code() == 0, [str(p) for p in result.problems]
    # Two small cities: said to have answered too little (one page each), nothing else.
    assert all("answered too little" in p.message for p in result.problems)
    t = strings("fr")["booklet"]
    cover = pdf_text(output).split(t["contents"])[0]
    assert t["title"] in cover
    assert t["cities"]["other"].format(count=2) in cover  # two cities: CLDR's "other"
    assert t["countries"]["one"].format(count=1) in cover  # one country: "one"
    assert lang_of(output) == "fr"
