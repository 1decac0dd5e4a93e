"""What every reader gives: a sheet's rows, streamed one at a time (or all at once, as a
grid), with notes on cells, and the one message for a file that cannot be read at all.
Readers (xlsx, ods, text) stream sheets; read.py makes tables of them.

Every reader counts a sheet by the cells that hold a value, never by the size the file
declares, and holds each one to the limits (limits.MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS)
as it reads it: a file beyond one is refused before it costs more than what was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snapshotpdf import limits
from snapshotpdf.errors import SurveyReadError

READ_AGAIN = "open the export in Excel and save it again as .xlsx or CSV UTF-8"


# Excel's escape for a character a cell's XML cannot hold: _x000D_ is a carriage return
# (Excel writes one for a line break pasted into a cell), _x0007_ U+0007 (and _x005F_ the
# underscore that starts a text which only looks like an escape).
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_unescaped(text: str) -> str:
    """A cell's text as Excel shows it: its _xHHHH_ escapes read."""
    if "_x" not in text:
        return text
    return EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def unreadable(name: str, kind: str, reason: str, hint: str = READ_AGAIN) -> SurveyReadError:
    """The one message for a file that cannot be read at all."""
    return SurveyReadError(f"{name} cannot be read as a {kind} survey export: {reason}", hint=hint)


@dataclass(frozen=True)
class Note:
    """Something a reader noticed about a cell or the file (row 1 is the first row)."""

    row: int
    column: int | None  # 0-based column index, None for the whole row
    message: str
    value: str | None = None


@dataclass(frozen=True)
class Grid:
    """Every cell of one sheet, as the user sees it; formulas already their saved values.
    Rows may differ in length: a reader may leave out the blank cells at a row's end."""

    sheet: str | None
    rows: list[list[object]]
    notes: list[Note] = field(default_factory=list)


Row = tuple[int, list[object]]
"""One row as a reader streams it: its number (1 is the first row) and its cells, up to
its last value."""


@dataclass
class Sheet:
    """One sheet as a reader streams it: its rows in order, each read as it is asked for,
    never all at once (a row that holds nothing may be left out: the numbers say where it
    was). notes grows as the rows are read: it is complete once they are exhausted."""

    sheet: str | None
    rows: Iterator[Row]
    notes: list[Note] = field(default_factory=list)

    def grid(self) -> Grid:
        """Every row at once (a blank one as []), for what needs the whole sheet."""
        rows: list[list[object]] = []
        for number, values in self.rows:
            rows.extend([] for _ in range(number - 1 - len(rows)))
            rows.append(values)
        return Grid(self.sheet, rows, self.notes)


def cell_name(row: int, column: int) -> str:
    """(1, 0) -> A1: a cell as Excel names it (row 1-based, column 0-based)."""
    letters = ""
    index = column + 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _where(file: str, sheet: str | None) -> str:
    return f"{file}, sheet {sheet!r}" if sheet else file


def check_cell(file: str, sheet: str | None, row: int, column: int, value: object) -> None:
    """Refuse a cell that holds a value beyond the limits (row 1-based, column 0-based)."""
    if row > limits.MAX_ROWS:
        raise SurveyReadError(
            f"{_where(file, sheet)}: cell {cell_name(row, column)} holds a value in row"
            f" {row:,}, beyond the {limits.MAX_ROWS:,} rows a survey export may have"
            " (limits.MAX_ROWS)",
            hint="delete the stray cells below the answers (or the rows themselves) and save"
            " again, or split the export",
        )
    if column >= limits.MAX_COLUMNS:
        raise SurveyReadError(
            f"{_where(file, sheet)}: cell {cell_name(row, column)} holds a value in column"
            f" {column + 1:,}, beyond the {limits.MAX_COLUMNS:,} columns a survey export may"
            " have (limits.MAX_COLUMNS)",
            hint="delete the stray cells right of the answers (or the columns themselves) and"
            " save again, or export only the survey's questions",
        )
    if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
        raise too_long(file, sheet, row, column, len(value))


def check_cells(file: str, sheet: str | None, cells: int, rows: int) -> None:
    """Refuse a sheet of more than limits.MAX_CELLS cells (cells: so far, after rows rows)."""
    if cells > limits.MAX_CELLS:
        raise SurveyReadError(
            f"{_where(file, sheet)} holds {cells:,} cells or more in its first {rows:,} rows,"
            f" beyond the {limits.MAX_CELLS:,} cells a survey export may hold"
            " (limits.MAX_CELLS)",
            hint="delete the columns and rows that are not survey answers, or split the export",
        )


def too_long(
    file: str, sheet: str | None, row: int, column: int | None, length: int
) -> SurveyReadError:
    """The message for a cell longer than limits.MAX_CELL_CHARS (length: what was found)."""
    where = f"row {row:,}" if column is None else f"cell {cell_name(row, column)}"
    return SurveyReadError(
        f"{_where(file, sheet)}: {where} holds {length:,} characters or more, beyond the"
        f" {limits.MAX_CELL_CHARS:,} one cell may hold (limits.MAX_CELL_CHARS)",
        hint="shorten that answer, or check that the file is the survey export (a stray"
        " quote mark can run a CSV cell on to the end of the file)",
    )


# What Excel writes for each character the chosen encoding (e.g. "CSV (Comma delimited)",
# Windows-1252) cannot hold: a name in another script becomes a run of question marks.
LOST_CHARACTERS_MESSAGE = (
    "this cell has a run of question marks, which is what Excel writes for characters the"
    " file's encoding cannot hold (names in other scripts become ????): export the survey"
    ' again as "CSV UTF-8", or as .xlsx'
)


def lost_in_row(number: int, row: list[object]) -> Note | None:
    """A note at the row's first cell with a run of 3 or more "?", if any (number 1-based)."""
    for c, cell in enumerate(row):
        if isinstance(cell, str) and "???" in cell:
            return Note(number, c, LOST_CHARACTERS_MESSAGE, cell)
    return None
