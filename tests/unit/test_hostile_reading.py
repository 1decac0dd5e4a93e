"""Files made to hurt, and files from unlucky users: a sheet that declares a million rows,
cells and sheets beyond the limits, hidden sheets, .ods, long CSV cells, names Excel
turned into ????, profiles that never end or nest too deep. Every hostile file is made
here, by the test (openpyxl, zip edits, text), never committed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from support.workbook import write_xlsx

from snapshotpdf import limits
from snapshotpdf.errors import ProfileError, SurveyReadError
from snapshotpdf.models import Severity
from snapshotpdf.survey.profile import load_profile
from snapshotpdf.survey.read import read_grid, read_survey

ROWS: list[list[object]] = [["City", "Country"], ["Lima", "Peru"], ["Quito", "Ecuador"]]


def _edit_sheet(
    source: Path, target: Path, edit: dict[bytes, bytes], member: str = "xl/worksheets/sheet1.xml"
) -> Path:
    """A copy of the workbook with one member's XML edited (old bytes -> new)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == member:
                for old, new in edit.items():
                    assert old in data, old
                    data = data.replace(old, new)
            dst.writestr(item, data)
    return target


def _far_cell(tmp_path: Path, cell: str = "XFD1048576") -> Path:
    """A few KB: two answers, and one cell at `cell`, the dimension saying A1:`cell`."""
    source = write_xlsx(tmp_path / "plain.xlsx", ROWS, sheet="Responses")
    far = f'<row r="{cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{cell}" t="inlineStr">'
    far += "<is><t>stray</t></is></c></row></sheetData>"
    return _edit_sheet(
        source,
        tmp_path / "far.xlsx",
        {
            b"</sheetData>": far.encode(),
            b"<sheetData>": b"<dimension ref='A1:XFD1048576'/><sheetData>",
        },
    )


# --- 1. a sheet is read by its real cells, never by its declared dimension --------------


def test_a_cell_at_xfd1048576_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    """The 5 KB workbook that drove `check` past 4 GB: in a child limited to 1.5 GB of
    address space, it is refused with one message that names the limit and the cell."""
    path = _far_cell(tmp_path)
    assert path.stat().st_size < 10_000
    program = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
        from pathlib import Path
        from snapshotpdf.errors import SurveyReadError
        from snapshotpdf.survey.read import read_survey
        try:
            read_survey(Path({str(path)!r}))
        except SurveyReadError as exc:
            print(exc)
            sys.exit(3)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert "cell XFD1048576 holds a value in row 1,048,576" in done.stdout
    assert "100,000 rows" in done.stdout and "limits.MAX_ROWS" in done.stdout
    assert "hint: delete the stray cells" in done.stdout


def test_the_declared_dimension_is_ignored_and_the_real_cells_are_read(tmp_path: Path) -> None:
    path = _far_cell(tmp_path, "C5")  # declares A1:XFD1048576, holds A1:C5
    grid = read_grid(path)
    assert len(grid.rows) == 5 and max(len(r) for r in grid.rows) == 3
    table = read_survey(path)
    assert [r.cells["City"] for r in table.rows][:2] == ["Lima", "Quito"]


def test_blank_formatted_rows_far_below_cost_nothing(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "plain.xlsx", ROWS)
    empty = b'<row r="1048576" ht="20" customHeight="1"><c r="XFD1048576" s="0"/></row>'
    path = _edit_sheet(source, tmp_path / "f.xlsx", {b"</sheetData>": empty + b"</sheetData>"})
    assert len(read_grid(path).rows) == 3


@pytest.mark.parametrize(
    ("limit", "value", "cell", "found"),
    [
        ("MAX_COLUMNS", 5, "F1", "column 6, beyond the 5 columns"),
        ("MAX_ROWS", 3, "A4", "row 4, beyond the 3 rows"),
        ("MAX_CELL_CHARS", 10, "B2", "characters or more, beyond the 10 one cell"),
        ("MAX_CELLS", 7, "B2", "8 cells or more in its first 2 rows, beyond the 7 cells"),
    ],
)
def test_each_limit_is_named_with_what_was_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int, cell: str, found: str
) -> None:
    monkeypatch.setattr(limits, limit, value)
    rows = [["City", "Country", "", "", "", "Notes"], ["Lima", "Peru" * 3], ["Quito", "Ecuador"]]
    rows.append(["Cusco", "Peru"])
    for path in (write_xlsx(tmp_path / "s.xlsx", rows), _csv(tmp_path / "s.csv", rows)):
        with pytest.raises(SurveyReadError) as caught:
            read_survey(path)
        assert found in str(caught.value) and f"limits.{limit}" in str(caught.value)
        assert caught.value.hint


def _csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("\n".join(",".join(str(c) for c in r) for r in rows), encoding="utf-8")
    return path


# --- 2. .ods ------------------------------------------------------------------------------


def test_an_ods_written_by_pandas_reads_like_the_xlsx(tmp_path: Path) -> None:
    pytest.importorskip("odf")
    import pandas as pd

    path = tmp_path / "survey.ods"
    frame = pd.DataFrame(
        [["Lima", "Peru", 9670000, 2.5, True, datetime(2024, 2, 20)]],
        columns=["City", "Country", "Population", "Share", "Open", "Date"],
    )
    frame.to_excel(path, engine="odf", sheet_name="Responses", index=False)
    table = read_survey(path)
    assert table.sheet == "Responses" and table.problems == ()
    assert table.rows[0].cells == {
        "City": "Lima",
        "Country": "Peru",
        "Population": 9670000,
        "Share": 2.5,
        "Open": True,
        "Date": datetime(2024, 2, 20),
    }


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def _ods(path: Path, tables: str) -> Path:
    """An .ods as LibreOffice writes one: styles (ta2 hides a sheet), repeats, spans."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}>'
        '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
        f"</office:automatic-styles><office:body><office:spreadsheet>{tables}"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _table(name: str, style: str, rows: str) -> str:
    return f'<table:table table:name="{name}" table:style-name="{style}">{rows}</table:table>'


def _row(*cells: str, repeat: int = 1) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{repeat}">{"".join(cells)}</table:table-row>'
    )


def _text(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


_BLANK = '<table:table-cell table:number-columns-repeated="1020"/>'
_ANSWERS = (
    _row(_text("City"), _text("Country"), _BLANK)
    + _row(_text('San<text:s text:c="2"/><text:span>José</text:span>'), _text("Costa Rica"), _BLANK)
    + _row(_BLANK, repeat=1048574)  # LibreOffice's formatting down to the last row
)


def test_an_ods_skips_a_hidden_first_sheet_with_a_warning_and_repeats_cost_nothing(
    tmp_path: Path,
) -> None:
    tables = _table("Secret", "ta2", _row(_text("x"))) + _table("Answers", "ta1", _ANSWERS)
    path = _ods(tmp_path / "s.ods", tables)
    table = read_survey(path)
    assert table.sheet == "Answers" and table.rows[0].cells["City"] == "San  José"
    [warning] = table.problems
    assert warning.severity is Severity.WARNING and "'Secret', is hidden" in warning.message
    assert read_survey(path, sheet="secret").sheet == "Secret"  # named: read


def test_an_ods_repeat_of_values_beyond_a_limit_is_refused(tmp_path: Path) -> None:
    rows = _row(_text("City"), _text("Country")) + _row(_text("Lima", 2), repeat=1048575)
    with pytest.raises(SurveyReadError, match="limits.MAX_ROWS"):
        read_survey(_ods(tmp_path / "s.ods", _table("Answers", "ta1", rows)))
    wide = _row(_text("City"), _text("x", 16384))
    with pytest.raises(SurveyReadError, match="limits.MAX_COLUMNS"):
        read_survey(_ods(tmp_path / "w.ods", _table("Answers", "ta1", wide)))


@pytest.mark.parametrize("paragraphs", [1, 2_000])
def test_an_ods_cell_of_repeated_spaces_is_refused_in_little_memory(
    tmp_path: Path, paragraphs: int
) -> None:
    """<text:s text:c="1000000"/> is a million spaces: 2,000 of them in a 2 KB file were
    2 GB in memory before the cell's limit was checked. One paragraph of them, or 2,000
    paragraphs of one each: both stop at the limit."""
    spaces = '<text:s text:c="1000000"/>'
    cell = spaces * (2_000 // paragraphs)
    text = "</text:p><text:p>".join([cell] * paragraphs)
    rows = _row(_text("City"), _text("Country")) + _row(_text(text), _text("Peru"))
    path = _ods(tmp_path / "s.ods", _table("Answers", "ta1", rows))
    tracemalloc.start()
    try:
        with pytest.raises(SurveyReadError, match="limits.MAX_CELL_CHARS"):
            read_survey(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * limits.MAX_CELL_CHARS  # a few copies of one cell, not 2,000


def test_a_damaged_ods_says_so(tmp_path: Path) -> None:
    path = tmp_path / "s.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<not-closed")
    with pytest.raises(SurveyReadError, match="cannot be read as a ODS survey export"):
        read_survey(path)


# --- 3. hidden sheets -------------------------------------------------------------------


def test_a_hidden_first_sheet_is_skipped_with_a_warning_unless_named(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Old answers"
    wb.active.append(["City", "Country"])
    wb.active.append(["Atlantis", "Nowhere"])
    wb.active.sheet_state = "hidden"
    answers = wb.create_sheet("Responses")
    for row in ROWS:
        answers.append(row)
    wb.save(tmp_path / "s.xlsx")
    table = read_survey(tmp_path / "s.xlsx")
    assert table.sheet == "Responses" and table.rows[0].cells["City"] == "Lima"
    [warning] = table.problems
    assert warning.severity is Severity.WARNING
    assert (warning.location.sheet, warning.location.row) == ("Responses", 1)
    assert "'Old answers', is hidden" in warning.message and "--sheet" in warning.message
    named = read_survey(tmp_path / "s.xlsx", sheet="Old answers")
    assert named.rows[0].cells["City"] == "Atlantis" and named.problems == ()

    # Excel keeps one sheet visible; a hostile file need not (openpyxl will not write one).
    hide = {b'sheetId="2" state="visible"': b'sheetId="2" state="veryHidden"'}
    _edit_sheet(tmp_path / "s.xlsx", tmp_path / "all.xlsx", hide, "xl/workbook.xml")
    with pytest.raises(SurveyReadError, match="every sheet is hidden"):
        read_survey(tmp_path / "all.xlsx")


# --- 4. and 5. CSV: long cells; names Excel turned into ???? ----------------------------


def test_a_csv_cell_of_300000_characters_is_read(tmp_path: Path) -> None:
    story = "innovation " * 27_273  # 300,003 characters
    path = tmp_path / "s.csv"
    path.write_text(f'City,Country,Spotlight\nLima,Peru,"{story}"\n', encoding="utf-8")
    assert read_survey(path).rows[0].cells["Spotlight"] == story


def test_a_csv_cell_beyond_the_limit_is_refused_with_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 1000)
    path = tmp_path / "s.csv"
    path.write_text('City,Country\nLima,Peru\nQuito,"' + "x" * 2000 + '"\n', encoding="utf-8")
    with pytest.raises(SurveyReadError) as caught:
        read_survey(path)
    assert "row 3 holds 1,001 characters or more, beyond the 1,000" in str(caught.value)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_question_marks_for_lost_characters_are_said_once(tmp_path: Path, encoding: str) -> None:
    rows = "City,Country,Mayor\nLima,Peru,Zoë\n????????,China,???\n???,Japan,Ken\n"
    path = tmp_path / "s.csv"
    path.write_bytes(rows.encode(encoding))
    problems = read_survey(path).problems
    [lost] = [p for p in problems if "question marks" in p.message]
    assert lost.severity is Severity.WARNING and lost.value == "????????"
    assert (lost.location.row, lost.location.column, lost.location.header) == (3, "A", "City")
    assert '"CSV UTF-8"' in lost.message


def test_question_marks_in_a_unicode_export_are_answers(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("City,Country\nWhat???,Peru\n".encode("utf-8-sig"))
    assert read_survey(path).problems == ()


def test_one_byte_that_is_not_utf8_leaves_the_utf8_rows_as_they_are(tmp_path: Path) -> None:
    """A UTF-8 export with one Windows-1252 row (joined from two exports, or one stray byte):
    only that row's bytes are read as Windows-1252, and the warning is at that row."""
    rows = "City,Country,Mayor\n" + "".join(f"Lima {n},Perú,Martín\n" for n in range(400))
    path = tmp_path / "s.csv"
    path.write_bytes(rows.encode("utf-8") + "Quito,Ecuador,Café\n".encode("cp1252"))
    table = read_survey(path)
    assert {row.cells["Mayor"] for row in table.rows[:-1]} == {"Martín"}
    assert table.rows[-1].cells["Mayor"] == "Café"
    [warning] = table.problems
    assert warning.severity is Severity.WARNING and "Windows-1252" in warning.message
    assert (warning.location.row, warning.location.header) == (402, "Mayor")


def test_a_file_all_windows_1252_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("City,Country\nSão Paulo,Brasil\nBogotá,Colombia\n".encode("cp1252"))
    table = read_survey(path)
    assert [row.cells["City"] for row in table.rows] == ["São Paulo", "Bogotá"]
    [warning] = table.problems
    assert warning.location.row == 2 and warning.value == "São Paulo"


def test_rows_joined_by_a_quote_left_open_are_said_at_the_cell(tmp_path: Path) -> None:
    rows = ["City,Country,Mayor", "Lima,Peru,Ana", 'Quito,Ecuador,"Pedro']
    rows += [f"City{n},Chile,Mayor {n}" for n in range(30)]
    path = tmp_path / "s.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    table = read_survey(path)
    assert len(table.rows) == 2  # the csv module's reading: the rest is in Quito's cell
    [joined] = [p for p in table.problems if "quote mark" in p.message]
    assert joined.severity is Severity.WARNING
    assert (joined.location.row, joined.location.header) == (3, "Mayor")
    assert "31 lines, 30 of which look like rows" in joined.message


def test_a_cell_of_several_lines_with_commas_is_an_answer(tmp_path: Path) -> None:
    story = "One, two, three.\nFour, five.\nSix, seven, eight."
    path = tmp_path / "s.csv"
    path.write_text(f'City,Country,Spotlight\nLima,Peru,"{story}"\n', encoding="utf-8")
    table = read_survey(path)
    assert table.rows[0].cells["Spotlight"] == story and table.problems == ()


# --- 6. profiles that never end or nest too deep ----------------------------------------


@pytest.mark.parametrize("path", ["/dev/zero", "/proc/self/environ"])
def test_a_profile_that_is_not_a_saved_file_is_refused_as_a_survey_is(path: str) -> None:
    with pytest.raises(ProfileError, match="is not a regular file: it is a"):
        load_profile(Path(path))


def test_a_profile_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * limits.MAX_PROFILE_BYTES + "\n")
    with pytest.raises(ProfileError, match="limits.MAX_PROFILE_BYTES"):
        load_profile(path)


@pytest.mark.parametrize(
    "nested", ["[" * 20_000 + "]" * 20_000, "{a=" * 20_000 + "1" + "}" * 20_000]
)
def test_a_deeply_nested_profile_is_a_profile_error(tmp_path: Path, nested: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(f"x = {nested}\n")
    with pytest.raises(ProfileError, match="too deeply"):
        load_profile(path)


def test_an_ods_error_cell_reads_as_blank_as_in_a_workbook(tmp_path: Path) -> None:
    """LibreOffice saves a formula whose result is an error with the error's name as its
    text (#N/A): the cell reads as blank, not as a city called #N/A."""
    error = (
        '<table:table-cell table:formula="of:=VLOOKUP([.A2];$M.A:B;2)" office:value-type="string"'
        ' office:string-value="" calcext:value-type="error">'
        "<text:p>#N/A</text:p></table:table-cell>"
    )
    rows = _row(_text("City"), _text("Mayor")) + _row(_text("Lima"), error)
    path = _ods(tmp_path / "errors.ods", _table("Responses", "ta1", rows))
    table = read_survey(path)
    assert table.rows[0].cells["City"] == "Lima"
    assert table.rows[0].cells.get("Mayor") is None
