""".xlsx -> its rows, streamed, as Excel shows them.

Formulas are never evaluated: a formula reads as the value Excel saved with it, or, when
the file holds none (it was written by a program, not saved by Excel), as its text, with a
warning. openpyxl parses the workbook's XML through defusedxml (a dependency), and the
archive is measured before it is opened: a workbook that unpacks to more than
limits.MAX_BYTES, or is compressed more than limits.MAX_COMPRESSION_RATIO times, is refused.
A sheet is read by the cells it holds, streamed, never by the dimension it declares, and
each cell is held to the limits of grid.check_cell. Hidden sheets are read only when named.
openpyxl's warnings never reach the terminal: the one that loses an answer (a date cell
whose serial is no date) becomes a note on its cell, the others (styles, extensions it
drops) say nothing about the answers and are let go.
"""

from __future__ import annotations

import re
import sys
import warnings
import zipfile
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from snapshotpdf import limits
from snapshotpdf.errors import SnapshotError, SurveyReadError
from snapshotpdf.files import size_text
from snapshotpdf.survey.grid import (
    READ_AGAIN,
    Grid,
    Note,
    Row,
    Sheet,
    check_cell,
    check_cells,
    excel_unescaped,
    unreadable,
)


def read_xlsx(path: Path, sheet: str | None) -> Grid:
    return stream_xlsx(path, sheet).grid()


def stream_xlsx(path: Path, sheet: str | None) -> Sheet:
    """The sheet's rows, streamed from the workbook as they are asked for."""
    check_archive(path)
    try:
        return _read(path, sheet)
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse a hostile file is "unreadable"
        raise unreadable(path.name, "XLSX", failure_reason(exc)) from None


OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE2 compound file: .xls, .doc, an encrypted .xlsx
_OLE_ENTRY = 128  # bytes of one directory entry; entries sit at multiples of it
_ENCRYPTED_STREAMS = ("EncryptedPackage", "EncryptionInfo")
PASSWORD_HINT = (
    "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with"
    " Password: clear the password and press OK), save it, and give that file"
)


def ole_refusal(path: Path, kind: str) -> SurveyReadError:
    """The message for an OLE2 compound file given as a survey: a workbook Excel locked
    with a password (it is saved as one) or an old Excel 97-2003 (.xls) file."""
    if _is_encrypted(path):
        return unreadable(
            path.name,
            kind,
            "the workbook is protected with a password (it is encrypted), so its answers"
            " cannot be read",
            hint=PASSWORD_HINT,
        )
    return unreadable(
        path.name, kind, "it is an old Excel 97-2003 (.xls) or other Office file, not .xlsx"
    )


def _is_encrypted(path: Path) -> bool:
    """Whether the compound file's directory names an EncryptedPackage or EncryptionInfo
    stream, which is how Office saves a file locked with a password. A directory entry
    starts with its name in UTF-16LE, then (at byte 64) the name's length in bytes with its
    terminating NUL; the file is scanned for such entries a MiB at a time, up to
    limits.MAX_BYTES, rather than walked sector by sector (a damaged file has no chain to
    follow)."""
    names = [name.encode("utf-16-le") for name in _ENCRYPTED_STREAMS]
    chunk_size = _OLE_ENTRY * 8192  # whole entries: an entry never spans two chunks
    try:
        with path.open("rb") as file:
            offset = 0
            while offset < limits.MAX_BYTES and (chunk := file.read(chunk_size)):
                if any(_entry_named(chunk, name) for name in names):
                    return True
                offset += len(chunk)
    except OSError:
        return False
    return False


def _entry_named(chunk: bytes, name: bytes) -> bool:
    """Whether chunk (starting at an entry's boundary) holds a directory entry called name."""
    start = chunk.find(name)
    while start >= 0:
        length = int.from_bytes(chunk[start + 64 : start + 66], "little")
        if start % _OLE_ENTRY == 0 and length == len(name) + 2:
            return True
        start = chunk.find(name, start + 1)
    return False


def check_archive(path: Path, kind: str = "XLSX") -> None:
    """Refuse a workbook that is not a zip archive, or that unpacks too far."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise unreadable(path.name, kind, f"it is damaged or incomplete ({exc})") from None
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


def _read(path: Path, sheet: str | None) -> Sheet:
    """The values (Excel's saved values of formulas), streamed row by row; when the workbook
    has formulas at all, the formulas themselves are streamed beside them, from the
    workbook opened a second time, for those Excel never saved a value of."""
    load_workbook = _load_workbook()
    opened: list[Any] = []  # files and workbooks, closed when the rows are done
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # about styles and extensions, not the answers
            workbook = _open(path, load_workbook, opened, data_only=True)
            name, notes = _sheet(path, sheet, workbook)
            formulas = None
            if _has_formulas(path):
                formulas = _formulas(path.name, name, _open(path, load_workbook, opened, False))
            rows = _values(path.name, name, workbook[name], formulas, notes)
    except BaseException:
        _close(opened)
        raise
    return Sheet(name, _guarded(path.name, rows, opened), notes)


def _load_workbook() -> Any:
    """openpyxl's load_workbook, openpyxl imported without numpy: it only adds numpy's
    number types to the values a cell it writes may hold (a cell it reads is a Python
    value), and importing numpy costs more than reading a survey of a hundred rows.
    numpy stays importable by anything else (the block lasts the import)."""
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        from openpyxl import load_workbook
    else:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # import numpy: ImportError
        try:
            from openpyxl import load_workbook
        finally:
            if "numpy" in sys.modules and sys.modules["numpy"] is None:
                del sys.modules["numpy"]
    return load_workbook


def _open(path: Path, load_workbook: Any, opened: list[Any], data_only: bool) -> Any:
    file = path.open("rb")  # a file, not a name: openpyxl judges a name by its suffix
    opened.append(file)
    workbook = load_workbook(file, read_only=True, data_only=data_only, keep_links=False)
    opened.append(workbook)
    return workbook


def _close(opened: list[Any]) -> None:
    for thing in reversed(opened):
        thing.close()


def _sheet(path: Path, sheet: str | None, workbook: Any) -> tuple[str, list[Note]]:
    """The sheet to read, and the note when hidden sheets were passed over."""
    names = [str(n) for n in workbook.sheetnames]
    hidden = {n for n in names if getattr(workbook[n], "sheet_state", "visible") != "visible"}
    name, notes = choose_sheet(path.name, names, sheet, hidden)
    if not hasattr(workbook[name], "iter_rows"):
        raise SurveyReadError(
            f"sheet {name!r} is a chart, not a table of answers",
            hint="choose the sheet with the responses with --sheet",
        )
    return name, notes


def _guarded(file: str, rows: Iterator[Row], opened: list[Any]) -> Iterator[Row]:
    """rows, with any failure to parse a hostile file while it streams made "unreadable";
    the workbooks closed once the rows are done (or dropped)."""
    try:
        yield from rows
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in stream_xlsx
        raise unreadable(file, "XLSX", failure_reason(exc)) from None
    finally:
        _close(opened)


def _parsed_rows(
    worksheet: Any, notes: list[Note] | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(row number, the cells holding something) for each row of a read-only worksheet,
    streamed through openpyxl's public API: reset_dimensions() forgets the dimension the
    file declares (a 5 KB file may declare A1:XFD1048576), so each row ends at its own last
    cell and no rectangle is ever padded out. A gap between rows costs nothing.

    openpyxl's warnings while it parses a row are caught there (a row at a time: the
    warnings filter is the whole program's, never left changed while a row is handed on);
    the one about a date cell whose serial is no date becomes a note in notes (when given;
    else they are let go)."""
    worksheet.reset_dimensions()
    parsed = iter(worksheet.iter_rows())
    number = 0
    while True:
        batch: list[tuple[Any, list[str]]] = []  # rows, each with what openpyxl said
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            while len(batch) < _ROWS_PER_CATCH:
                before = len(said)
                row = next(parsed, None)
                if row is None:
                    break
                batch.append((row, [str(w.message) for w in said[before:]]))
        for row, messages in batch:
            number += 1
            if messages and notes is not None:
                notes.extend(_date_notes(number, row, messages))
            cells = [
                {"column": index, "value": cell.value, "data_type": cell.data_type}
                for index, cell in enumerate(row, start=1)
                if cell.value is not None or cell.data_type == "str"  # a formula's "" result
            ]
            if cells:
                yield number, cells
        if len(batch) < _ROWS_PER_CATCH:
            return


# Rows parsed under one catch of openpyxl's warnings before they are handed on: catching
# them anew for every row cost seconds on a sheet formatted down to its millionth row.
_ROWS_PER_CATCH = 1024


# openpyxl's warning for a date-formatted cell whose number is no date (it reads the cell
# as the error #VALUE!): "Cell C2 is marked as a date but the serial value 99999999999 is
# outside the limits for dates. The cell will be treated as an error."
_NO_DATE = re.compile(r"Cell (\S+) is marked as a date but the serial value (\S+) is outside")
_CELL_NAME = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _date_notes(number: int, row: Sequence[Any], messages: list[str]) -> Iterator[Note]:
    """A note for each cell of row (number) openpyxl warned is marked as a date but holds
    a number no date has (Excel shows it as #####): its answer is lost, so it is said.
    The cell is the one the warning names, else the row's first such error cell."""
    errors = [i for i, cell in enumerate(row) if cell.data_type == "e" and cell.value == "#VALUE!"]
    for message in messages:
        found = _NO_DATE.search(message)
        if found is None:
            continue
        named = _CELL_NAME.fullmatch(found.group(1))
        column: int | None = None
        if named is not None:
            column = _column_index(named.group(1))
        elif errors:
            column = errors[0]
        if column is not None and column in errors:
            errors.remove(column)
        yield Note(
            number,
            column,
            "this cell is formatted as a date, but its number is no date Excel can show (it"
            " shows #####), so the answer is left out: format the cell as a number or text,"
            " or type the date again",
            found.group(2),
        )


def _column_index(letters: str) -> int:
    """ "A" -> 0, "AA" -> 26: a column's 0-based index from its letters."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _values(
    file: str,
    sheet: str,
    worksheet: Any,
    formulas: Iterator[tuple[int, list[tuple[int, str]]]] | None,
    notes: list[Note],
) -> Iterator[Row]:
    """The sheet's values by the cells that hold one, each held to the limits, a row at a
    time; a row ends at its last value. A formula without a saved value reads as its text
    (with a note), in a row of values or on its own."""
    cells_read = 0
    formulas = formulas or iter(())
    waiting = next(formulas, None)  # the next row with formulas
    for number, cells in _parsed_rows(worksheet, notes):
        while waiting is not None and waiting[0] < number:  # formulas alone in their row
            yield _with_formulas([], *waiting, notes)
            waiting = next(formulas, None)
        found = [(c["column"] - 1, v) for c in cells if (v := _value(c)) is not None]
        saved = {c["column"] - 1 for c in cells}  # a value Excel saved, blank ones too
        notes.extend(
            Note(
                number,
                c["column"] - 1,
                f"this cell shows the error {c['value']} in Excel, so it is read as blank:"
                " fix its formula, or type the answer",
                str(c["value"]),
            )
            for c in cells
            if c["data_type"] == "e" and c["value"] and c["value"] != "#VALUE!"
        )
        width = 0
        for column, value in found:
            check_cell(file, sheet, number, column, value)
            width = max(width, column + 1)
        cells_read += width
        check_cells(file, sheet, cells_read, number)
        row: list[object] = [None] * width
        for column, value in found:
            row[column] = value
        if waiting is not None and waiting[0] == number:
            row = _with_formulas(row, *waiting, notes, saved)[1]
            waiting = next(formulas, None)
        if row:
            yield number, row
    while waiting is not None:
        yield _with_formulas([], *waiting, notes)
        waiting = next(formulas, None)


def _with_formulas(
    row: list[object],
    number: int,
    formulas: list[tuple[int, str]],
    notes: list[Note],
    saved: Collection[int] = (),
) -> Row:
    """The row with the text of each formula Excel saved no value for, and a note on each.
    saved: the columns whose formulas have a saved value, read as Excel shows it even when
    that is blank (an error such as #N/A, or "")."""
    for column, text in formulas:
        if column in saved:
            continue
        row.extend([None] * (column + 1 - len(row)))
        if row[column] is None:
            row[column] = text
            notes.append(
                Note(
                    number,
                    column,
                    "this formula has no saved value, so it is read as its text; open the"
                    " file in Excel and save it to store the values",
                    text,
                )
            )
    return number, row


def _value(cell: dict[str, Any]) -> object:
    """A cell's value as Excel shows it: an error (#N/A) or "" is blank, 3.0 is 3, an
    escape such as _x000D_ the character it stands for."""
    value = cell["value"]
    if value is None or value == "" or cell["data_type"] == "e":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return excel_unescaped(value)
    return value


def choose_sheet(
    file: str, names: list[str], sheet: str | None, hidden: Collection[str] = ()
) -> tuple[str, list[Note]]:
    """The sheet named (any case), else the first visible one, with a note when the first
    sheet is hidden: a hidden sheet is read only when named."""
    if not names:
        raise unreadable(file, "XLSX", "it has no sheets")
    if sheet is None:
        visible = [n for n in names if n not in hidden]
        if not visible:
            raise all_hidden(file, names)
        if visible[0] == names[0]:
            return names[0], []
        return visible[0], [hidden_first_note(names[: names.index(visible[0])], visible[0])]
    if sheet in names:
        return sheet, []
    folded = [n for n in names if n.casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0], []
    raise no_sheet(file, sheet, names)


def hidden_first_note(skipped: list[str], chosen: str) -> Note:
    """The warning when the first sheet(s) are hidden and a later one is read instead."""
    first = (
        f"the first sheet, {skipped[0]!r}, is hidden"
        if len(skipped) == 1
        else f"the first sheets ({', '.join(map(repr, skipped))}) are hidden"
    )
    return Note(
        1,
        None,
        f"{first}, so the first visible sheet, {chosen!r}, is read; to read a hidden sheet,"
        " name it with --sheet (or sheet = in the profile)",
    )


def all_hidden(file: str, names: list[str]) -> SurveyReadError:
    return SurveyReadError(
        f"{file}: every sheet is hidden ({', '.join(names)})",
        hint="choose the sheet with the responses with --sheet, or unhide it",
    )


def no_sheet(file: str, sheet: str, names: list[str]) -> SurveyReadError:
    return SurveyReadError(
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


def _formulas(file: str, sheet: str, workbook: Any) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """(row number, [(0-based column, formula text)]) for each row of the sheet with
    formulas, from the workbook opened for its formulas rather than their saved values."""
    for number, cells in _parsed_rows(workbook[sheet]):
        found = []
        for cell in cells:
            if cell["data_type"] == "f":
                text = str(getattr(cell["value"], "text", cell["value"]))
                check_cell(file, sheet, number, cell["column"] - 1, text)
                found.append((cell["column"] - 1, text))
        if found:
            yield number, found


def failure_reason(exc: BaseException, what: str = "an Excel workbook") -> str:
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps what went wrong in a ValueError of its own
        if "Forbidden" in type(cause).__name__:  # defusedxml: EntitiesForbidden, ...
            return f"its XML declares entities, which are refused ({type(cause).__name__})"
        cause = cause.__cause__ or cause.__context__
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"it is damaged or not {what} ({type(exc).__name__}: {first_line})"
