"""Cell values as survey tools and Excel hand them over: dates, floats, yes/no variants,
scaled populations. (The parsers' general tests are in test_values.py.)"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snapshotpdf.survey.values import clean_text, parse_population, parse_year, parse_yes_no

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2024, 2, 20), "2024-02-20"),
        (datetime(2024, 2, 20, 9, 30, 15), "2024-02-20 09:30"),
        (date(2020, 1, 1), "2020-01-01"),
        (time(14, 5), "14:05"),
    ],
)
def test_excel_dates_read_as_iso_text(value: object, text: str) -> None:
    assert clean_text(value) == text


def test_a_year_typed_into_a_date_cell_is_its_year() -> None:
    assert parse_year(datetime(2020, 1, 1)) == 2020
    assert parse_year(date(2021, 6, 30)) == 2021


@pytest.mark.parametrize(
    ("raw", "count"), [("9670000.0", 9670000), ("850,00", 850), ("850.000", 850000)]
)
def test_population_written_from_a_float_column(raw: str, count: int) -> None:
    assert parse_population(raw) == count


@settings(max_examples=200)
@given(hundredths=st.integers(1, 99_999), word=st.sampled_from(["million", "Million", "m", "M"]))
def test_population_in_millions(hundredths: int, word: str) -> None:
    text = f"{hundredths // 100}.{hundredths % 100:02d} {word}"
    assert parse_population(text) == hundredths * 10_000
    assert parse_population(text.replace(".", ",")) == hundredths * 10_000


@settings(max_examples=200)
@given(
    answer=st.sampled_from(["yes", "y", "true", "1", "no", "n", "false", "0"]),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    left=st.sampled_from(["", " ", NBSP, "\t"]),
    right=st.sampled_from(["", " ", NBSP, "\u2007", "\n"]),
)
def test_yes_no_variants_from_every_tool(answer: str, case: object, right: str, left: str) -> None:
    assert callable(case)
    expected = answer in ("yes", "y", "true", "1")
    assert parse_yes_no(f"{left}{case(answer)}{right}") is expected
