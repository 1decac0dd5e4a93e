"""Delimited text (.csv, .tsv, .txt) -> its rows, streamed.

The encoding is read from the bytes (the file is decoded through once, in chunks, to find
it): UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text") or
without; in a UTF-8 file, each byte that is not UTF-8 is read as Windows-1252, with a
warning at the first (an export saved by Excel as plain "CSV" is all Windows-1252; a file
joined from two exports may be both). The delimiter is the one of
, ; tab | that splits the first rows most consistently; the csv module then reads the
cells a row at a time, every line counted so that row numbers stay those the user sees,
cells of any length up to limits.MAX_CELL_CHARS. A run of "???" in a file that is not
Unicode with a byte-order mark is what Excel writes for characters its encoding lacked: a
warning says to export as CSV UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from snapshotpdf import limits
from snapshotpdf.errors import SurveyReadError
from snapshotpdf.files import size_text
from snapshotpdf.survey.grid import (
    Grid,
    Note,
    Row,
    Sheet,
    check_cell,
    check_cells,
    lost_in_row,
    too_long,
    unreadable,
)

DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODING = "cp1252"
_SNIFF_ROWS = 50
_SNIFF_CHARS = 256 * 1024
_CHUNK = 1 << 20  # bytes read at a time


def read_text(path: Path) -> Grid:
    return stream_text(path).grid()


def stream_text(path: Path) -> Sheet:
    """The file's rows, streamed: its encoding is found by reading it through once (nothing
    kept), its delimiter from its first rows, then its rows are read as they are asked for."""
    size = path.stat().st_size
    if size > limits.MAX_BYTES:
        raise SurveyReadError(
            f"{path.name} is {size_text(size)}, more than the {size_text(limits.MAX_BYTES)}"
            " a survey export may hold",
            hint="split the export, or remove columns that are not survey answers",
        )
    kind = path.suffix.lstrip(".").upper() or "CSV"
    encoding, first_bad = _encoding(path, kind)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        with _open(path, encoding) as text:
            delimiter = sniff_delimiter(text.read(_SNIFF_CHARS))
    notes: list[Note] = []
    return Sheet(None, _rows(path, kind, encoding, delimiter, notes, first_bad), notes)


def _open(path: Path, encoding: str) -> io.TextIOWrapper:
    errors = _FALLBACK_ERRORS if encoding == "utf-8" else "strict"
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors=errors, newline="")


@contextmanager
def _cells_up_to_the_limit() -> Iterator[None]:
    """The csv module refuses cells over 131,072 characters unless told otherwise: let it
    read them up to limits.MAX_CELL_CHARS (and restore what it was told before)."""
    previous = csv.field_size_limit(limits.MAX_CELL_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _rows(
    path: Path,
    kind: str,
    encoding: str,
    delimiter: str,
    notes: list[Note],
    first_bad: int | None = None,
) -> Iterator[Row]:
    """Every record as a row of text cells, numbered as the user sees them (blank lines
    count); a row ends at its last non-empty cell, and one with none is left out. Each row
    is held to the limits as it is read. The notes (how the text was decoded, lost
    characters, rows that a quote left open joined into one cell) are added once the file
    is read. first_bad: the line of the first byte that is not UTF-8 (read as cp1252)."""
    file = path.name
    number = cells = 0
    width = 0  # the first row's, which names the columns
    foreign: Note | None = None  # the first cell read as Windows-1252
    lost: Note | None = None  # the first cell with a run of "???"
    joined: list[Note] = []  # cells that hold rows of their own (a quote left open)
    with _open(path, encoding) as text, _cells_up_to_the_limit():
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            try:
                record = next(reader, None)
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise too_long(
                        file, None, number + 1, None, limits.MAX_CELL_CHARS + 1
                    ) from None
                raise unreadable(file, kind, f"its text is not well-formed CSV ({exc})") from None
            except ValueError as exc:
                raise unreadable(file, kind, f"its text is not well-formed CSV ({exc})") from None
            if record is None:
                break
            number += 1
            while record and not record[-1]:
                record.pop()
            if not record:
                continue
            check_cell(file, None, number, len(record) - 1, None)
            cells += len(record)
            check_cells(file, None, cells, number)
            row: list[object] = list(record)
            width = width or len(record)
            if foreign is None and first_bad is not None and reader.line_num >= first_bad:
                foreign = _foreign(number, row) or Note(number, None, _FALLBACK_MESSAGE)
            if lost is None and encoding == "utf-8":
                lost = lost_in_row(number, row)  # a Unicode file with a byte-order mark lost none
            joined += _rows_in_cells(number, record, width, delimiter)
            yield number, row
    if foreign is not None:
        notes.append(foreign)
    if lost is not None:
        notes.append(lost)
    notes += joined


def _cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    """The codec error handler of a UTF-8 file with bytes that are not UTF-8: each such byte
    is read as Windows-1252, the rest stays UTF-8 (a file joined from two exports, or one
    stray byte, keeps every accented letter of its UTF-8 rows). A byte Windows-1252 does
    not define either still raises."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode(FALLBACK_ENCODING), exc.end


_FALLBACK_ERRORS = "snapshotpdf-cp1252"
codecs.register_error(_FALLBACK_ERRORS, _cp1252_bytes)


def _encoding(path: Path, kind: str) -> tuple[str, int | None]:
    """The encoding the file is read with, found by decoding it through once in chunks (the
    text is not kept), and for a UTF-8 file with bytes that are not UTF-8 the line of the
    first (they are read as Windows-1252: _cp1252_bytes); raises when it is not text, or
    holds nothing but whitespace."""
    name = path.name
    with path.open("rb") as raw:
        head = raw.read(_CHUNK)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_bom(head) or "utf-8"
    if encoding.startswith("utf-8") and any(b"\x00" in chunk for chunk in _chunks(path)):
        raise unreadable(name, kind, "it holds binary data, not text")
    first_bad: int | None = None
    try:
        start, nul, blank = _decoded(path, encoding)
    except _NotUtf8 as exc:
        if encoding != "utf-8":
            raise unreadable(name, kind, f"its text is not valid {encoding} ({exc})") from None
        first_bad = exc.line
        try:
            start, nul, blank = _decoded(path, encoding, _FALLBACK_ERRORS)
        except _NotUtf8:
            raise unreadable(name, kind, "its text is neither UTF-8 nor Windows-1252") from None
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f\v" for c in start)
    if nul or controls > limits.MAX_TEXT_CONTROLS:
        raise unreadable(
            name,
            kind,
            "it holds binary data, not text (NUL bytes, or more than"
            f" {limits.MAX_TEXT_CONTROLS} control characters in its first 4,096:"
            " limits.MAX_TEXT_CONTROLS)",
        )
    if blank:
        raise SurveyReadError(f"{name} is empty", hint="export the survey again")
    return encoding, first_bad


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as raw:
        while chunk := raw.read(_CHUNK):
            yield chunk


class _NotUtf8(Exception):
    """Bytes the encoding does not decode, on this line of the file (1 is the first)."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.line = line


def _decoded(path: Path, encoding: str, errors: str = "strict") -> tuple[str, bool, bool]:
    """Decode the whole file in chunks: its first 4,096 characters, whether it holds a NUL
    character, and whether it is all whitespace. Raises _NotUtf8 at bytes it cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    start, nul, blank = "", False, True
    lines = 1  # the line the decoder has reached, counted in the bytes it was given
    after_cr = False  # the bytes before ended with a CR (a CRLF split between two chunks)
    for chunk, final in itertools.chain(((c, False) for c in _chunks(path)), [(b"", True)]):
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            before = (pending + chunk)[: exc.start]
            raise _NotUtf8(exc.reason, lines + _line_breaks(before, after_cr)) from None
        lines += _line_breaks(chunk, after_cr)
        after_cr = chunk.endswith(b"\r") if chunk else after_cr
        if len(start) < 4096:
            start += text[: 4096 - len(start)]
        nul = nul or "\x00" in text
        blank = blank and not text.strip()
    return start, nul, blank


def _line_breaks(data: bytes, after_cr: bool = False) -> int:
    """The lines data ends, as the csv module counts them (line_num): each LF, CRLF or CR
    alone (Excel for Mac's "CSV (Macintosh)" ends lines with a CR). after_cr: the bytes
    before data ended with a CR, so an LF that starts data ends no line of its own."""
    breaks = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return breaks - 1 if after_cr and data.startswith(b"\n") else breaks


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a zero in every other byte."""
    sample = data[:2048]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    if sample[1::2].count(0) > 0.4 * half and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * half and sample[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the most rows of one width, of at least two columns."""
    sample = text[:_SNIFF_CHARS]
    best, best_score = ",", (0, 0, 0)
    with _cells_up_to_the_limit():
        return _sniff(sample, best, best_score)


def _sniff(sample: str, best: str, best_score: tuple[int, int, int]) -> str:
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            widths = [len(row) for _, row in zip(range(_SNIFF_ROWS), reader, strict=False) if row]
        except csv.Error:
            continue
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        score = (int(width > 1), agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _rows_in_cells(number: int, record: list[str], width: int, delimiter: str) -> list[Note]:
    """A note for each cell of a row whose lines look like rows of the file: what a quote
    mark left open does, joining the rows after it into this cell until the next quote
    mark. A line looks like a row when it splits into as many cells as the first row; at
    least two lines and half of the cell's must, in a file of four columns or more (a
    line of prose has that many commas rarely), or in a cell that holds the "\r\n" that
    ends the rows of an export (a line break typed into a cell is "\n")."""
    found = []
    for column, cell in enumerate(record):
        if "\n" not in cell or width < 2:
            continue
        lines = [line for line in cell.replace("\r\n", "\n").split("\n") if line]
        like_rows = sum(len(cells) == width for cells in csv.reader(lines, delimiter=delimiter))
        shaped = width >= 4 or "\r\n" in cell
        if shaped and like_rows >= 2 and 2 * like_rows >= len(lines):
            found.append(
                Note(
                    number,
                    column,
                    f"this cell runs over {len(lines)} lines, {like_rows} of which look like"
                    ' rows of the file: a quote mark (") left open in it joins the rows after'
                    " it into this cell; close or delete that quote mark in a text editor and"
                    " export again",
                    lines[0][:80],
                )
            )
    return found


def _foreign(number: int, row: list[object]) -> Note | None:
    """The note at the row's first letter beyond ASCII, for the user to see how it reads."""
    for c, cell in enumerate(row):
        if isinstance(cell, str) and not cell.isascii():
            return Note(number, c, _FALLBACK_MESSAGE, cell)
    return None


_FALLBACK_MESSAGE = (
    "this row is the first with text that is not UTF-8, read as Windows-1252 (cp1252):"
    " check that accented letters read right here and in rows like it, or export the survey"
    " again as CSV UTF-8"
)
