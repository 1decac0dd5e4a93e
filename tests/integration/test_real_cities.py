"""Real cities, as their published pages answered: the web wording goes in, the PDF
edition's wording comes out, nothing an answer said is lost. The answers are in
tests/fixtures/real-cities.json, each city with its source address."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.helpers import FIXTURES, minimal_city, pdf_text, squash, write_survey

from snapshotpdf import files
from snapshotpdf.assets import package_file
from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import Inputs, Severity
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate

REAL = json.loads((FIXTURES / "real-cities.json").read_text(encoding="utf-8"))["cities"]
ROWS = [entry["row"] for entry in REAL]
NAMES = [row["city"] for row in ROWS]


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def real_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, Path]:
    tmp = tmp_path_factory.mktemp("real-cities")
    survey = write_survey(tmp / "real-cities.xlsx", ROWS)
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp / "out", jobs=0))
    return result, tmp / "out", survey


def city_text(outdir: Path, row: dict[str, object]) -> str:
    return pdf_text(outdir / files.pdf_name(str(row["country"]), str(row["city"])))


def test_the_fixture_names_its_sources() -> None:
    assert len(REAL) >= 6
    assert all(e["source"].startswith(("https://", "http://")) for e in REAL)
    assert all("cities-innovation-oecd.com/cities/" in e["source"] for e in REAL)


def test_every_real_city_is_built(real_build: tuple[BuildResult, Path, Path]) -> None:
    result, outdir, _survey = real_build
    assert not result.failed and not result.skipped
    assert len(result.written) == len(REAL)
    assert not [p for p in result.problems if p.severity is Severity.ERROR]


@pytest.mark.parametrize("entry", REAL, ids=NAMES)
def test_every_published_item_is_printed_in_the_pdf_wording(
    real_build: tuple[BuildResult, Path, Path], entry: dict[str, object]
) -> None:
    _result, outdir, _survey = real_build
    text = city_text(outdir, entry["row"])  # type: ignore[arg-type]
    missing = [item for item in entry["printed"] if squash(item) not in text]  # type: ignore[attr-defined]
    assert missing == []


def share_words(count: int, total: int) -> str:
    """As the published snapshots say it: a majority in words, else the figure."""
    return (
        "more than half of" if 2 * count > total else f"{(200 * count + total) // (2 * total)}% of"
    )


APPROACH_WORDS = {
    "Both": "both from a holistic / macro level and in specific policy areas",
    "Holistic / macro level": "from a holistic / macro level",
    "Specific policy areas": "in specific policy areas",
}


@pytest.mark.parametrize("row", ROWS, ids=NAMES)
def test_comparisons_say_the_share_as_the_published_snapshots(
    real_build: tuple[BuildResult, Path, Path], row: dict[str, object]
) -> None:
    _result, outdir, _survey = real_build
    text = city_text(outdir, row)
    city = row["city"]
    same = [r for r in ROWS if r["formal_strategy"] == row["formal_strategy"]]
    percent = (200 * len(same) + len(ROWS)) // (2 * len(ROWS))
    has = "has a" if row["formal_strategy"] == "Yes" else "does not have a"
    assert f"Like {percent}% of cities surveyed, {city} {has} formal innovation strategy." in text
    alike = [r for r in ROWS if r["approach"] == row["approach"]]
    words = share_words(len(alike), len(ROWS))
    assert (
        f"Similar to {words} cities surveyed, {city} approaches innovation capacity"
        f" {APPROACH_WORDS[str(row['approach'])]}." in text
    )


def test_a_share_that_is_no_majority_is_a_figure(
    real_build: tuple[BuildResult, Path, Path],
) -> None:
    _result, outdir, _survey = real_build
    amsterdam = next(r for r in ROWS if r["city"] == "Amsterdam")
    assert re.search(r"Similar to \d+% of cities surveyed, Amsterdam", city_text(outdir, amsterdam))


def test_web_answers_of_lima_print_as_the_reference(
    real_build: tuple[BuildResult, Path, Path],
) -> None:
    """Lima's web answers ("Focus on measurement", "Improve service delivery") give the
    reference snapshot's wording, as the seed prints it."""
    _result, outdir, _survey = real_build
    seed = squash((FIXTURES / "seed-lima.txt").read_text(encoding="utf-8").replace("**", ""))
    seed = seed.replace("✓ ", "").replace("- ", "")
    lima = next(r for r in ROWS if r["city"] == "Lima")
    text = city_text(outdir, lima)
    for sentence in (
        "Simplifying administrative procedures for firms and residents",
        "Improving service delivery",
        "Improving internal government operations",
        "The most critical success factors in supporting the city's innovation work are a focus"
        " on metrics, Human Resource involvement, and leadership from the Mayor.",
        "The top two priority policy areas for the city's innovation work are:",
    ):
        assert sentence in seed and sentence in text
    # The seed's priority tile says "Environment / climate change", its grid "Environment and
    # Climate Change": the layout spells each area one way, the grid's (issue 15).
    assert "Digital Governance" in text and "Environment and Climate Change" in text


def test_an_answer_no_option_knows_is_printed_as_typed_with_its_warning(
    real_build: tuple[BuildResult, Path, Path],
) -> None:
    result, outdir, _survey = real_build
    utrecht = next(r for r in ROWS if r["city"] == "Utrecht")
    text = city_text(outdir, utrecht)
    assert "Healthy Urban Living for Everyone" in text
    assert "Theme-based approach innovation" in text
    warnings = [p for p in result.warnings if p.city == "Utrecht"]
    typed = {p.location.header: p for p in warnings if "printed as typed" in p.message}
    assert set(typed) == {"Top two priority policy areas", "Innovation capacity associated with"}
    for problem in typed.values():
        assert problem.location.row == NAMES.index("Utrecht") + 2
        assert problem.location.column and f"column {problem.location.column}" in str(problem)
    assert "'Healthy Urban Living for Everyone'" in typed["Top two priority policy areas"].message
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_two_people_lead_innovation(real_build: tuple[BuildResult, Path, Path]) -> None:
    _result, outdir, _survey = real_build
    for name in ("Helsinki", "San Pedro Garza García"):
        row = next(r for r in ROWS if r["city"] == name)
        assert f"Innovation Leads: {row['innovation_lead']}" in city_text(outdir, row)
    lima = next(r for r in ROWS if r["city"] == "Lima")
    assert "Innovation Lead: Rubén Parra Williams" in city_text(outdir, lima)


def test_a_numbered_list_in_a_spotlight_stays_a_list(
    real_build: tuple[BuildResult, Path, Path],
) -> None:
    _result, _outdir, survey = real_build
    checked = validate(survey)
    [tel_aviv] = [r for r in checked.records if r.city == "Tel Aviv-Yafo"]
    assert tel_aviv.spotlight is not None and "\n1. " in tel_aviv.spotlight
    html = Renderer(load_layout()).html(tel_aviv, survey_figures(checked.records))
    spotlight = html[html.index('id="spotlight"') :]
    spotlight = spotlight[: spotlight.index("</section>")]
    assert '<ul class="typed-numbers">' in spotlight
    assert re.search(r"<li>1\. [^<]+</li>", spotlight)


# --- options a profile adds, with no Python ------------------------------------------------

OWN_OPTIONS = """
[answers.policy_areas.night_economy]
texts = ["Night-time economy", "Night economy"]
label = "Night-time economy"
icon = "world"

[answers.staff_profiles.futurist]
texts = ["Futurist"]
label = "Strategic Futurist"

[answers.success_factors.trust]
texts = ["Trust of residents"]
label = "Trust of residents"
in_sentence = "the trust of residents"
"""


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def own_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("own-options")
    profile = tmp / "own.toml"
    sample = package_file("survey/profiles/sample.toml").read_text(encoding="utf-8")
    profile.write_text(sample + OWN_OPTIONS, encoding="utf-8")
    survey = write_survey(
        tmp / "own.xlsx",
        [
            minimal_city(
                "Kestrel Falls",
                "Canada",
                staff_profiles="Futurist; Data scientist; Urban forester",
                priority_areas="Night economy; Housing; Urban forestry",
                success_factors="Trust of residents; Focus on measurement",
            ),
            minimal_city("Otherton", "Canada", approach="Specific policy areas"),
        ],
    )
    inputs = Inputs(survey=survey, profile=profile)
    result = build(Settings(inputs=inputs, outdir=tmp / "out", jobs=0))
    return result, tmp / "out", survey, profile


def test_a_profile_adds_an_option_with_its_label_and_icon(
    own_build: tuple[BuildResult, Path, Path, Path],
) -> None:
    result, outdir, survey, profile = own_build
    text = pdf_text(outdir / "canada-kestrel-falls.pdf")
    assert "Strategic Futurist" in text and "Data Scientist" in text
    assert "Night-time economy" in text
    assert (
        "The most critical success factors in supporting the city's innovation work are the"
        " trust of residents and a focus on metrics." in text
    )
    assert "The top three priority policy areas for the city's innovation work are:" in text
    own = {p.message for p in result.warnings if "Futurist" in p.message or "economy" in p.message}
    assert own == set()  # the profile's options are known options: no warning
    checked = validate(survey, profile)
    kestrel = checked.records[0]
    layout = load_layout()
    html = Renderer(layout).html(kestrel, survey_figures(checked.records))
    names = {glyph: name for name, glyph in layout.icon_characters.items()}
    tiles = [
        (names[glyph], label)
        for glyph, label in re.findall(
            r'aria-hidden="true">(.)</span><span class="tile-label">([^<]+)<', html
        )
    ]
    assert tiles == [
        ("world", "Night-time economy"),
        ("home", "Housing"),
        ("bulb", "Urban forestry"),  # typed: the layout's icon for an unlisted area
    ]


def test_unknown_answers_are_printed_as_typed_and_warned_by_cell(
    own_build: tuple[BuildResult, Path, Path, Path],
) -> None:
    result, outdir, _survey, _profile = own_build
    text = pdf_text(outdir / "canada-kestrel-falls.pdf")
    assert "Urban forester" in text and "Urban forestry" in text
    typed = [p for p in result.warnings if "printed as typed" in p.message]
    assert {p.location.header for p in typed} == {
        "Staff skills and profiles",
        "Top two priority policy areas",
    }
    assert all(p.location.row == 2 and p.location.column for p in typed)
    assert result.exit_code(strict=True) == 1
