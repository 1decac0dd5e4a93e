"""The edges of reading a survey: paths that are not saved files (a pipe, a device, a link
that goes nowhere), workbooks that are locked with a password, cells Excel cannot show,
and headers that look right but hold invisible characters. Every file is made here."""

from __future__ import annotations

import os
import re
import threading
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from snapshotpdf.errors import SurveyReadError
from snapshotpdf.models import Location, Severity
from snapshotpdf.survey.columns import bind, header_columns, shown
from snapshotpdf.survey.profile import load_profile
from snapshotpdf.survey.read import read_survey


def _refusal(path: Path) -> str:
    """The message reading path gives, from a thread that must not block on it."""
    said: list[str] = []

    def read() -> None:
        try:
            read_survey(path)
        except SurveyReadError as exc:
            said.append(str(exc))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), f"reading {path} blocked"
    assert said, f"{path} was read"
    return said[0]


# --- paths that are not saved files -----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    message = _refusal(fifo)
    assert "is not a regular file: it is a named pipe (FIFO)" in message
    assert "is empty" not in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_as_not_a_regular_file(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    link = tmp_path / "survey.xlsx"
    link.symlink_to(device)
    message = _refusal(link)
    assert "is not a regular file: it is a device" in message
    assert "hint: give the survey export file itself" in message


def test_a_system_file_that_gives_no_size_is_refused() -> None:
    environ = Path("/proc/self/environ")
    if not environ.is_file() or environ.stat().st_size != 0:
        pytest.skip("no /proc here")
    assert "is not a regular file: it is a system file" in _refusal(environ)


def test_a_symlink_loop_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    message = _refusal(tmp_path / "a.csv")
    assert "symbolic link that leads round in a loop" in message
    assert "not found" not in message


def test_a_dangling_link_names_its_target(tmp_path: Path) -> None:
    (tmp_path / "survey.csv").symlink_to(tmp_path / "gone.csv")
    message = _refusal(tmp_path / "survey.csv")
    assert f"is a symbolic link to {tmp_path / 'gone.csv'}, which is not found" in message


def test_an_empty_file_is_still_empty(tmp_path: Path) -> None:
    (tmp_path / "survey.csv").write_bytes(b"")
    assert "survey.csv is empty" in _refusal(tmp_path / "survey.csv")


# --- a workbook locked with a password --------------------------------------------------


def _ole_entry(name: str) -> bytes:
    """One 128-byte directory entry of a compound file: the name in UTF-16LE, its length in
    bytes with the terminating NUL, the entry's type (2: a stream; 5: the root)."""
    encoded = name.encode("utf-16-le") + b"\0\0"
    kind = 5 if name == "Root Entry" else 2
    entry = encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little") + bytes([kind, 1])
    return entry.ljust(128, b"\xff")


def _compound_file(path: Path, streams: list[str]) -> Path:
    """A compound file (what Excel saves a workbook with a password as, and an .xls): its
    512-byte header, then one sector of directory entries (sector 0, as the header says)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x20] = b"\x3e\x00\x03\x00\xfe\xff\x09\x00"  # version 3, little-endian, 512
    header[0x2C:0x34] = (1).to_bytes(4, "little") + (0).to_bytes(4, "little")
    directory = b"".join(_ole_entry(name) for name in ["Root Entry", *streams])
    path.write_bytes(bytes(header) + directory.ljust(512, b"\0") + b"\0" * 1024)
    return path


@pytest.mark.parametrize("name", ["survey.xlsx", "survey.csv"])
def test_a_workbook_with_a_password_says_to_remove_it(tmp_path: Path, name: str) -> None:
    survey = _compound_file(
        tmp_path / name, ["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]
    )
    message = _refusal(survey)
    assert "is protected with a password" in message
    assert "Excel 97-2003" not in message
    assert "remove the password (File > Info > Protect Workbook > Encrypt with Password" in message


def test_an_old_xls_is_still_an_old_xls(tmp_path: Path) -> None:
    survey = _compound_file(tmp_path / "survey.xls", ["Workbook", "\x05SummaryInformation"])
    message = _refusal(survey)
    assert "old Excel 97-2003 (.xls)" in message and "password" not in message


def test_a_stream_name_inside_the_data_is_not_a_password(tmp_path: Path) -> None:
    survey = _compound_file(tmp_path / "survey.xls", ["Workbook"])
    with survey.open("ab") as file:  # the name as a cell's text, not at an entry's start
        file.write(b"\0\0" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 200)
    assert "old Excel 97-2003 (.xls)" in _refusal(survey)


# --- a date cell whose number is no date ------------------------------------------------


def _date_cell_workbook(path: Path, serial: str, refs: bool = True) -> Path:
    """A survey whose Mayor cell (C2) is formatted as a date but holds `serial`; refs:
    False drops the cells' r="C2" names (openpyxl then cannot name the cell)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Responses"
    sheet.append(["City", "Country", "Mayor"])
    sheet.append(["Lima", "Peru", 1])
    sheet["C2"].number_format = "yyyy-mm-dd"
    tmp = path.with_suffix(".plain.xlsx")
    workbook.save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'(<c r="C2"[^>]*>)<v>1</v>', rb"\g<1><v>" + serial.encode() + rb"</v>", data
                )
                if not refs:
                    data = re.sub(rb' r="[A-Z]+[0-9]+"', b"", data)
            dst.writestr(item, data)
    return path


@pytest.mark.parametrize("refs", [True, False])
def test_a_date_cell_excel_shows_as_hashes_is_a_located_warning(tmp_path: Path, refs: bool) -> None:
    survey = _date_cell_workbook(tmp_path / "survey.xlsx", "99999999999", refs)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        table = read_survey(survey)
    assert [str(w.message) for w in said] == []  # nothing of openpyxl's reaches stderr
    (problem,) = table.problems
    assert problem.severity is Severity.WARNING
    location = problem.location
    assert (location.file, location.sheet, location.row) == ("survey.xlsx", "Responses", 2)
    assert (location.column, location.header) == ("C", "Mayor")
    assert "formatted as a date" in problem.message and "#####" in problem.message
    assert "format the cell as a number or text" in problem.message
    assert problem.value == "99999999999"
    assert table.rows[0].cells["Mayor"] is None


def test_a_date_cell_that_is_a_date_says_nothing(tmp_path: Path) -> None:
    table = read_survey(_date_cell_workbook(tmp_path / "survey.xlsx", "45000"))
    assert table.problems == ()
    assert table.rows[0].cells["Mayor"] is not None


# --- a header that shows right but is not ----------------------------------------------


@pytest.mark.parametrize(
    ("header", "hidden"),
    [
        ("\u202eytiC", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202eytiC\u202c", "U+202C POP DIRECTIONAL FORMATTING"),
        ("City_x0007_", "Excel's escape(s) _x0007_"),
        ("Ci\u200bty", "U+200B ZERO WIDTH SPACE"),
        ("City\x07", "U+0007 control character"),
    ],
)
def test_a_header_that_only_shows_as_the_field_is_suggested_not_taken(
    header: str, hidden: str
) -> None:
    profile = load_profile(None)
    columns = header_columns([["Town", header, "Country"]])
    bound, problems = bind(profile, columns, Location("s.xlsx", "Responses", 1))
    assert "city" not in bound.sources  # never taken in the field's place
    (missing,) = [p for p in problems if "for field city" in p.message]
    assert missing.severity is Severity.ERROR
    assert f"did you mean {header!r} (column B)? It shows as 'City' but holds" in missing.message
    assert hidden in missing.message
    assert "delete them (type the header cell again)" in missing.message


@pytest.mark.parametrize(
    ("cell", "display"),
    [
        ("\u202eytiC", "City"),
        ("Lima \u202eytiC\u202c!", "Lima City!"),
        ("_x005F_x0007_", "_x0007_"),
        ("\u202dCity\u202c", "City"),
        ("Сity", "Сity"),  # a Cyrillic С shows as itself
    ],
)
def test_shown_is_the_header_as_a_spreadsheet_shows_it(cell: str, display: str) -> None:
    assert shown(cell) == display


def test_a_header_with_a_look_alike_letter_names_the_letter() -> None:
    """ "did you mean 'Сity'?" shows exactly as the header it says is missing: the letter
    that differs is named."""
    profile = load_profile(None)
    columns = header_columns([["Сity", "Country"]])  # a Cyrillic С
    _, problems = bind(profile, columns, Location("s.xlsx", "Responses", 1))
    (missing,) = [p for p in problems if "for field city" in p.message]
    assert "its 'С' is U+0421 CYRILLIC CAPITAL LETTER ES, not 'C'" in missing.message
