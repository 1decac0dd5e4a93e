"""`snapshotpdf check` and `snapshotpdf profile init` as a user meets them, the corpus of
bad inputs (tests/fixtures/bad/) with its documented messages and exit codes, and the run
report a build leaves in OUTDIR/report.json."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest
from support.helpers import FIXTURES, ROOT, minimal_city, write_survey
from support.workbook import write_xlsx
from typer.testing import CliRunner

from snapshotpdf.assets import package_file
from snapshotpdf.batch.check import run_check
from snapshotpdf.batch.report import safe_cell
from snapshotpdf.cli.app import app
from snapshotpdf.cli.output import TerminalReporter
from snapshotpdf.models import Inputs
from snapshotpdf.reporter import Recorder

runner = CliRunner()
BAD = FIXTURES / "bad"

# file -> (exit code of check, what its output says)
CORPUS = {
    "blank-rows.csv": (0, ["4 data row(s): 2 valid, 2 blank row(s), 0 error(s), 0 warning(s)"]),
    "missing-city.csv": (
        1,
        [
            "error: missing-city.csv, row 3, column A ('City'): no city: the row is skipped;"
            " fill in the city",
            "error: missing-city.csv, row 4, column B ('Country'): no country",
            "3 data row(s): 1 valid, 2 row(s) skipped",
        ],
    ),
    "duplicate-city.csv": (
        1,
        [
            "error: duplicate-city.csv, row 4, column A ('City'): Lima, Peru is already in row 2"
            " (both would be peru-lima.pdf); this row is skipped: remove or rename it"
            " (found 'Lima')"
        ],
    ),
    "unknown-options.csv": (
        0,
        [
            "row 2, column J ('Staff skills and profiles'): staff profiles: 1 answer(s) match no"
            " known option and are printed as typed: 'Quantum Physicist'",
            "[answers.staff_profiles]",
            "column N ('Innovation approach'): approach: expected one of 'Holistic / macro"
            " level', 'Specific policy areas', 'Both'; this answer was dropped (found 'Sideways')",
            "'Space exploration'",
            "1 data row(s): 1 valid, 0 error(s), 3 warning(s)",
        ],
    ),
    "wrong-types.csv": (
        0,
        [
            "column F ('Population'): population: expected a number of inhabitants, e.g. 9670000"
            " or 9.67 million; this answer was dropped (found 'lots')",
            "population year dropped: expected a four-digit year such as 2020 (found 'last year')",
            "term: expected a term as start–end years",
            "formal strategy: expected Yes or No",
            "website: only http:// and https:// links are printed; this link was dropped"
            " (found 'javascript:alert(1)')",
            "contact email: expected an e-mail address",
            "6 warning(s)",
        ],
    ),
    "cp1252.csv": (
        0,
        [
            "warning: cp1252.csv, row 2, column C ('Mayor'): this row is the first with text that"
            " is not UTF-8, read as Windows-1252 (cp1252)",
            "(found 'Jorge Vicente Martín Muñoz Wells')",
        ],
    ),
    "truncated.xlsx": (
        2,
        [
            "error: truncated.xlsx cannot be read as a XLSX survey export: it is damaged or"
            " incomplete",
            "hint: open the export in Excel and save it again as .xlsx or CSV UTF-8",
        ],
    ),
    "empty.csv": (2, ["error: empty.csv is empty", "hint: export the survey again"]),
    "not-a-spreadsheet.xlsx": (2, ["it is a PDF document, not a spreadsheet"]),
    "not-a-spreadsheet.csv": (2, ["cannot be read as a CSV survey export: it holds binary data"]),
    "xml-entities.xlsx": (2, ["its XML declares entities, which are refused"]),
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_check_says_what_is_wrong_with_each_bad_input(name: str) -> None:
    code, expected = CORPUS[name]
    result = runner.invoke(app, ["check", str(BAD / name)])
    assert result.exit_code == code, result.output
    for text in expected:
        assert text in result.output, text
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(n for n, (code, _) in CORPUS.items() if code == 2))
def test_build_stops_on_an_unreadable_file_with_the_same_message(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(BAD / name), "-o", str(tmp_path), "-q"])
    assert result.exit_code == 2
    assert CORPUS[name][1][0] in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "report.json").exists()


def test_strict_check_fails_on_warnings() -> None:
    survey = str(BAD / "unknown-options.csv")
    assert runner.invoke(app, ["check", survey]).exit_code == 0
    assert runner.invoke(app, ["check", survey, "--strict"]).exit_code == 1
    clean = str(FIXTURES / "five-cities-tidy.xlsx")
    result = runner.invoke(app, ["check", clean, "--strict"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "5 data row(s): 5 valid, 0 error(s), 0 warning(s)" in result.stderr


def test_check_reads_another_tool_with_its_profile() -> None:
    google = FIXTURES / "five-cities-googleforms.csv"
    result = runner.invoke(app, ["check", str(google)])
    assert result.exit_code == 2
    assert "lacks the column(s) every row needs: 'City', 'Country'" in result.stderr
    assert "did you mean" not in result.stderr  # nothing close to "City" in that export
    assert "snapshotpdf profile init SURVEY" in result.stderr
    survey = FIXTURES / "five-cities-surveymonkey.xlsx"
    result = runner.invoke(app, ["check", str(survey)])
    assert result.exit_code == 2
    assert "has no sheet 'Responses'" in result.stderr  # the sample profile's sheet
    assert "hint: sheets: Sheet (choose with --sheet)" in result.stderr
    profile = package_file("survey/profiles/surveymonkey.toml")
    result = runner.invoke(app, ["check", str(survey), "--profile", str(profile)])
    assert result.exit_code == 0, result.output
    assert "5 data row(s): 5 valid" in result.stderr


def test_check_csv_is_a_table_no_spreadsheet_will_run(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [minimal_city('=HYPERLINK("http://x")', "Ruritania", website="-cmd|calc", population="+1")],
    )
    result = runner.invoke(app, ["check", str(survey), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    city, population, website = rows  # openpyxl wrote the city as a formula without a value
    assert city["value"] == '\'=HYPERLINK("http://x")'
    assert "formula has no saved value" in city["message"]
    assert population["value"] == "'+1"
    assert website["value"] == "'-cmd|calc"
    assert website["row"] == "2" and website["column"] == "H" and website["severity"] == "warning"
    assert website["header"] == "Innovation / open data website"
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Lima", "Lima"),
        (None, ""),
        (7, "7"),
    ],
)
def test_safe_cell(value: object, safe: str) -> None:
    assert safe_cell(value) == safe


def test_check_json_is_the_run_report() -> None:
    result = runner.invoke(app, ["check", str(BAD / "blank-rows.csv"), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["command"] == "check" and report["exit_code"] == 0
    assert report["counts"] == {
        "data_rows": 4,
        "valid": 2,
        "skipped": 0,
        "blank": 2,
        "errors": 0,
        "warnings": 0,
    }
    assert [(r["row"], r["status"]) for r in report["rows"]] == [
        (2, "valid"),
        (3, "blank"),
        (4, "blank"),
        (5, "valid"),
    ]


def test_a_build_with_nothing_to_render_still_reports(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", [minimal_city("", "Ruritania"), {}, {"mayor": "X"}])
    result = runner.invoke(app, ["build", str(survey), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["rows"]] == ["skipped", "blank", "skipped"]
    assert not list((tmp_path / "out").glob("*.pdf"))


# --- profile init -----------------------------------------------------------------------

SHIPPED = {
    "five-cities-surveymonkey.xlsx": "surveymonkey",
    "five-cities-qualtrics.csv": "qualtrics",
    "five-cities-googleforms.csv": "googleforms",
}


def shipped(name: str) -> dict[str, object]:
    with package_file(f"survey/profiles/{name}.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("export", sorted(SHIPPED))
def test_profile_init_drafts_the_shipped_profile(export: str) -> None:
    result = runner.invoke(app, ["profile", "init", str(FIXTURES / export)])
    assert result.exit_code == 0, result.output
    draft = tomllib.loads(result.stdout)
    expected = shipped(SHIPPED[export])
    assert draft["fields"] == expected["fields"]
    assert draft["profile"]["header_rows"] == expected["profile"]["header_rows"]  # type: ignore[index]
    assert "matched 29 of 29 fields" in result.stderr


def test_the_draft_says_which_answers_it_could_not_match() -> None:
    result = runner.invoke(app, ["profile", "init", str(FIXTURES / "five-cities-googleforms.csv")])
    assert '# "Transit and mobility" = ""  # one of: transport,' in result.stdout
    assert '# "Yes, we do" = ""  # one of: yes, no' in result.stdout
    assert "3 answer(s) match no known option" in result.stderr


@pytest.mark.parametrize("name", ["x\n[fields]\ncity = 1\n.csv", "x\x01y.csv", "x\udcffy.csv"])
def test_a_file_name_of_any_bytes_makes_a_draft_that_loads(tmp_path: Path, name: str) -> None:
    """The export's file name goes into the draft's comments and strings: a line break in
    it ended a comment, and the draft did not load back."""
    export = tmp_path / name
    export.write_bytes((FIXTURES / "five-cities-googleforms.csv").read_bytes())
    result = runner.invoke(app, ["profile", "init", str(export)])
    assert result.exit_code == 0, result.output
    draft = tomllib.loads(result.stdout)
    assert draft["fields"]["city"] and "\\u" in draft["profile"]["description"]


def test_blank_header_cells_over_answers_are_one_header_row(tmp_path: Path) -> None:
    """Two blank header cells with answers under them were read as a question over its
    options: the first city became a second header row, and fields went to wrong columns."""
    from snapshotpdf.survey.draft import guess_header_rows

    first = ["City", "Country", "Mayor", "", "", "Contact e-mail"]
    answers = ["Lima", "Peru", "Ana", "x", "y", "innovation@lima.example"]
    assert guess_header_rows([first, answers]) == 1
    options = ["", "", "", "Transport", "Housing", ""]
    assert guess_header_rows([first, options]) == 2  # short option names: SurveyMonkey's
    export = tmp_path / "blank.csv"
    export.write_text(",".join(first) + "\n" + ",".join(answers) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["profile", "init", str(export)])
    assert tomllib.loads(result.stdout)["profile"]["header_rows"] == 1
    assert "header rows" not in result.stderr  # nothing guessed beyond the usual


def test_the_draft_of_a_tidy_export_reads_it_right(tmp_path: Path) -> None:
    export = FIXTURES / "five-cities-tidy.xlsx"
    result = runner.invoke(app, ["profile", "init", str(export)])
    draft = tmp_path / "draft.toml"
    draft.write_text(result.stdout, encoding="utf-8")
    args = ["check", str(export), "--profile", str(draft), "--format", "json"]
    checked = runner.invoke(app, args)
    report = json.loads(checked.stdout)
    assert report["counts"]["valid"] == 5 and report["counts"]["warnings"] == 0


def test_the_draft_names_what_it_did_not_find(tmp_path: Path) -> None:
    export = tmp_path / "few.csv"
    export.write_text("Timestamp,Town,Nation,Fav colour\n1,Lima,Peru,blue\n", encoding="utf-8")
    result = runner.invoke(app, ["profile", "init", str(export)])
    assert result.exit_code == 0
    draft = tomllib.loads(result.stdout)
    assert draft["fields"] == {"city": "Town", "country": "Nation"}
    assert '# mayor = ""' in result.stdout
    assert "#   D 'Fav colour'" in result.stdout
    assert "not found: mayor, term" in result.stderr


def test_profile_init_on_an_unreadable_file_is_a_clear_error() -> None:
    result = runner.invoke(app, ["profile", "init", str(BAD / "truncated.xlsx")])
    assert result.exit_code == 2
    assert "cannot be read as a XLSX survey export" in result.output
    assert "Traceback" not in result.output


# --- the README tells the truth -----------------------------------------------------------

# check, profile init and the survey profiles are documented in the manual's profiles page
README = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["check"], ["profile", "init"]])
def test_readme_documents_every_option(command: list[str]) -> None:
    import re

    help_text = runner.invoke(app, [*command, "--help"], terminal_width=200).output
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help", "--no-strict"}
    assert options
    for option in sorted(options):
        assert f"`{option}" in README or f"[{option}" in README, option


def test_the_readme_profile_example_is_a_valid_profile(tmp_path: Path) -> None:
    from snapshotpdf.survey.profile import load_profile

    section = README.split("## Survey profiles", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    profile = load_profile(path)
    assert profile.name == "city-survey-2024" and profile.header_rows == 2
    assert profile.sources["partners_innovation"].layout == "columns"
    assert profile.separator("funding_sources") == ","
    assert profile.answers["yes_no"] == {"oui": "yes", "non": "no"}


def test_the_draft_skips_survey_tool_columns_and_reads_surveymonkeys_contact_question(
    tmp_path: Path,
) -> None:
    """A SurveyMonkey export as it comes: its own columns about each response (one of them,
    Last Name, empty; another, Email Address, the collector's), and the city, country and
    address as sub-fields of its standard "Contact information" question."""
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"]
    meta += ["Email Address", "First Name", "Last Name", "Custom Data 1"]
    contact = ["Name", "City/Town", "Country", "Email Address", "Phone Number"]
    top = [
        *meta,
        "Contact information",
        *[""] * (len(contact) - 1),
        "Does your city have a formal innovation strategy?",
    ]
    sub = [""] * len(meta) + contact + ["Response"]
    rows = [
        [
            101,
            9,
            "2020-01-02",
            "2020-01-02",
            "10.0.0.1",
            "",
            "Ana",
            None,
            "x",
            "Ana Pérez",
            "Lima",
            "Peru",
            "ana@lima.example",
            "+51",
            "Yes",
        ],
        [
            102,
            9,
            "2020-01-03",
            "2020-01-03",
            "10.0.0.2",
            "",
            "Li",
            None,
            "y",
            "Li Wei",
            "Porto",
            "Portugal",
            "li@porto.example",
            "+351",
            "No",
        ],
    ]
    export = write_xlsx(tmp_path / "monkey.xlsx", [top, sub, *rows])
    result = runner.invoke(app, ["profile", "init", str(export)])
    assert result.exit_code == 0, result.output
    fields = tomllib.loads(result.stdout)["fields"]
    assert fields["city"] == ["Contact information", "City/Town"]
    assert fields["country"] == ["Contact information", "Country"]
    assert fields["contact_email"] == ["Contact information", "Email Address"]
    assert fields["formal_strategy"] == "Does your city have a formal innovation strategy?"
    mapped = json.dumps(fields)
    for column in ("Respondent ID", "IP Address", "Last Name", "First Name", "Custom Data 1"):
        assert column not in mapped


def test_check_tells_its_progress_city_by_city_and_a_short_check_prints_none(
    tmp_path: Path,
) -> None:
    cities = [minimal_city(name, "Ruritania") for name in ("Alpha", "Beta", "Gamma")]
    survey = write_survey(tmp_path / "survey.xlsx", cities)
    recorder = Recorder()
    run_check(Inputs(survey=survey), reporter=recorder)
    assert recorder.progressed == [(1, 3, "Alpha"), (2, 3, "Beta"), (3, 3, "Gamma")]

    stream = io.StringIO()  # not a terminal: lines, not a bar
    quick = TerminalReporter(stream=stream, things="cities checked", always_last=False)
    for done, city in enumerate(("Alpha", "Beta", "Gamma"), 1):
        quick.progress(done, 3, city)
    assert stream.getvalue() == ""  # done before a line was due: nothing said
    slow = TerminalReporter(stream=stream, things="cities checked", always_last=False)
    slow.lines.every = 0.0
    slow.progress(1, 3, "Alpha")
    slow.progress(3, 3, "Gamma")
    lines = stream.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == ["1/3 cities checked", "3/3 cities checked"]
    assert lines[-1].endswith("(Gamma)")
