"""Survey file -> raw rows that remember their file, sheet, row and column.

What a file is comes from its first bytes, then its name: a workbook (xlsx.py), a
LibreOffice spreadsheet (ods.py) or delimited text (text.py). Each gives a grid of cells;
this module turns the grid into header columns (columns.py) and data rows, and counts
blank rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from snapshotpdf.errors import SurveyReadError
from snapshotpdf.models import Location, Problem, RawRow, Severity
from snapshotpdf.survey.columns import Column, column_letter, header_columns
from snapshotpdf.survey.grid import Grid, Note, check_cells, unreadable
from snapshotpdf.survey.values import clean_text

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm"}
ODS_SUFFIXES = {".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
_MAGIC = {
    b"\xd0\xcf\x11\xe0": "it is an old Excel 97-2003 (.xls) or other Office file, not .xlsx",
    b"%PDF": "it is a PDF document, not a spreadsheet",
    b"\x89PNG": "it is a PNG image, not a spreadsheet",
    b"\xff\xd8\xff": "it is a JPEG image, not a spreadsheet",
    b"\x1f\x8b": "it is a gzip archive, not a spreadsheet",
}


@dataclass(frozen=True)
class SurveyTable:
    file: str
    sheet: str | None
    headers: tuple[str, ...]  # the column keys (see columns.Column.key)
    rows: tuple[RawRow, ...]  # data rows with at least one non-blank cell
    blank_rows: tuple[int, ...]  # Excel row numbers of data rows with nothing in them
    columns: tuple[Column, ...] = ()
    header_rows: int = 1
    problems: tuple[Problem, ...] = ()  # about the file itself: encoding, formulas, ...
    released: int = 0  # data rows whose cells were let go once they were normalised

    @property
    def data_row_count(self) -> int:
        return len(self.rows) + self.released + len(self.blank_rows)

    def without_rows(self) -> SurveyTable:
        """The table without its rows' cells (they are records now), counts kept: a
        survey's raw cells need not stay in memory while its cities are rendered."""
        return replace(self, rows=(), released=self.released + len(self.rows))

    @property
    def header_location(self) -> Location:
        return Location(self.file, self.sheet, self.header_rows)


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def read_survey(path: Path, sheet: str | None = None, header_rows: int = 1) -> SurveyTable:
    """Read every cell of the export as the user sees it; formulas give their saved value."""
    return table_from_grid(path.name, read_grid(path, sheet), header_rows)


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    if not path.exists():
        raise SurveyReadError(f"survey file not found: {path}")
    if path.is_dir():
        raise SurveyReadError(f"{path} is a folder", hint="give the survey export file itself")
    if path.stat().st_size == 0:
        raise SurveyReadError(f"{path.name} is empty", hint="export the survey again")
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(128)
    kind = suffix.lstrip(".").upper() or "survey"
    for magic, reason in _MAGIC.items():
        if head.startswith(magic):
            raise unreadable(path.name, kind, reason)
    from snapshotpdf.survey.ods import is_ods

    if is_ods(head) or (suffix in ODS_SUFFIXES and not head.startswith(b"PK\x03\x04")):
        from snapshotpdf.survey.ods import read_ods

        return read_ods(path, sheet)
    if head.startswith(b"PK\x03\x04") or suffix in SPREADSHEET_SUFFIXES:
        from snapshotpdf.survey.xlsx import read_xlsx

        return read_xlsx(path, sheet)
    if suffix in TEXT_SUFFIXES:
        from snapshotpdf.survey.text import read_text

        return read_text(path)
    raise SurveyReadError(
        f"{path.name}: unsupported file type {suffix or '(none)'!r}",
        hint="give an .xlsx, .ods, .csv or .tsv export",
    )


def header_text(value: object) -> str:
    """A header cell as text: numbers and dates as Excel shows them, whitespace folded."""
    return clean_text(value) or ""


def table_from_grid(file: str, grid: Grid, header_rows: int = 1) -> SurveyTable:
    rows = grid.rows
    if not any(not is_blank(v) for row in rows for v in row):
        raise SurveyReadError(f"{file} is empty", hint="export the survey again")
    if len(rows) < header_rows:
        raise SurveyReadError(
            f"{file} has {len(rows)} row(s), fewer than the {header_rows} header row(s)"
            " the profile expects",
            hint="check header_rows in the profile",
        )
    columns = header_columns([[header_text(v) for v in row] for row in rows[:header_rows]])
    if not columns:
        raise SurveyReadError(
            f"{file}: the header row is empty", hint="the first row must name the columns"
        )
    data_rows = len(rows) - header_rows
    check_cells(file, grid.sheet, data_rows * len(columns), len(rows))  # a record per row
    key_at = {c.index: c.key for c in columns}
    letters = {c.key: c.letter for c in columns}
    data: list[RawRow] = []
    blank: list[int] = []
    unnamed: dict[int, int] = {}  # column index -> first row with a value there
    for offset, values in enumerate(rows[header_rows:]):
        excel_row = header_rows + offset + 1
        if all(is_blank(v) for v in values):
            blank.append(excel_row)
            continue
        cells: dict[str, object] = dict.fromkeys(letters)
        for index, value in enumerate(values):
            if is_blank(value):
                continue
            if index in key_at:
                cells[key_at[index]] = value
            else:
                unnamed.setdefault(index, excel_row)
        data.append(RawRow(Location(file, grid.sheet, excel_row), cells, letters))
    # Trailing blank rows are formatting, not data: only blank rows between data count.
    last = data[-1].location.row if data else header_rows
    notes = list(grid.notes) + [
        Note(row, index, "this column has answers but no header, so they are not read")
        for index, row in sorted(unnamed.items())
    ]
    return SurveyTable(
        file,
        grid.sheet,
        tuple(c.key for c in columns),
        tuple(data),
        tuple(r for r in blank if r < last),
        columns,
        header_rows,
        tuple(_note_problem(file, grid.sheet, note, key_at) for note in notes),
    )


def _note_problem(file: str, sheet: str | None, note: Note, key_at: dict[int, str]) -> Problem:
    letter = None if note.column is None else column_letter(note.column)
    header = None if note.column is None else key_at.get(note.column)
    return Problem(
        Severity.WARNING, Location(file, sheet, note.row, letter, header), note.message, note.value
    )
