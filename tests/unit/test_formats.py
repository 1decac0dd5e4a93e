"""The same five cities exported the way five survey tools write them give the same records.

The fixtures come from tests/fixtures/make_fixtures.py; each export is read with its own
shipped profile (snapshotpdf/survey/profiles/) and compared with golden-five-cities.json.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from support.helpers import FIXTURES

from snapshotpdf.assets import package_file
from snapshotpdf.models import CityRecord, Severity
from snapshotpdf.survey.read import read_survey
from snapshotpdf.survey.validate import Validation, validate

EXPORTS = {
    "five-cities-tidy.xlsx": "sample",
    "five-cities-unicode-text.txt": "sample",
    "five-cities-surveymonkey.xlsx": "surveymonkey",
    "five-cities-qualtrics.csv": "qualtrics",
    "five-cities-googleforms.csv": "googleforms",
}
GOLDEN = json.loads((FIXTURES / "golden-five-cities.json").read_text(encoding="utf-8"))


def as_json(record: CityRecord) -> dict[str, object]:
    data = dataclasses.asdict(record)
    del data["source"]
    return json.loads(json.dumps(data))


def profile(name: str) -> Path:
    return package_file(f"survey/profiles/{name}.toml")


@pytest.fixture(scope="module", params=sorted(EXPORTS))
def checked(request: pytest.FixtureRequest) -> tuple[str, Validation]:
    name = request.param
    return name, validate(FIXTURES / name, profile(EXPORTS[name]))


def test_every_export_gives_the_golden_records(checked: tuple[str, Validation]) -> None:
    name, result = checked
    assert [as_json(r) for r in result.records] == GOLDEN, name


def test_every_export_reads_cleanly(checked: tuple[str, Validation]) -> None:
    name, result = checked
    assert [str(p) for p in result.problems] == [], name
    assert result.data_rows == 5 and not result.skipped and not result.blank_rows


def test_rows_are_numbered_as_excel_shows_them(checked: tuple[str, Validation]) -> None:
    name, result = checked
    header_rows = {"surveymonkey": 2, "qualtrics": 3}.get(EXPORTS[name], 1)
    assert [r.source.row for r in result.records] == [header_rows + i for i in range(1, 6)]


def test_the_golden_file_holds_what_the_tools_disagree_on() -> None:
    lima, sao, kalamopoli, incebel, kestrel = GOLDEN
    assert lima["priority_areas"] == ["social_inclusion", "digital_governance"]
    assert sao["priority_areas"] == ["transport", "environment"]
    assert sao["city"] == "São Miguel do Norte"
    assert incebel["staff_profiles"] == ["project_manager", "designer"]
    assert lima["population"] == {"count": 9670000, "year": 2020}
    assert lima["formal_strategy"] is True and kalamopoli["formal_strategy"] is False
    assert kestrel["population"] is None and kestrel["mayor"] is None


def test_google_forms_options_with_commas_are_split_on_known_options() -> None:
    text = (FIXTURES / "five-cities-googleforms.csv").read_text(encoding="utf-8")
    assert '"Social Inclusion, Equity, Digital Governance"' in text
    result = validate(FIXTURES / "five-cities-googleforms.csv", profile("googleforms"))
    assert result.records[0].priority_areas == ("social_inclusion", "digital_governance")


def test_surveymonkey_other_column_counts_a_known_option_typed_there() -> None:
    table = read_survey(FIXTURES / "five-cities-surveymonkey.xlsx", header_rows=2)
    other = [k for k in table.headers if k.endswith("Other (please specify)")]
    question = "Which profiles and skills does the innovation team include?"
    assert other == [f"{question} › Other (please specify)"]
    incebel = table.rows[3]
    assert incebel.cells[other[0]] == "Service Designer"


def test_surveymonkey_merged_question_continues_over_its_options() -> None:
    table = read_survey(FIXTURES / "five-cities-surveymonkey.xlsx", header_rows=2)
    staff = [c for c in table.columns if c.cells[0].startswith("Which profiles")]
    assert len(staff) == 11  # ten options and "Other (please specify)"
    assert staff[1].cells == (
        "Which profiles and skills does the innovation team include?",
        "Data Scientist",
    )
    assert staff[1].letter == "P"


def test_surveymonkey_dates_and_numbers_stay_typed() -> None:
    from datetime import datetime

    table = read_survey(FIXTURES / "five-cities-surveymonkey.xlsx", header_rows=2)
    lima = table.rows[0]
    assert isinstance(lima.cells["Start Date"], datetime)
    assert lima.cells["Population of the city › Open-Ended Response"] == 9670000


def test_qualtrics_names_columns_by_any_header_row() -> None:
    table = read_survey(FIXTURES / "five-cities-qualtrics.csv", header_rows=3)
    city = next(c for c in table.columns if c.cells[0] == "Q1")
    assert city.key == "Q1 › Which city do you represent?"  # the import ID is left out
    assert city.cells[2] == '{"ImportId":"QID1_TEXT"}'


def test_qualtrics_decomposed_accents_become_nfc() -> None:
    raw = (FIXTURES / "five-cities-qualtrics.csv").read_text(encoding="utf-8-sig")
    assert "Sa\u0303o Miguel" in raw  # as the browser sent it
    result = validate(FIXTURES / "five-cities-qualtrics.csv", profile("qualtrics"))
    assert result.records[1].city == "S\u00e3o Miguel do Norte"


def test_unicode_text_is_utf16_with_tabs() -> None:
    data = (FIXTURES / "five-cities-unicode-text.txt").read_bytes()
    assert data.startswith(b"\xff\xfe") and "\t".encode("utf-16-le") in data


def test_a_profile_for_another_tool_says_which_columns_are_missing() -> None:
    from snapshotpdf.errors import ProfileError

    with pytest.raises(ProfileError) as caught:
        validate(FIXTURES / "five-cities-googleforms.csv", profile("sample"))
    message = str(caught.value)
    assert "lacks the column(s) every row needs: 'City', 'Country'" in message
    assert "profile init" in message


def test_every_shipped_profile_loads() -> None:
    from snapshotpdf.survey.profile import load_profile

    names = sorted(p.stem for p in package_file("survey/profiles").glob("*.toml"))
    assert names == ["googleforms", "qualtrics", "sample", "surveymonkey"]
    for name in names:
        assert load_profile(profile(name)).name == name


def test_warnings_carry_severity_and_location_for_unknown_matrix_rows(tmp_path: Path) -> None:
    """A grid row the vocabulary does not know is said once, at the header."""
    text = (FIXTURES / "five-cities-googleforms.csv").read_text(encoding="utf-8")
    path = tmp_path / "grid.csv"
    path.write_text(text.replace("[Tourism]", "[Space travel]"), encoding="utf-8")
    result = validate(path, profile("googleforms"))
    [warning] = result.warnings
    assert warning.severity is Severity.WARNING
    assert warning.location.row == 1 and warning.location.column
    assert "'Space travel' is not a policy area" in warning.message
    kalamopoli = result.records[2]
    assert ("tourism", True) not in kalamopoli.data_sufficiency


def test_an_export_with_fewer_header_rows_than_its_profile_loses_no_respondent(
    tmp_path: Path,
) -> None:
    """SurveyMonkey's "condensed" export has one header row, its profile two: the first
    respondent would be read as the row of option names and lost without a word. A
    number where a field is read in that row stops the run, saying which row and why."""
    from openpyxl import load_workbook

    from snapshotpdf.errors import ProfileError

    workbook = load_workbook(FIXTURES / "five-cities-surveymonkey.xlsx")
    workbook.active.delete_rows(2)  # the row of option names
    path = tmp_path / "condensed.xlsx"
    workbook.save(path)
    with pytest.raises(ProfileError) as caught:
        validate(path, profile("surveymonkey"))
    assert "row 2 is read as a header row (the profile's header_rows = 2)" in str(caught.value)
    assert "9670000" in str(caught.value) and "field population" in str(caught.value)
    assert "header_rows = 1" in caught.value.hint
