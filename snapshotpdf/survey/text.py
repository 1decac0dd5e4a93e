"""Delimited text (.csv, .tsv, .txt) -> a grid of cells.

The encoding is read from the bytes: UTF-8 with or without a byte-order mark, UTF-16 with
one (Excel's "Unicode text") or without; anything else is read as Windows-1252 with a
warning. The delimiter is the one of , ; tab | that splits the first rows most consistently;
the csv module then reads the cells, every line kept so that row numbers stay those the user
sees, cells of any length up to limits.MAX_CELL_CHARS. A run of "???" in a file that is not
Unicode with a byte-order mark is what Excel writes for characters its encoding lacked: a
warning says to export as CSV UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
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
    check_cell,
    check_cells,
    lost_characters,
    too_long,
    unreadable,
)

DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODING = "cp1252"
_SNIFF_ROWS = 50
_SNIFF_CHARS = 256 * 1024


def read_text(path: Path) -> Grid:
    size = path.stat().st_size
    if size > limits.MAX_BYTES:
        raise SurveyReadError(
            f"{path.name} is {size_text(size)}, more than the {size_text(limits.MAX_BYTES)}"
            " a survey export may hold",
            hint="split the export, or remove columns that are not survey answers",
        )
    kind = path.suffix.lstrip(".").upper() or "CSV"
    text, encoding = decode(path.read_bytes(), path.name, kind)
    if not text.strip():
        raise SurveyReadError(f"{path.name} is empty", hint="export the survey again")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    try:
        rows = _parse(path.name, text, delimiter)
    except (csv.Error, ValueError) as exc:
        raise unreadable(path.name, kind, f"its text is not well-formed CSV ({exc})") from None
    notes: list[Note] = []
    if encoding == FALLBACK_ENCODING:
        notes.append(_fallback_note(rows))
    if encoding in ("utf-8", FALLBACK_ENCODING) and (lost := lost_characters(rows)):
        notes.append(lost)  # a Unicode file with a byte-order mark has lost nothing
    return Grid(None, rows, notes)


@contextmanager
def _cells_up_to_the_limit() -> Iterator[None]:
    """The csv module refuses cells over 131,072 characters unless told otherwise: let it
    read them up to limits.MAX_CELL_CHARS (and restore what it was told before)."""
    previous = csv.field_size_limit(limits.MAX_CELL_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _parse(file: str, text: str, delimiter: str) -> list[list[object]]:
    """Every record as a row of text cells, blank lines kept (row numbers stay Excel's); a
    row ends at its last non-empty cell, the grid at its last row with one. Each row is
    held to the limits as it is read."""
    rows: list[list[object]] = []
    number = cells = blank = 0
    with _cells_up_to_the_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        while True:
            try:
                record = next(reader, None)
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise too_long(
                        file, None, number + 1, None, limits.MAX_CELL_CHARS + 1
                    ) from None
                raise
            if record is None:
                break
            number += 1
            while record and not record[-1]:
                record.pop()
            if not record:
                blank += 1  # held back: blank lines at the end are not rows
                continue
            check_cell(file, None, number, len(record) - 1, None)
            cells += len(record)
            check_cells(file, None, cells, number)
            rows.extend([] for _ in range(blank))
            blank = 0
            rows.append(list(record))
    return rows


def decode(data: bytes, name: str, kind: str) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_bom(data) or "utf-8"
    if encoding.startswith("utf-8") and b"\x00" in data:
        raise unreadable(name, kind, "it holds binary data, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise unreadable(
                name, kind, f"its text is not valid {encoding} ({exc.reason})"
            ) from None
        encoding = FALLBACK_ENCODING
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise unreadable(name, kind, "its text is neither UTF-8 nor Windows-1252") from None
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f" for c in text[:4096])
    if "\x00" in text or controls > 40:
        raise unreadable(name, kind, "it holds binary data, not text")
    return text, encoding


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


def _fallback_note(rows: list[list[object]]) -> Note:
    """Where the first non-ASCII letter is, so the user can see whether it reads right."""
    for r, row in enumerate(rows, 1):
        for c, cell in enumerate(row):
            if isinstance(cell, str) and not cell.isascii():
                return Note(r, c, _FALLBACK_MESSAGE, cell)
    return Note(1, None, _FALLBACK_MESSAGE)


_FALLBACK_MESSAGE = (
    "the file is not UTF-8, so it was read as Windows-1252 (cp1252): check that accented"
    " letters read right here, or export the survey again as CSV UTF-8"
)
