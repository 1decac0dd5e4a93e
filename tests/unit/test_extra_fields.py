"""A profile's own fields ([extra]): the table checked with every other mistake of the
profile, each cell read by the parser of its type (text, paragraphs, number, yes_no, date,
list), a bad cell a warning at its cell, and the answers a typed, read-only mapping in every
record (record.extra), which a record keeps through pickling (the build's RecordSpool)."""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime
from pathlib import Path

import pytest
from support.workbook import write_xlsx

from snapshotpdf import limits
from snapshotpdf.errors import ProfileError
from snapshotpdf.models import CityRecord, ExtraAnswers, Location, Severity, SurveyFigures
from snapshotpdf.render import glyphs, variants
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.survey import values
from snapshotpdf.survey.profile import ExtraField, Source, load_profile
from snapshotpdf.survey.validate import Validation, validate

PROFILE = """
[profile]
sheet = "Responses"
list_separator = ";"

[fields]
city = "City"
country = "Country"

[answers.yes_no]
"Oui" = "yes"

[extra]
pledge = "Climate pledge"
signed = { column = "Pledge signed", type = "date" }
budget = { column = "Budget", type = "number" }
open_source = { column = "Open source", type = "yes_no" }
networks = { column = "Networks", type = "list", separator = "," }
story = { column = "Story", type = "paragraphs" }
tags = { column = "Tags", type = "list" }
"""
HEADER = [
    "City",
    "Country",
    "Climate pledge",
    "Pledge signed",
    "Budget",
    "Open source",
    "Networks",
    "Story",
    "Tags",
]


def write_profile(tmp_path: Path, text: str = PROFILE) -> Path:
    path = tmp_path / "own.toml"
    path.write_text(text, encoding="utf-8")
    return path


def checked(tmp_path: Path, *rows: list[object], header: list[str] = HEADER) -> Validation:
    survey = write_xlsx(tmp_path / "survey.xlsx", [header, *rows])
    return validate(survey, write_profile(tmp_path))


# --- the [extra] table ------------------------------------------------------------------


def test_an_own_field_is_a_header_or_a_table(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path))
    assert list(profile.extra) == [
        "pledge",
        "signed",
        "budget",
        "open_source",
        "networks",
        "story",
        "tags",
    ]
    assert profile.extra["pledge"] == ExtraField("pledge", Source(("Climate pledge",)), "text")
    assert profile.extra["signed"].kind == "date"
    assert profile.extra["networks"] == ExtraField(
        "networks", Source(("Networks",), separator=","), "list"
    )
    assert profile.separator("networks") == ","
    assert profile.separator("tags") == ";"  # the profile's list_separator
    assert profile.extra_fields["budget"] == "Budget"
    assert "Climate pledge" in profile.headers()


def test_a_header_path_names_an_own_fields_column(tmp_path: Path) -> None:
    text = """
[profile]
header_rows = 2
[fields]
city = "City"
country = "Country"
[extra]
pledge = ["Climate", "Pledge"]
budget = { column = ["Budget", "EUR"], type = "number" }
"""
    profile = load_profile(write_profile(tmp_path, text))
    assert profile.extra["pledge"].source == Source(("Climate", "Pledge"))
    assert profile.extra_fields == {"pledge": "Climate › Pledge", "budget": "Budget › EUR"}


def test_every_mistake_in_extra_is_listed_with_the_profiles_others(tmp_path: Path) -> None:
    text = """
[fields]
city = "City"
country = "Country"
no_such_field = "X"

[extra]
Pledge = "A"
2nd = "B"
class = "C"
mayor = "D"
population_year = "E"
items = "F"
amount = { column = "G", type = "currency" }
shape = { column = "H", layout = "columns" }
nothing = { type = "number" }
comma = { column = "I", separator = "," }
blank_separator = { column = "J", type = "list", separator = "" }
number = 5
empty = ""
kind = { column = "K", type = ["text"] }
"""
    with pytest.raises(ProfileError) as caught:
        load_profile(write_profile(tmp_path, text))
    message = caught.value.message
    expected = [
        "[fields] has unknown field(s) no_such_field",
        "[extra] Pledge: a name is lower-case letters, digits and _, starting with a letter",
        "[extra] 2nd: a name is lower-case letters",
        "[extra] class: a name is lower-case letters, digits and _, starting with a letter"
        " (and not a Python keyword)",
        "[extra] mayor: mayor is a field of the record already; name the own field otherwise,"
        " or read that column into [fields] mayor",
        "[extra] population_year: population_year is a field of the record already",
        "[extra] items: record.extra.items is taken by the extra answers themselves",
        "[extra] amount: type must be one of text, paragraphs, number, yes_no, date, list"
        " (found 'currency')",
        "[extra] shape: unknown key(s) layout; known: column, separator, type",
        '[extra] nothing: give the column it is read from: column = "..."',
        '[extra] comma: separator is only for type = "list"',
        '[extra] blank_separator: separator must be a non-empty string such as ","',
        "[extra] number: expected a column header such as",
        "[extra] empty: expected a column header such as",
        "[extra] kind: type must be one of",
    ]
    for text_part in expected:
        assert text_part in message, text_part
    assert f"has {len(expected)} problem(s)" in message


def test_extra_must_be_a_table_and_is_a_known_one(tmp_path: Path) -> None:
    text = '[fields]\ncity = "City"\ncountry = "Country"\n[extras]\na = "A"\n'
    with pytest.raises(ProfileError, match=r"unknown table\(s\) extras: a profile has"):
        load_profile(write_profile(tmp_path, text))
    text = 'extra = "Climate pledge"\n[fields]\ncity = "City"\ncountry = "Country"\n'
    with pytest.raises(ProfileError, match=r"extra must be a table: \[extra\]"):
        load_profile(write_profile(tmp_path, text))


def test_a_profile_adds_at_most_max_extra_fields(tmp_path: Path) -> None:
    many = "\n".join(f'field_{n} = "Q{n}"' for n in range(limits.MAX_EXTRA_FIELDS + 1))
    text = f'[fields]\ncity = "City"\ncountry = "Country"\n[extra]\n{many}\n'
    with pytest.raises(ProfileError, match="limits.MAX_EXTRA_FIELDS"):
        load_profile(write_profile(tmp_path, text))
    fewer = "\n".join(f'field_{n} = "Q{n}"' for n in range(limits.MAX_EXTRA_FIELDS))
    text = f'[fields]\ncity = "City"\ncountry = "Country"\n[extra]\n{fewer}\n'
    assert len(load_profile(write_profile(tmp_path, text)).extra) == limits.MAX_EXTRA_FIELDS


# --- one cell's value -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (12, 12),
        (2.5, 2.5),
        (3.0, 3),
        ("12", 12),
        ("-3.5", -3.5),
        ("4,5", 4.5),
        ("0,125", 0.125),
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("1'234", 1234),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("\u22127", -7),
        ("n/a", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_a_number_as_people_write_it(raw: object, number: object) -> None:
    assert values.parse_number(raw) == number
    assert type(values.parse_number(raw)) is type(number)


@pytest.mark.parametrize(
    "raw", ["lots", "12%", "1,234,5", "+1", "٣٠٠", "1.2.3", True, float("inf")]
)
def test_what_is_no_number(raw: object) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        values.parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        (date(2024, 2, 20), date(2024, 2, 20)),
        (datetime(2024, 2, 20, 14, 30), date(2024, 2, 20)),
        ("2024-02-20", date(2024, 2, 20)),
        ("2024/2/3", date(2024, 2, 3)),
        ("2024-02-20 10:15", date(2024, 2, 20)),
        ("-", None),
        (None, None),
    ],
)
def test_a_date_is_a_date_cell_or_written_year_first(raw: object, day: date | None) -> None:
    assert values.parse_date(raw) == day


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("02/03/2024", "year first"),
        ("2024-02-30", "no day of the calendar"),
        (45342, "year first"),
        ("2024-02/20", "year first"),
    ],
)
def test_what_is_no_date(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        values.parse_date(raw)


def test_a_list_is_split_on_its_separator() -> None:
    assert values.parse_list("C40; ICLEI;; n/a ; Eurocities", ";") == ("C40", "ICLEI", "Eurocities")
    assert values.parse_list("one\r\ntwo", "\n") == ("one", "two")
    assert values.parse_list(" ; - ;", ";") is None
    assert values.parse_list(2024.0, ";") == ("2024",)


# --- normalised into the record ---------------------------------------------------------


def test_own_fields_reach_the_record_typed(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        [
            "Lima",
            "Peru",
            "Net zero by 2050",
            datetime(2021, 4, 22),
            "1.250.000",
            "Oui",
            "C40, ICLEI ,Eurocities",
            "First line\nsecond line\n\nA new paragraph",
            "open data; ai",
        ],
        ["Quito", "Ecuador", None, "2023-09-01", 2.5, "No", None, "n/a", None],
    )
    assert [p for p in result.problems if p.severity is Severity.WARNING] == []
    lima, quito = result.records
    assert lima.extra == {
        "pledge": "Net zero by 2050",
        "signed": date(2021, 4, 22),
        "budget": 1_250_000,
        "open_source": True,
        "networks": ("C40", "ICLEI", "Eurocities"),
        "story": "First line\nsecond line\n\nA new paragraph",
        "tags": ("open data", "ai"),
    }
    assert quito.extra == {
        "pledge": None,
        "signed": date(2023, 9, 1),
        "budget": 2.5,
        "open_source": False,
        "networks": None,
        "story": None,
        "tags": None,
    }
    assert isinstance(lima.extra, ExtraAnswers)


def test_a_bad_cell_is_a_warning_at_its_cell_and_its_answer_is_none(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        ["Lima", "Peru", "Yes", "22/04/2021", "lots", "perhaps", "C40", None, None],
    )
    (lima,) = result.records
    assert lima.extra["signed"] is None and lima.extra["budget"] is None
    assert lima.extra["open_source"] is None and lima.extra["networks"] == ("C40",)
    warnings = [str(p) for p in result.problems if p.severity is Severity.WARNING]
    assert warnings == [
        "warning: survey.xlsx, sheet 'Responses', row 2, column D ('Pledge signed'): signed:"
        " expected a date written year first, such as 2024-02-20, or a date cell; this answer"
        " was dropped (found '22/04/2021')",
        "warning: survey.xlsx, sheet 'Responses', row 2, column E ('Budget'): budget:"
        " expected a number, such as 12, 3.5 or 1,234,567; this answer was dropped"
        " (found 'lots')",
        "warning: survey.xlsx, sheet 'Responses', row 2, column F ('Open source'): open"
        " source: expected Yes or No (or map this answer to yes or no in the profile's"
        " [answers.yes_no]); this answer was dropped (found 'perhaps')",
    ]
    assert all(p.city == "Lima" for p in result.problems)


def test_a_column_the_export_lacks_is_said_once_and_its_answers_are_none(
    tmp_path: Path,
) -> None:
    header = ["City", "Country", "Climate pledge"]
    result = checked(tmp_path, ["Lima", "Peru", "Yes"], ["Quito", "Ecuador", None], header=header)
    missing = [p for p in result.problems if "own field" in p.message]
    assert len(missing) == 6  # one per own field the export lacks, at the header row
    assert str(missing[0]) == (
        "warning: survey.xlsx, sheet 'Responses', row 1: no column 'Pledge signed' for own"
        " field signed (profile own); its answers are left out"
    )
    lima, quito = result.records
    assert lima.extra == dict.fromkeys(result.profile.extra, None) | {"pledge": "Yes"}
    assert set(quito.extra) == set(result.profile.extra)
    assert all(value is None for value in quito.extra.values())


def test_long_own_answers_are_cut_with_a_warning(tmp_path: Path) -> None:
    line = "word " * (limits.MAX_LINE_CHARS // 4)
    many = ", ".join(f"network {n:03}" for n in range(limits.MAX_ANSWER_CHARS // 10))
    result = checked(tmp_path, ["Lima", "Peru", line, None, None, None, many, None, None])
    (lima,) = result.records
    pledge = lima.extra["pledge"]
    assert isinstance(pledge, str) and pledge.endswith("…")
    assert len(pledge) <= limits.MAX_LINE_CHARS
    networks = lima.extra["networks"]
    assert isinstance(networks, tuple)
    assert sum(len(n) for n in networks) <= limits.MAX_ANSWER_CHARS
    messages = [p.message for p in result.problems]
    assert any(m.startswith("pledge: the answer has") for m in messages)
    assert any(m.startswith(f"networks: only the first {len(networks)} of") for m in messages)


def test_a_records_extra_answers_are_read_only_and_survive_pickling() -> None:
    answers = ExtraAnswers({"pledge": "Yes", "signed": date(2021, 4, 22), "tags": ("a", "b")})
    record = CityRecord(Location("s.xlsx", None, 2), "Lima", "Peru", extra=answers)
    for change in (
        lambda: answers.__setitem__("pledge", "No"),
        lambda: answers.update(pledge="No"),
        lambda: answers.pop("pledge"),
        lambda: answers.clear(),
        lambda: answers.setdefault("x", 1),
        lambda: answers.__delitem__("pledge"),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    again = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == record and isinstance(again.extra, ExtraAnswers)
    assert hash(again) == hash(record)
    assert CityRecord(Location("s.xlsx", None, 2), "Lima", "Peru").extra == {}


# --- printed: which cell a character no font has comes from ------------------------------


def test_a_character_no_font_has_in_an_own_answer_is_put_to_its_cell(tmp_path: Path) -> None:
    result = checked(tmp_path, ["Lima", "Peru", "Net \ue000 zero", *[None] * 6])
    (lima,) = result.records
    page = Renderer(load_layout()).html(lima, SurveyFigures(1, {}))
    page = page.replace("</body>", f"<p>{lima.extra['pledge']}</p></body>")
    found = glyphs.unprintable(lima, page)
    assert [(u.field, u.chars) for u in found] == [("pledge", "\ue000")]
    assert str(glyphs.field_location(lima, "pledge", result)) == (
        "survey.xlsx, sheet 'Responses', row 2, column C ('Climate pledge')"
    )


def test_the_archive_variants_record_json_holds_own_answers_dates_as_iso() -> None:
    answers = ExtraAnswers({"signed": date(2021, 4, 22), "budget": 2.5, "tags": ("a", "b")})
    record = CityRecord(Location("s.xlsx", None, 2), "Lima", "Peru", extra=answers)
    data = json.loads(variants.record_json(record))
    assert data["extra"] == {"signed": "2021-04-22", "budget": 2.5, "tags": ["a", "b"]}
