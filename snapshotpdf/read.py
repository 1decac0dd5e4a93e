"""Survey file -> raw rows that remember their file, sheet, row and column. The only pandas user."""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

from snapshotpdf.errors import SurveyReadError
from snapshotpdf.models import Location, RawRow

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


@dataclass(frozen=True)
class SurveyTable:
    file: str
    sheet: str | None
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]  # data rows with at least one non-blank cell
    blank_rows: tuple[int, ...]  # Excel row numbers of data rows with nothing in them

    @property
    def data_row_count(self) -> int:
        return len(self.rows) + len(self.blank_rows)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column name Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def read_survey(path: Path, sheet: str | None = None, header_rows: int = 1) -> SurveyTable:
    """Read every cell of the export as the user sees it; formulas give their cached value."""
    import pandas as pd

    if not path.exists():
        raise SurveyReadError(f"survey file not found: {path}")
    if path.stat().st_size == 0:
        raise SurveyReadError(f"{path.name} is empty", hint="export the survey again")
    suffix = path.suffix.lower()
    try:
        if suffix in SPREADSHEET_SUFFIXES:
            sheet_name = _choose_sheet(path, sheet)
            frame = pd.read_excel(
                path, sheet_name=sheet_name, header=None, dtype=object, engine="openpyxl"
            )
        elif suffix in TEXT_SUFFIXES:
            sheet_name = None
            frame = pd.read_csv(
                path,
                header=None,
                dtype=str,
                keep_default_na=False,
                sep=None,
                engine="python",
                encoding="utf-8-sig",
            )
        else:
            raise SurveyReadError(
                f"{path.name}: unsupported file type {suffix or '(none)'!r}",
                hint="give an .xlsx, .csv or .tsv export",
            )
    except SurveyReadError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise SurveyReadError(
            f"{path.name} cannot be read as a {suffix.lstrip('.').upper()} survey export ({exc})",
            hint="open it in Excel and save it again as .xlsx or CSV UTF-8",
        ) from None

    return _table_from_frame(path.name, sheet_name, frame.values.tolist(), header_rows)


def _choose_sheet(path: Path, sheet: str | None) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        names: list[str] = list(workbook.sheetnames)
    finally:
        workbook.close()
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise SurveyReadError(
            f"{path.name} has no sheet {sheet!r}", hint=f"sheets: {', '.join(names)}"
        )
    return sheet


def _table_from_frame(
    file: str, sheet: str | None, grid: list[list[object]], header_rows: int
) -> SurveyTable:
    if len(grid) < header_rows:
        raise SurveyReadError(
            f"{file} has no header row", hint="the first row must name the columns"
        )
    header_cells = grid[header_rows - 1]
    headers = tuple("" if is_blank(h) else " ".join(str(h).split()) for h in header_cells)
    if not any(headers):
        raise SurveyReadError(f"{file}: the header row is empty")
    columns = {h: column_letter(i) for i, h in reversed(list(enumerate(headers))) if h}
    rows: list[RawRow] = []
    blank: list[int] = []
    for offset, values in enumerate(grid[header_rows:]):
        excel_row = header_rows + offset + 1
        if all(is_blank(v) for v in values):
            blank.append(excel_row)
            continue
        cells: dict[str, object] = {}
        for header, value in zip(headers, values, strict=False):
            if header and header not in cells:
                cells[header] = None if is_blank(value) else value
        rows.append(RawRow(Location(file, sheet, excel_row), cells, columns))
    # Trailing blank rows are formatting, not data: only blank rows between data count.
    last = rows[-1].location.row if rows else header_rows
    return SurveyTable(file, sheet, headers, tuple(rows), tuple(r for r in blank if r < last))
