"""The survey profile format: every form a field may take, [answers], and mistakes in a
profile reported together in one error that says what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshotpdf.errors import ProfileError
from snapshotpdf.models import Location, Severity
from snapshotpdf.survey.columns import bind, find, find_options, header_columns
from snapshotpdf.survey.profile import Source, load_profile

HEADER = Location("s.xlsx", "Responses", 2)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_form_a_field_may_take(tmp_path: Path) -> None:
    profile = load_profile(
        write(
            tmp_path,
            """
[profile]
name = "mine"
header_rows = 2
list_separator = "|"

[fields]
city = "City"
country = ["Country", "Response"]
staff_profiles = { question = "Staff", layout = "columns" }
partners_data = { column = "Data partners", separator = "," }
priority_areas = { question = "Priorities" }

[answers.policy_areas]
"Climate" = "environment"

[answers.yes_no]
"Oui" = "yes"
""",
        )
    )
    assert profile.name == "mine" and profile.header_rows == 2
    assert profile.sources["city"] == Source(("City",))
    assert profile.sources["country"] == Source(("Country", "Response"))
    assert profile.sources["staff_profiles"] == Source(("Staff",), "columns")
    assert profile.sources["partners_data"] == Source(("Data partners",), "cell", ",")
    assert profile.sources["priority_areas"].layout == "cell"
    assert profile.separator("partners_data") == ","
    assert profile.separator("priority_areas") == "|"
    assert profile.fields["country"] == "Country › Response"
    assert profile.answers == {"policy_areas": {"climate": "environment"}, "yes_no": {"oui": "yes"}}


def test_every_mistake_is_reported_in_one_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[profile]
header_rows = 5
colour = "blue"

[fields]
city = ""
mayor = { question = "Mayor", layout = "columns" }
staff_profiles = { column = "Staff", layout = "rows" }
website = { column = "Web", separator = "," }
favourite_food = "Food"
data_sufficiency = { question = "Enough data?" }

[data_sufficiency]
transport = "Transport"
space = "Space"

[answers.policy_areas]
"Climate" = "climate"

[answers.weather]
"Sunny" = "sun"
""",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    for expected in [
        "[profile] has an unknown key 'colour'",
        "header_rows must be 1, 2 or 3 (found 5)",
        "[fields] city: expected a column header",
        'mayor: layout = "columns" is for multiple-choice questions',
        'staff_profiles: layout must be "cell" or "columns" (found \'rows\')',
        "website: separator is only for several options in one cell",
        "unknown field(s) favourite_food",
        "[fields] must name the column of country",
        'data_sufficiency: the grid question needs layout = "columns"',
        "unknown policy area(s) space",
        "'Climate' = 'climate': not an option of policy_areas",
        "[answers.weather]: unknown question",
        "the data-sufficiency answers are named twice",
    ]:
        assert expected in message, expected
    assert "README.md, section 'Survey profiles'" in message
    assert message.count("\n  - ") == 13


def test_both_grid_forms_at_once_is_a_mistake(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[fields]
city = "City"
country = "Country"
data_sufficiency = { question = "Enough data?", layout = "columns" }

[data_sufficiency]
transport = "Transport"
""",
    )
    with pytest.raises(ProfileError, match="named twice"):
        load_profile(path)


def test_a_profile_that_is_not_toml_or_missing(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="is not valid TOML"):
        load_profile(write(tmp_path, "[fields\ncity = 1"))
    with pytest.raises(ProfileError, match="profile not found"):
        load_profile(tmp_path / "nope.toml")


# --- columns: how a profile's names find an export's columns ----------------------------


COLUMNS = header_columns(
    [
        ["Q1", "Q2", "Q3_1", "Q3_2", "Q4", "Q4", "Q5"],
        ["City", "Country", "Partners - Private firms", "Partners - NGOs", "Approach", "", ""],
        ["", "", "", "", "Response", "Other (please specify)", '{"ImportId":"QID5"}'],
    ]
)


def test_header_columns_fill_continuations_and_leave_out_import_ids() -> None:
    assert [c.key for c in COLUMNS] == [
        "Q1 › City",
        "Q2 › Country",
        "Q3_1 › Partners - Private firms",
        "Q3_2 › Partners - NGOs",
        "Q4 › Approach › Response",
        "Q4 › Approach › Other (please specify)",
        "Q5",
    ]


def test_a_column_is_found_by_any_header_cell_or_a_path() -> None:
    assert [c.letter for c in find(COLUMNS, ["City"])] == ["A"]
    assert [c.letter for c in find(COLUMNS, ["q1"])] == ["A"]  # case and spaces do not matter
    assert [c.letter for c in find(COLUMNS, ["Approach"])] == ["E", "F"]
    assert [c.letter for c in find(COLUMNS, ["Approach", "Response"])] == ["E"]
    assert find(COLUMNS, ["Response", "Approach"]) == []  # top to bottom


@pytest.mark.parametrize(
    ("headers", "question", "options"),
    [
        ([["Partners - Private firms", "Partners – NGOs"]], "Partners", ["Private firms", "NGOs"]),
        ([["Enough? [Housing]", "Enough? [Health]"]], "Enough?", ["Housing", "Health"]),
        ([["Sufficient data: Housing", "Other"]], "Sufficient data", ["Housing"]),
        ([["Partners", ""], ["Private firms", "NGOs"]], "Partners", ["Private firms", "NGOs"]),
        ([["Partnership fund"]], "Partners", []),  # no mark after the question: not an option
    ],
)
def test_options_of_a_question(headers: list[list[str]], question: str, options: list[str]) -> None:
    found = find_options(header_columns(headers), question)
    assert [option for _column, option in found] == options


def test_bind_says_what_is_missing_or_ambiguous(tmp_path: Path) -> None:
    profile = load_profile(
        write(
            tmp_path,
            """
[fields]
city = "City"
country = "Country"
mayor = "Mayer"
approach = "Approach"
partners_data = { question = "Partners", layout = "columns" }
""",
        )
    )
    columns = header_columns([["City", "Country", "Mayor", "Approach", "Approach"]])
    bound, problems = bind(profile, columns, HEADER)
    assert set(bound.sources) == {"city", "country", "approach"}
    by_text = {p.message.split(" (profile")[0]: p for p in problems}
    missing = by_text["no column 'Mayer' for field mayor"]
    assert missing.severity is Severity.WARNING
    assert "its answers are left out; did you mean 'Mayor'?" in missing.message
    assert "no question 'Partners' for field partners_data" in by_text
    [ambiguous] = [p for p in problems if "names 2 columns" in p.message]
    assert ambiguous.location.column == "D"
    assert "read from column D" in ambiguous.message


def test_a_profile_adds_options_with_their_wording(tmp_path: Path) -> None:
    profile = load_profile(
        write(
            tmp_path,
            """
[fields]
city = "City"
country = "Country"

[answers.policy_areas]
"Climate" = "environment"
"Nightlife" = "night_economy"

[answers.policy_areas.night_economy]
texts = ["Night-time economy"]
label = "Night-time economy"
icon = "world"

[answers.success_factors.trust]
texts = ["Trust of residents", "Residents' trust"]
label = "Trust of residents"
in_sentence = "the trust of residents"
""",
        )
    )
    night = profile.options["policy_areas"]["night_economy"]
    assert (night.label, night.in_sentence, night.icon) == (
        "Night-time economy",
        "Night-time economy",  # in a sentence as on the page, unless said
        "world",
    )
    assert profile.options["success_factors"]["trust"].in_sentence == "the trust of residents"
    assert profile.answers["policy_areas"] == {
        "night-time economy": "night_economy",
        "climate": "environment",
        "nightlife": "night_economy",
    }
    assert profile.answers["success_factors"]["residents' trust"] == "trust"


def test_every_mistake_in_an_added_option_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[fields]
city = "City"
country = "Country"

[answers.policy_areas.housing]
texts = ["Homes"]
label = "Homes"

[answers.policy_areas.Bad-Key]
texts = []
label = ""
icon = "../../etc/passwd"
colour = "red"

[answers.staff_profiles.futurist]
texts = ["Futurist"]
label = "Futurist"
icon = "bulb"

[answers.approach.sideways]
texts = ["Sideways"]
label = "sideways"

[answers.yes_no.maybe]
texts = ["Maybe"]
label = "maybe"
""",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    for expected in (
        "[answers.policy_areas.housing]: housing is an option of policy_areas already",
        "[answers.policy_areas.Bad-Key]: an option key is lower-case letters, digits and _",
        "[answers.policy_areas.Bad-Key]: unknown key(s) colour",
        "[answers.policy_areas.Bad-Key]: texts must list the answer texts",
        "[answers.policy_areas.Bad-Key]: label must say how the option is printed",
        "[answers.policy_areas.Bad-Key]: icon must name a file of the layout's icons/ folder",
        "[answers.staff_profiles.futurist]: icon is only for policy areas",
        "[answers.approach.sideways]: approach takes one of its own options",
        "[answers.yes_no.maybe]: yes_no has no options to add",
    ):
        assert expected in message
    assert "9 problem(s)" in message
