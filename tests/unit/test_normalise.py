"""Unit tests for snapshotpdf.survey.normalise.normalise_row with the bundled default profile."""

from __future__ import annotations

import dataclasses

import pytest

from snapshotpdf import limits
from snapshotpdf.models import (
    CityRecord,
    Location,
    Population,
    Problem,
    RawRow,
    Severity,
    Term,
)
from snapshotpdf.survey.normalise import normalise_row
from snapshotpdf.survey.profile import Profile, load_profile
from snapshotpdf.survey.read import column_letter

FILE = "survey.xlsx"
SHEET = "Responses"
ROW = 7


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile()


def columns(profile: Profile) -> dict[str, str]:
    return {header: column_letter(i) for i, header in enumerate(profile.headers())}


def make_row(profile: Profile, values: dict[str, object], row: int = ROW) -> RawRow:
    """A raw row from field name -> value; fields not given are blank (None)."""
    headers = {**profile.fields, **profile.data_sufficiency}
    unknown = set(values) - set(headers)
    assert not unknown, f"not in the profile: {unknown}"
    cells: dict[str, object] = {header: None for header in profile.headers()}
    for field, value in values.items():
        cells[headers[field]] = value
    return RawRow(Location(FILE, SHEET, row), cells, columns(profile))


COMPLETE: dict[str, object] = {
    "city": "Lima",
    "country": "Peru",
    "mayor": "Jorge Muñoz",
    "term": "2019-2022",
    "innovation_lead": "Rubén Parra",
    "population": "9,670,000",
    "population_year": 2020,
    "website": "http://datosabiertos.munlima.gob.pe/",
    "org_structure": "A task group.\n\nLed by an office chief.",
    "staff_profiles": "Project Manager; Data Scientist; Service Designer",
    "spotlight": "Open data portal.",
    "formal_strategy": "Yes",
    "innovation_associations": "Data analytics; Social innovation",
    "approach": "Holistic / macro level",
    "priority_areas": "Transport / Mobility; Environment / climate change",
    "partners_innovation": "Private firms; Academia and think tanks",
    "partners_data": "Other cities",
    "dedicated_funding": "No",
    "funding_sources": "Private sector",
    "funding_directed": "Building partnerships",
    "innovation_helps": "Improving service delivery",
    "success_factors": "Leadership from the Mayor; Dedicated funding",
    "role_of_data": "Significant",
    "data_uses": "To inform policy decisions",
    "data_challenges": "Lack of funding; Poor data quality",
    "open_data": "Yes, to a central, public online location",
    "contact_email": "innovation@munlima.gob.pe",
    "language": "EN",
    "transport": "Yes",
    "environment": "No",
    "health": "yes",
}


def warnings_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.WARNING]


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def test_complete_row(profile: Profile) -> None:
    record, problems = normalise_row(make_row(profile, COMPLETE), profile)
    assert problems == []
    assert isinstance(record, CityRecord)
    assert record.source == Location(FILE, SHEET, ROW)
    assert record.city == "Lima"
    assert record.country == "Peru"
    assert record.mayor == "Jorge Muñoz"
    assert record.term == Term(2019, 2022)
    assert record.innovation_lead == "Rubén Parra"
    assert record.population == Population(9_670_000, 2020)
    assert record.website == "http://datosabiertos.munlima.gob.pe/"
    assert record.org_structure == "A task group.\n\nLed by an office chief."
    assert record.staff_profiles == ("project_manager", "data_scientist", "designer")
    assert record.spotlight == "Open data portal."
    assert record.formal_strategy is True
    assert record.innovation_associations == ("data_analytics", "social")
    assert record.approach == "holistic"
    assert record.priority_areas == ("transport", "environment")
    assert record.partners_innovation == ("private", "academia")
    assert record.partners_data == ("other_cities",)
    assert record.dedicated_funding is False
    assert record.funding_sources == ("private_sector",)
    assert record.funding_directed == ("partnerships",)
    assert record.innovation_helps == ("service_delivery",)
    assert record.success_factors == ("mayor", "funding")
    assert record.role_of_data == "significant"
    assert record.data_uses == ("policy",)
    assert record.data_challenges == ("funding", "quality")
    assert record.open_data == "central"
    assert record.contact_email == "innovation@munlima.gob.pe"
    assert record.language == "en"
    # in the profile's (grid) order, unanswered areas left out
    assert record.data_sufficiency == (
        ("transport", True),
        ("health", True),
        ("environment", False),
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "Environment / climate change",
        "Environment and Climate Change",
        "environment and climate change",
        "  ENVIRONMENT / CLIMATE\u00a0CHANGE ",
    ],
)
def test_policy_area_spellings_map_to_one_key(profile: Profile, spelling: str) -> None:
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "priority_areas": spelling}), profile
    )
    assert problems == []
    assert record is not None
    assert record.priority_areas == ("environment",)


# Answers of the 2018 edition's pages (Cape Town, Curridabat, Chattanooga, Stockholm), which
# tests/fixtures/real-cities.json (the 2020 edition) does not hold.
EDITION_2018 = {
    "priority_areas": (
        "Security; Resource efficiency; Excellence in basic service delivery; Early learning",
        ("security", "resource_efficiency", "basic_services", "early_learning"),
    ),
    "innovation_associations": (
        "Altered working culture; Pollination",
        ("working_culture", "pollination"),
    ),
    "staff_profiles": ("Health professional", ("health_professional",)),
    "innovation_helps": (
        "Serve current obligations; Service current obligations",
        ("obligations",),
    ),
}


@pytest.mark.parametrize("field", list(EDITION_2018))
def test_answers_of_the_2018_pages_are_known_options(profile: Profile, field: str) -> None:
    typed, keys = EDITION_2018[field]
    record, problems = normalise_row(make_row(profile, {**COMPLETE, field: typed}), profile)
    assert problems == []
    assert record is not None
    assert getattr(record, field) == keys


def test_both_spellings_of_one_area_count_once(profile: Profile) -> None:
    value = "Environment / climate change; Environment and Climate Change; Housing"
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "priority_areas": value}), profile
    )
    assert problems == []
    assert record is not None
    assert record.priority_areas == ("environment", "housing")


def test_unknown_option_is_kept_as_typed_with_a_located_warning(profile: Profile) -> None:
    header = profile.fields["staff_profiles"]
    value = "Project Manager; Quantum stuff; Data Scientist"
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "staff_profiles": value}), profile
    )
    assert record is not None
    assert record.staff_profiles == ("project_manager", "typed:Quantum stuff", "data_scientist")
    [typed] = record.own_options
    assert (typed.question, typed.label, typed.in_sentence) == (
        "staff_profiles",
        "Quantum stuff",
        "Quantum stuff",
    )
    assert errors_of(problems) == []
    [warning] = warnings_of(problems)
    assert "'Quantum stuff'" in warning.message and "printed as typed" in warning.message
    assert "Project Manager" not in warning.message
    assert warning.value == value
    assert warning.city == "Lima"
    assert warning.location.file == FILE
    assert warning.location.sheet == SHEET
    assert warning.location.row == ROW
    assert warning.location.header == header
    assert warning.location.column == columns(profile)[header]
    assert warning.location.column == column_letter(profile.headers().index(header))
    assert f"column {warning.location.column}" in str(warning)


@pytest.mark.parametrize("missing", ["city", "country"])
@pytest.mark.parametrize("blank", [None, "", "   ", float("nan")])
def test_missing_required_field_skips_row(profile: Profile, missing: str, blank: object) -> None:
    row = make_row(profile, {**COMPLETE, missing: blank}, row=12)
    record, problems = normalise_row(row, profile)
    assert record is None
    [error] = errors_of(problems)
    assert error.location.row == 12
    assert error.location.header == profile.fields[missing]
    assert error.location.column == columns(profile)[profile.fields[missing]]
    assert missing in error.message
    assert "row 12" in str(error)


def test_missing_city_and_country_gives_two_errors(profile: Profile) -> None:
    record, problems = normalise_row(make_row(profile, {"mayor": "Someone"}, row=3), profile)
    assert record is None
    errors = errors_of(problems)
    assert {e.location.header for e in errors} == {
        profile.fields["city"],
        profile.fields["country"],
    }
    assert all(e.location.row == 3 for e in errors)
    assert all(e.city is None for e in errors)


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "ftp://ftp.lima.gob.pe", "file:///etc/passwd"]
)
def test_non_http_website_is_dropped_with_warning(profile: Profile, website: str) -> None:
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "website": website}), profile)
    assert record is not None
    assert record.website is None
    [warning] = problems
    assert warning.severity is Severity.WARNING
    assert warning.location.header == profile.fields["website"]
    assert warning.value == website
    assert "website" in warning.message


def test_bare_domain_website_gets_https(profile: Profile) -> None:
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "website": "datos.lima.gob.pe"}), profile
    )
    assert problems == []
    assert record is not None
    assert record.website == "https://datos.lima.gob.pe"


def test_priority_areas_keep_the_citys_order_up_to_the_limit(profile: Profile) -> None:
    value = "Housing; Health; Transport/Mobility; Culture; Connectivity; Tourism; My own area"
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "priority_areas": value}), profile
    )
    assert record is not None
    assert limits.MAX_PRIORITY_AREAS == 5
    assert record.priority_areas == ("housing", "health", "transport", "culture", "connectivity")
    warnings = warnings_of(problems)
    assert [w.location.header for w in warnings] == [profile.fields["priority_areas"]] * 2
    assert "'My own area'" in warnings[0].message and "printed as typed" in warnings[0].message
    assert "first 5" in warnings[1].message
    assert "tourism" in warnings[1].message and "'My own area'" in warnings[1].message
    assert not [o for o in record.own_options if o.key.endswith("My own area")]


@pytest.mark.parametrize("value", ["n/a", "N/A", None, "", float("nan")])
def test_population_not_available_is_none_without_warning(profile: Profile, value: object) -> None:
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "population": value}), profile)
    assert problems == []
    assert record is not None
    assert record.population is None


def test_population_without_year(profile: Profile) -> None:
    values = {**COMPLETE, "population": 850000.0, "population_year": None}
    record, problems = normalise_row(make_row(profile, values), profile)
    assert problems == []
    assert record is not None
    assert record.population == Population(850_000, None)


def test_bad_population_and_bad_year_warn(profile: Profile) -> None:
    values = {**COMPLETE, "population": "lots", "population_year": "last year"}
    record, problems = normalise_row(make_row(profile, values), profile)
    assert record is not None
    assert record.population is None
    assert len(problems) == 2
    assert all(p.severity is Severity.WARNING for p in problems)
    at = {p.value: p.location.header for p in problems}  # each said at its own cell
    assert at == {"lots": profile.fields["population"], "last year": "Population year"}


@pytest.mark.parametrize("value", ["1" + "0" * 40, 1e308, 1e40, "9" * 400 + " million", 10**50])
def test_a_population_beyond_the_limit_is_dropped_at_its_cell(
    profile: Profile, value: object
) -> None:
    """A number no city has (once it stopped the whole build in the template) is a warning."""
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "population": value}), profile)
    assert record is not None and record.population is None
    [problem] = problems
    assert problem.severity is Severity.WARNING
    assert problem.location.header == profile.fields["population"]
    assert f"at most {limits.MAX_POPULATION:,}" in problem.message


@pytest.mark.parametrize(
    "invisible", ["\u200b", "\u2060", "\u00ad", "\ufeff", "\u202e", " \u3164 "]
)
def test_a_city_of_invisible_characters_is_no_city(profile: Profile, invisible: str) -> None:
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "city": invisible}), profile)
    assert record is None
    [problem] = problems
    assert problem.severity is Severity.ERROR and problem.location.header == "City"
    assert "show nothing" in problem.message and problem.value
    assert problem.value.startswith("U+")


def test_bad_yes_no_and_single_option_warn_and_drop(profile: Profile) -> None:
    values = {**COMPLETE, "formal_strategy": "Maybe", "approach": "Sideways", "health": "perhaps"}
    record, problems = normalise_row(make_row(profile, values), profile)
    assert record is not None
    assert record.formal_strategy is None
    assert record.approach is None
    assert ("health", True) not in record.data_sufficiency
    headers = {p.location.header for p in warnings_of(problems)}
    assert headers == {
        profile.fields["formal_strategy"],
        profile.fields["approach"],
        profile.data_sufficiency["health"],
    }


def _string_values(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _string_values(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _string_values(v)]
    return []


@pytest.mark.parametrize("blank", [None, float("nan"), "", "  ", "\u00a0"])
def test_blank_cells_never_become_text(profile: Profile, blank: object) -> None:
    values: dict[str, object] = {
        header_field: blank for header_field in [*profile.fields, *profile.data_sufficiency]
    }
    values.update(city="Lima", country="Peru")
    record, problems = normalise_row(make_row(profile, values), profile)
    assert problems == []
    assert record is not None
    as_dict = dataclasses.asdict(record)
    strings = _string_values(as_dict)
    for text in strings:
        assert text.casefold() not in {"nan", "none", "null", ""}
    # every optional field is left at its empty default
    defaults = CityRecord(source=record.source, city="Lima", country="Peru")
    assert record == defaults


def test_blank_cells_in_complete_row_are_not_stringified(profile: Profile) -> None:
    values = {**COMPLETE, "mayor": None, "spotlight": float("nan"), "language": None}
    record, problems = normalise_row(make_row(profile, values), profile)
    assert problems == []
    assert record is not None
    assert record.mayor is None
    assert record.spotlight is None
    assert record.language is None
    for text in _string_values(dataclasses.asdict(record)):
        assert text.casefold() not in {"nan", "none"}


@pytest.mark.parametrize("marker", ["n/a", "None", "nan", "-", " N/A "])
def test_missing_markers_in_text_answers_mean_no_answer(profile: Profile, marker: str) -> None:
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "mayor": marker, "spotlight": marker}), profile
    )
    assert record is not None and record.mayor is None and record.spotlight is None


@pytest.mark.parametrize("marker", ["n/a", "-", " N/A ", "?"])
def test_a_mark_that_is_no_name_leaves_the_city_blank(profile: Profile, marker: str) -> None:
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "city": marker}), profile)
    assert record is None
    assert [p.location.header for p in errors_of(problems)] == ["City"]


@pytest.mark.parametrize("name", ["Nan", "NA", "None", "nan"])
def test_words_that_mean_no_answer_elsewhere_are_names_of_cities(
    profile: Profile, name: str
) -> None:
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "city": name, "country": name}), profile
    )
    assert record is not None and (record.city, record.country) == (name, name)
    assert not errors_of(problems)


@pytest.mark.parametrize("code", ["../layout", "/etc/passwd", "en/../../x", "e", "english!"])
def test_a_language_that_is_no_language_code_is_dropped_with_a_warning(
    profile: Profile, code: str
) -> None:
    record, problems = normalise_row(make_row(profile, {**COMPLETE, "language": code}), profile)
    assert record is not None and record.language is None
    [warning] = [p for p in problems if p.severity is Severity.WARNING]
    assert "expected a language code" in warning.message


@pytest.mark.parametrize(("code", "read"), [("ES", "es"), ("pt_BR", "pt-br"), ("fr-CA", "fr-ca")])
def test_language_codes_are_read_in_one_form(profile: Profile, code: str, read: str) -> None:
    record, _ = normalise_row(make_row(profile, {**COMPLETE, "language": code}), profile)
    assert record is not None and record.language == read


def test_an_answer_no_page_can_hold_is_cut_with_a_warning(profile: Profile) -> None:
    spotlight = "word " * 5_000  # 25,000 characters
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "spotlight": spotlight, "mayor": "M" * 1_000}), profile
    )
    assert record is not None and record.spotlight is not None and record.mayor is not None
    assert len(record.spotlight) <= limits.MAX_ANSWER_CHARS
    assert record.spotlight.endswith("word…")  # cut at a word
    assert len(record.mayor) == limits.MAX_LINE_CHARS
    said = {p.location.header: p.message for p in warnings_of(problems)}
    assert "the answer has 24,999 characters; the first" in said[profile.fields["spotlight"]]
    assert "shorten it" in said[profile.fields["mayor"]]


def test_an_answer_of_many_short_lines_is_cut_to_the_lines_a_page_holds(profile: Profile) -> None:
    """900 one-letter paragraphs are 1,800 characters, under the characters' limit, yet
    took ten pages: the lines are limited too."""
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "org_structure": "\n\n".join(["y"] * 900)}), profile
    )
    assert record is not None and record.org_structure is not None
    assert record.org_structure.split() == ["y"] * limits.MAX_ANSWER_LINES
    (said,) = [p.message for p in warnings_of(problems)]
    assert f"the answer has 900 lines; the first {limits.MAX_ANSWER_LINES} are" in said


def test_a_name_too_long_to_be_a_name_skips_the_row(profile: Profile) -> None:
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "city": "A" * (limits.MAX_NAME_CHARS + 1)}), profile
    )
    assert record is None
    [error] = errors_of(problems)
    assert f"a name of {limits.MAX_NAME_CHARS + 1} characters" in error.message


def test_a_long_name_is_kept_with_a_warning(profile: Profile) -> None:
    city = "Krung Thep Maha Nakhon Amon Rattanakosin Mahinthara Ayuthaya Mahadilok Phop Noppharat"
    record, problems = normalise_row(
        make_row(profile, {**COMPLETE, "city": city + " X" * 10}), profile
    )
    assert record is not None and record.city == city + " X" * 10
    [warning] = warnings_of(problems)
    assert "printed in smaller type" in warning.message
