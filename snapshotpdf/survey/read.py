"""Survey file -> raw rows that remember their file, sheet, row and column.

What a file is comes from its first bytes, then its name: a workbook (xlsx.py), a
LibreOffice spreadsheet (ods.py) or delimited text (text.py). Each gives a grid of cells;
this module turns the grid into header columns (columns.py) and data rows, and counts
blank rows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from snapshotpdf.errors import SurveyReadError
from snapshotpdf.files import NOT_FOUND, input_problem
from snapshotpdf.models import Location, Problem, RawRow, Severity
from snapshotpdf.survey.columns import Column, column_letter, header_columns
from snapshotpdf.survey.grid import Grid, Note, Row, Sheet, check_cells, unreadable
from snapshotpdf.survey.values import clean_text
from snapshotpdf.survey.xlsx import OLE_MAGIC, ole_refusal

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm"}
ODS_SUFFIXES = {".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
_MAGIC = {
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
    return stream_survey(path, sheet, header_rows).whole()


def stream_survey(path: Path, sheet: str | None = None, header_rows: int = 1) -> TableReader:
    """The export's header now, its data rows as they are asked for (TableReader.rows)."""
    return TableReader(path.name, stream_sheet(path, sheet), header_rows)


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    return stream_sheet(path, sheet).grid()


def stream_sheet(path: Path, sheet: str | None = None) -> Sheet:
    problem = input_problem(path)
    if problem == NOT_FOUND:
        raise SurveyReadError(f"survey file not found: {path}")
    if problem is not None:
        raise SurveyReadError(
            f"survey file {path} {problem}",
            hint="give the survey export file itself (.xlsx, .ods, .csv or .tsv)",
        )
    if path.stat().st_size == 0:
        raise SurveyReadError(f"{path.name} is empty", hint="export the survey again")
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(128)
    kind = suffix.lstrip(".").upper() or "survey"
    if head.startswith(OLE_MAGIC):
        raise ole_refusal(path, kind)
    for magic, reason in _MAGIC.items():
        if head.startswith(magic):
            raise unreadable(path.name, kind, reason)
    from snapshotpdf.survey.ods import is_ods

    if is_ods(head) or (suffix in ODS_SUFFIXES and not head.startswith(b"PK\x03\x04")):
        from snapshotpdf.survey.ods import stream_ods

        return stream_ods(path, sheet)
    text = _looks_like_text(head)
    if head.startswith(b"PK\x03\x04") or (suffix in SPREADSHEET_SUFFIXES and not text):
        from snapshotpdf.survey.xlsx import stream_xlsx

        return stream_xlsx(path, sheet)
    if suffix in TEXT_SUFFIXES or (suffix in SPREADSHEET_SUFFIXES and text):
        from snapshotpdf.survey.text import stream_text

        return stream_text(path)
    raise SurveyReadError(
        f"{path.name}: unsupported file type {suffix or '(none)'!r}",
        hint="give an .xlsx, .ods, .csv or .tsv export",
    )


def _looks_like_text(head: bytes) -> bool:
    """Whether a file's first bytes are text (a CSV saved under an .xlsx name is read as
    the CSV it is): a Unicode byte-order mark, or no byte below the tab."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return bool(head) and min(head) >= 0x09


def header_text(value: object) -> str:
    """A header cell as text: numbers and dates as Excel shows them, whitespace folded."""
    return clean_text(value) or ""


def table_from_grid(file: str, grid: Grid, header_rows: int = 1) -> SurveyTable:
    rows = ((number, values) for number, values in enumerate(grid.rows, 1) if values)
    return TableReader(file, Sheet(grid.sheet, rows, list(grid.notes)), header_rows).whole()


class TableReader:
    """A sheet read as a survey table, a row at a time: the header rows first (table: the
    columns, no rows yet), then each data row as rows() is asked for it, so that no more
    than one row's cells are held. Once rows() is exhausted, table has the counts (data,
    blank rows) and the problems with the file itself."""

    def __init__(self, file: str, sheet: Sheet, header_rows: int = 1) -> None:
        self.file = file
        self.sheet = sheet
        rows = sheet.rows
        header: list[list[object]] = []
        first: Row | None = None  # the first data row, read to know the header is done
        for number, values in rows:
            if number > header_rows:
                first = (number, values)
                break
            header.extend([] for _ in range(number - 1 - len(header)))
            header.append(values)
        self._first = first
        blank_header = all(is_blank(v) for row in header for v in row)
        if blank_header and not self._any_value(first, rows):
            raise SurveyReadError(f"{file} is empty", hint="export the survey again")
        if first is None and len(header) < header_rows:
            raise SurveyReadError(
                f"{file} has {len(header)} row(s), fewer than the {header_rows} header row(s)"
                " the profile expects",
                hint="check header_rows in the profile",
            )
        columns = header_columns([[header_text(v) for v in row] for row in header])
        if not columns:
            raise SurveyReadError(
                f"{file}: the header row is empty", hint="the first row must name the columns"
            )
        self.table = SurveyTable(
            file, sheet.sheet, tuple(c.key for c in columns), (), (), columns, header_rows
        )

    @staticmethod
    def _any_value(first: Row | None, rest: Iterator[Row]) -> bool:
        """Whether any row from first on holds a value (read only when the header holds
        none, to tell an empty file from one without a header)."""
        rows = itertools.chain([first] if first else [], rest)
        return any(not is_blank(v) for _number, values in rows for v in values)

    def rows(self) -> Iterator[RawRow]:
        """Each data row with at least one value, in order, as a RawRow."""
        table, file, sheet = self.table, self.file, self.sheet.sheet
        columns = table.columns
        header_rows = table.header_rows
        key_at = {c.index: c.key for c in columns}
        letters = {c.key: c.letter for c in columns}
        blank: list[int] = []
        waiting: list[int] = []  # blank rows after the last data row: counted only if data follows
        unnamed: dict[int, int] = {}  # column index -> first row with a value there
        data = 0
        last = header_rows
        first = self._first
        self._first = None
        rows = itertools.chain([first] if first else [], self.sheet.rows)
        for excel_row, values in rows:
            waiting.extend(range(last + 1, excel_row))  # rows the reader left out: blank
            last = excel_row
            if all(is_blank(v) for v in values):
                waiting.append(excel_row)
                continue
            check_cells(file, sheet, (excel_row - header_rows) * len(columns), excel_row)
            cells: dict[str, object] = dict.fromkeys(letters)
            for index, value in enumerate(values):
                if is_blank(value):
                    continue
                if index in key_at:
                    cells[key_at[index]] = value
                else:
                    unnamed.setdefault(index, excel_row)
            blank.extend(waiting)  # trailing blank rows are formatting, not data
            waiting.clear()
            data += 1
            yield RawRow(Location(file, sheet, excel_row), cells, letters)
        notes = list(self.sheet.notes) + [
            Note(row, index, "this column has answers but no header, so they are not read")
            for index, row in sorted(unnamed.items())
        ]
        self.table = replace(
            table,
            blank_rows=tuple(blank),
            released=data,
            problems=tuple(_note_problem(file, sheet, note, key_at) for note in notes),
        )

    def whole(self) -> SurveyTable:
        """The table with every data row held (for what needs them all at once)."""
        rows = tuple(self.rows())
        return replace(self.table, rows=rows, released=0)


def _note_problem(file: str, sheet: str | None, note: Note, key_at: dict[int, str]) -> Problem:
    letter = None if note.column is None else column_letter(note.column)
    header = None if note.column is None else key_at.get(note.column)
    return Problem(
        Severity.WARNING, Location(file, sheet, note.row, letter, header), note.message, note.value
    )
