"""The one way this repository writes an .xlsx survey export: the tests, their fixtures
(tests/fixtures/make_fixtures.py), the bundled sample (scripts/make_sample.py) and the
benchmark (benchmarks/batch.py) all write through write_xlsx. The workbook's own dates are
fixed (openpyxl still stamps the zip members with the time of writing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from snapshotpdf.survey.profile import load_profile

FIXED_TIME = datetime(2024, 3, 1, 9, 0, 0)


def write_xlsx(
    path: Path,
    rows: Iterable[Sequence[object]],
    sheet: str = "Responses",
    styled_header: bool = False,
) -> Path:
    """rows (the header row first) as the one sheet of a workbook, streamed (any number of
    rows in little memory). styled_header: the first row bold on a dark band, wrapped,
    columns widened and frozen beside the first two, as a survey team's sheet looks."""
    workbook = Workbook(write_only=True)
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    worksheet = workbook.create_sheet(sheet)
    if styled_header:
        worksheet.freeze_panes = "C2"
    for number, row in enumerate(rows):
        if number == 0 and styled_header:
            for letter in _letters(len(row)):
                worksheet.column_dimensions[letter].width = 22
            row = [_header_cell(worksheet, value) for value in row]
        worksheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def sample_columns() -> dict[str, str]:
    """The bundled sample profile's columns: record field or policy-area key -> header."""
    profile = load_profile()
    return {**profile.fields, **profile.data_sufficiency}


def write_survey(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """An .xlsx in the sample profile's shape. Row keys are record fields (city, mayor ...)
    or policy-area keys for the data-sufficiency grid; a missing key is a blank cell."""
    columns = sample_columns()
    table = [list(columns.values()), *([row.get(key) for key in columns] for row in rows)]
    return write_xlsx(path, table, sheet=load_profile().sheet or "Responses")


def _header_cell(worksheet: object, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="0F3B57")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(index) for index in range(1, count + 1)]
