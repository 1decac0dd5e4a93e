""".ods (LibreOffice, OpenDocument) -> its rows, streamed, as LibreOffice shows them.

The sheet's XML (content.xml) is streamed through defusedxml, so entities are refused and
the file is never held whole in memory. Numbers, dates and booleans keep their type, text
reads as shown; a formula reads as the value saved with it. OpenDocument repeats a row or
cell instead of writing it again ("table:number-rows-repeated"): a blank repeat (formatting
down to row 1,048,576) costs nothing, a repeat of values is held to the limits before it is
made (grid.check_cell, check_cells), and each copy only when its row is asked for. Hidden
sheets are read only when named, as for .xlsx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from snapshotpdf import limits
from snapshotpdf.errors import SnapshotError
from snapshotpdf.survey.grid import Grid, Note, Row, Sheet, check_cell, check_cells, unreadable
from snapshotpdf.survey.xlsx import (
    all_hidden,
    check_archive,
    failure_reason,
    hidden_first_note,
    no_sheet,
)

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
# LibreOffice marks a formula whose result is an error (#N/A, #NAME?) with this attribute;
# the cell's text is the error's name.
_CALC_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_CELLS = {_T + "table-cell", _T + "covered-table-cell"}


def is_ods(head: bytes) -> bool:
    """An OpenDocument spreadsheet starts with an uncompressed "mimetype" zip member."""
    return head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype" and MIMETYPE in head


def read_ods(path: Path, sheet: str | None) -> Grid:
    return stream_ods(path, sheet).grid()


def stream_ods(path: Path, sheet: str | None) -> Sheet:
    """The sheet's rows, streamed from content.xml as they are asked for: the XML before
    the sheet is read now (to find it), the rest as its rows are."""
    check_archive(path, "ODS")
    return _guarded(path.name, lambda: _find(path, sheet))


def _find(path: Path, sheet: str | None) -> Sheet:
    events = _events(path)
    names: list[str] = []
    hidden_styles: set[str] = set()
    skipped: list[str] = []  # hidden sheets before the one read, when none is named
    style = ""  # the style being read, in office:automatic-styles
    for event, element in events:
        tag = element.tag
        if event == "start" and tag == _S + "style":
            style = element.get(_S + "name", "")
        elif event == "end" and tag == _S + "table-properties":
            if element.get(_T + "display") == "false":
                hidden_styles.add(style)  # a table of this style is hidden
        elif event == "start" and tag == _T + "table":
            name = element.get(_T + "name", "")
            names.append(name)
            hidden = element.get(_T + "style-name") in hidden_styles
            if _wanted(name, hidden, sheet):
                notes = [hidden_first_note(skipped, name)] if skipped else []
                reader = _Sheet(path.name, name, notes)
                return Sheet(name, _guarded_rows(path.name, reader.rows(events)), notes)
            if hidden and sheet is None:
                skipped.append(name)
        elif event == "end" and tag == _T + "table-row":
            element.clear()  # a sheet not read: drop its rows as they pass
    if sheet is not None:
        raise no_sheet(path.name, sheet, names)
    if names:
        raise all_hidden(path.name, names)
    raise unreadable(path.name, "ODS", "it has no sheets")


def _events(path: Path) -> Iterator[tuple[str, Any]]:
    """content.xml's start and end events, streamed through defusedxml."""
    import zipfile

    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
        yield from iterparse(xml, events=("start", "end"))


def _guarded(file: str, find: Callable[[], Sheet]) -> Sheet:
    """find(), with any failure to parse a hostile file made "unreadable"."""
    try:
        return find()
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse a hostile file is "unreadable"
        raise _unreadable(file, exc) from None


def _guarded_rows(file: str, rows: Iterator[Row]) -> Iterator[Row]:
    """rows, with any failure to parse a hostile file while they stream made "unreadable"."""
    try:
        yield from rows
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in _guarded
        raise _unreadable(file, exc) from None


def _unreadable(file: str, exc: Exception) -> SnapshotError:
    return unreadable(file, "ODS", failure_reason(exc, "a LibreOffice spreadsheet"))


def _wanted(name: str, hidden: bool, sheet: str | None) -> bool:
    if sheet is None:
        return not hidden
    return name == sheet or name.casefold() == sheet.strip().casefold()


class _Sheet:
    """The rows of one table, as its XML streams past."""

    def __init__(self, file: str, sheet: str, notes: list[Note]) -> None:
        self.file, self.sheet = file, sheet
        self.notes = notes
        self.number = 0  # the last row number read (1-based)
        self.cells = 0  # cells held so far
        self.row: list[object] = []
        self.column = 0  # the next column index in this row

    def rows(self, events: Iterator[tuple[str, Any]]) -> Iterator[Row]:
        """Each row with a value, numbered, until the table ends."""
        for event, element in events:
            tag = element.tag
            if tag == _T + "table":
                if event == "end":
                    return
            elif tag == _T + "table-row":
                if event == "start":
                    self.row, self.column = [], 0
                else:
                    yield from self._end_row(_repeat(element, "number-rows-repeated"))
                    element.clear()
            elif tag in _CELLS and event == "end":
                self._cell(element)

    def _cell(self, element: Any) -> None:
        repeat = _repeat(element, "number-columns-repeated")
        value = _value(element)
        if value is not None:
            last = self.column + repeat - 1
            check_cell(self.file, self.sheet, self.number + 1, last, value)
            self.row.extend([None] * (self.column - len(self.row)))
            self.row.extend([value] * repeat)
            if element.get(_T + "formula") and element.get(f"{{{_OFFICE}}}value-type") is None:
                self.notes.append(
                    Note(
                        self.number + 1,
                        self.column,
                        "this formula has no saved value, so it is read as its text; open"
                        " the file in LibreOffice and save it to store the values",
                        str(value),
                    )
                )
        self.column += repeat
        element.clear()

    def _end_row(self, repeat: int) -> Iterator[Row]:
        row = self.row
        first = self.number + 1
        self.number += repeat  # blank rows, however many: nothing to hold
        if not row:
            return
        check_cell(self.file, self.sheet, self.number, len(row) - 1, None)
        self.cells += len(row) * repeat
        check_cells(self.file, self.sheet, self.cells, self.number)
        for number in range(first, self.number + 1):
            yield number, list(row)


def _repeat(element: Any, attribute: str) -> int:
    return max(1, int(element.get(_T + attribute, "1")))


def _value(cell: Any) -> object:
    """What LibreOffice shows in the cell: a number, date or boolean keeps its type; an
    error (#N/A) is blank, as in an Excel workbook."""
    if cell.get(_CALC_TYPE) == "error":
        return None
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        number = float(cell.get(f"{{{_OFFICE}}}value", "nan"))
        if number == number:
            return int(number) if number.is_integer() else number
    elif kind == "boolean":
        return cell.get(f"{{{_OFFICE}}}boolean-value") == "true"
    elif kind == "date":
        text = cell.get(f"{{{_OFFICE}}}date-value", "")
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    lines: list[str] = []
    room = limits.MAX_CELL_CHARS + 1  # the cell's, over all its paragraphs
    for paragraph in (p for p in cell if p.tag == _X + "p"):
        if room < 0:  # one over the limit already, its line break counted
            break
        lines.append(_text(paragraph, room))
        room -= len(lines[-1]) + 1
    text = "\n".join(lines)
    if not text and kind is None and (formula := cell.get(_T + "formula")):
        return str(formula).removeprefix("of:")
    return text or None


def _text(element: Any, room: int = limits.MAX_CELL_CHARS + 1) -> str:
    """A paragraph's text: spans and links read through, <text:s c="3"/> is three spaces.
    At most `room` characters are made (one over the cell limit, for the limit's check to
    see): 2,000 <text:s c="1000000"/> in a 2 KB file would otherwise be 2 GB of spaces."""
    parts = [(element.text or "")[:room]]
    size = len(parts[0])
    for child in element:
        if size >= room:
            break
        name = child.tag.rpartition("}")[2]
        if name == "s":
            part = " " * min(max(1, int(child.get(_X + "c", "1"))), room - size)
        elif name == "tab":
            part = "\t"
        elif name == "line-break":
            part = "\n"
        elif name != "annotation":  # comments are not the cell's value
            part = _text(child, room - size)
        else:
            part = ""
        part += child.tail or ""
        parts.append(part[: room - size])
        size += len(parts[-1])
    return "".join(parts)
