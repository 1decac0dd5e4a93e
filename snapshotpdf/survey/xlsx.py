""".xlsx -> a grid of cells, as Excel shows them.

Formulas are never evaluated: a formula reads as the value Excel saved with it, or, when
the file holds none (it was written by a program, not saved by Excel), as its text, with a
warning. openpyxl parses the workbook's XML through defusedxml (a dependency), and the
archive is measured before it is opened: a workbook that unpacks to more than
limits.MAX_BYTES, or is compressed more than limits.MAX_COMPRESSION_RATIO times, is refused.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from snapshotpdf import limits
from snapshotpdf.errors import SnapshotError, SurveyReadError
from snapshotpdf.files import size_text
from snapshotpdf.survey.grid import READ_AGAIN, Grid, Note, unreadable


def read_xlsx(path: Path, sheet: str | None) -> Grid:
    check_archive(path)
    try:
        return _read(path, sheet)
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse a hostile file is "unreadable"
        raise unreadable(path.name, "XLSX", _reason(exc)) from None


def check_archive(path: Path) -> None:
    """Refuse a workbook that is not a zip archive, or that unpacks too far."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise unreadable(path.name, "XLSX", f"it is damaged or incomplete ({exc})") from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > limits.MAX_BYTES:
        raise SurveyReadError(
            f"{path.name} unpacks to {size_text(unpacked)}, more than the"
            f" {size_text(limits.MAX_BYTES)} a survey export may hold",
            hint="delete unused sheets, images and formatting, or export the responses as CSV",
        )
    if (
        unpacked > limits.COMPRESSION_RATIO_FLOOR
        and unpacked / packed > limits.MAX_COMPRESSION_RATIO
    ):
        raise SurveyReadError(
            f"{path.name} is compressed {unpacked // packed}:1 ({size_text(packed)} unpacking to"
            f" {size_text(unpacked)}), more than the {limits.MAX_COMPRESSION_RATIO}:1 a workbook"
            " plausibly has; it is not read",
            hint=READ_AGAIN,
        )


def _read(path: Path, sheet: str | None) -> Grid:
    """The values with pandas (Excel's saved values of formulas); then, only when the
    workbook has formulas at all, one pass with openpyxl over the formulas themselves, for
    those Excel never saved a value of."""
    import pandas as pd

    with pd.ExcelFile(path, engine="openpyxl") as excel:
        name = choose_sheet(path.name, [str(n) for n in excel.sheet_names], sheet)
        if not hasattr(excel.book[name], "iter_rows"):
            raise SurveyReadError(
                f"sheet {name!r} is a chart, not a table of answers",
                hint="choose the sheet with the responses with --sheet",
            )
        frame = pd.read_excel(excel, sheet_name=name, header=None, dtype=object)
    formulas = _formulas(path, name) if _has_formulas(path) else {}
    rows: list[list[object]] = [
        [None if _is_nan(value) else value for value in row] for row in frame.values.tolist()
    ]
    notes: list[Note] = []
    for (r, c), text in formulas.items():
        while len(rows) <= r:  # pandas drops trailing rows it sees as empty
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append(None)
        if rows[r][c] is None:
            rows[r][c] = text
            notes.append(
                Note(
                    r + 1,
                    c,
                    "this formula has no saved value, so it is read as its text; open the"
                    " file in Excel and save it to store the values",
                    text,
                )
            )
    return Grid(name, rows, notes)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


def choose_sheet(file: str, names: list[str], sheet: str | None) -> str:
    if not names:
        raise unreadable(file, "XLSX", "it has no sheets")
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    folded = [n for n in names if n.casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise SurveyReadError(
        f"{file} has no sheet {sheet!r}", hint=f"sheets: {', '.join(names)} (choose with --sheet)"
    )


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet's XML holds a formula element (<f>): a scan of the raw XML,
    much cheaper than parsing every cell again, and most exports have no formulas."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if not (
                member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
            ):
                continue
            with archive.open(member) as xml:
                tail = b""
                while chunk := xml.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-64:]  # a tag split between two chunks
    return False


def _formulas(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Where the sheet's formulas are (0-based row, column) and their text."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # the saved dimensions may be wrong: read every cell
        return {
            (r, c): str(cell.value)
            for r, row in enumerate(worksheet.iter_rows())
            for c, cell in enumerate(row)
            if getattr(cell, "data_type", None) == "f"
        }
    finally:
        workbook.close()


def _reason(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps what went wrong in a ValueError of its own
        if "Forbidden" in type(cause).__name__:  # defusedxml: EntitiesForbidden, ...
            return f"its XML declares entities, which are refused ({type(cause).__name__})"
        cause = cause.__cause__ or cause.__context__
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"it is damaged or not an Excel workbook ({type(exc).__name__}: {first_line})"
