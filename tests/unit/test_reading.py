"""Reading exports as their tools wrote them: encodings, delimiters, header rows, sheets,
formulas, dates; and the limits that keep a hostile file from doing harm."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from support.helpers import FIXTURES
from support.workbook import write_xlsx

from snapshotpdf import limits
from snapshotpdf.errors import SurveyReadError
from snapshotpdf.files import size_text
from snapshotpdf.models import Severity
from snapshotpdf.survey import xlsx as read_xlsx
from snapshotpdf.survey.read import read_grid, read_survey
from snapshotpdf.survey.text import sniff_delimiter

ROWS = [["City", "Country", "Mayor"], ["São Paulo", "Brazil", "Zoë Ñúñez"], ["Lima", "Peru", ""]]


def write_text(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> Path:
    path.write_bytes("\r\n".join(delimiter.join(r) for r in rows).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings_are_read_without_a_warning(tmp_path: Path, encoding: str) -> None:
    table = read_survey(write_text(tmp_path / "s.csv", ROWS, ",", encoding))
    assert table.headers == ("City", "Country", "Mayor")  # no BOM stuck to "City"
    assert table.rows[0].cells["Mayor"] == "Zoë Ñúñez"
    assert table.problems == ()


def test_cp1252_is_read_with_a_warning_that_points_at_the_first_accent(tmp_path: Path) -> None:
    table = read_survey(write_text(tmp_path / "s.csv", ROWS, ",", "cp1252"))
    assert table.rows[0].cells["City"] == "São Paulo"
    [warning] = table.problems
    assert warning.severity is Severity.WARNING
    assert (warning.location.row, warning.location.column) == (2, "A")
    assert warning.location.header == "City"
    assert "Windows-1252" in warning.message and "CSV UTF-8" in warning.message
    assert warning.value == "São Paulo"


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_the_first_accent_is_found_at_its_row_whatever_ends_the_lines(
    tmp_path: Path, newline: str
) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with a CR alone."""
    rows = [["City", "Country"], ["Lima", "Peru"], ["Quito", "Ecuador"], ["Bogotá", "Colombia"]]
    path = tmp_path / "s.csv"
    path.write_bytes(newline.join(",".join(r) for r in rows).encode("cp1252"))
    [warning] = read_survey(path).problems
    assert (warning.location.row, warning.location.column) == (4, "A")


def test_vertical_tabs_in_cells_are_text_not_binary(tmp_path: Path) -> None:
    """FileMaker exports a line break inside a cell as a vertical tab: dozens in a file
    are text, and each is a line break of its answer."""
    rows = [["City", "Mayor"]] + [[f"City {i}", "Ann Lee\vBob Roe\vCy Poe"] for i in range(30)]
    table = read_survey(write_text(tmp_path / "s.csv", rows, ",", "utf-8"))
    assert len(table.rows) == 30


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    rows = [*ROWS, ["Port, Harbour", "Ruritania; North", "A|B"]]
    quoted = [[f'"{c}"' if any(d in c for d in ",;|") else c for c in r] for r in rows]
    table = read_survey(write_text(tmp_path / "s.txt", quoted, delimiter, "utf-8"))
    assert table.headers == ("City", "Country", "Mayor")
    assert table.rows[2].cells["City"] == "Port, Harbour"


def test_tsv_is_always_tab_separated(tmp_path: Path) -> None:
    table = read_survey(write_text(tmp_path / "s.tsv", [["City,Town", "Country"]], "\t", "utf-8"))
    assert table.headers == ("City,Town", "Country")


def test_sniffing_prefers_the_delimiter_that_splits_rows_evenly() -> None:
    text = 'City,Notes\nLima,"a; b; c"\nQuito,"d; e"\n'
    assert sniff_delimiter(text) == ","


def test_quoted_cells_may_span_lines_and_rows_keep_excel_numbers(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text('City,Note\nLima,"one\n\ntwo"\n,\nQuito,x\n', encoding="utf-8")
    table = read_survey(path)
    assert [r.location.row for r in table.rows] == [2, 4]
    assert table.blank_rows == (3,)
    assert table.rows[0].cells["Note"] == "one\n\ntwo"


def test_answers_in_a_column_without_header_are_said(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("City,Country\nLima,Peru,stray\n", encoding="utf-8")
    [warning] = read_survey(path).problems
    assert (warning.location.row, warning.location.column) == (2, "C")
    assert "no header" in warning.message


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    return write_xlsx(path, rows, sheet=title)


def test_excel_numbers_and_dates_keep_their_type(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "s.xlsx",
        [["City", "Population", "Founded"], ["Lima", 9670000, datetime(1535, 1, 18)]],
    )
    row = read_survey(path).rows[0]
    assert row.cells["Population"] == 9670000
    assert row.cells["Founded"] == datetime(1535, 1, 18)


def _with_cached_value(source: Path, target: Path, value: str | None) -> Path:
    """openpyxl saves formulas without a value; Excel saves the value too (<v>)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and value is not None:
                data = data.replace(b"</f>", b"</f><v>" + value.encode() + b"</v>")
            dst.writestr(item, data)
    return target


@pytest.mark.parametrize("cached", ["9670000", None])
def test_formulas_read_as_their_saved_value_else_as_text(
    tmp_path: Path, cached: str | None
) -> None:
    source = _workbook(tmp_path / "f.xlsx", [["City", "Population"], ["Lima", "=9000000+670000"]])
    path = _with_cached_value(source, tmp_path / "g.xlsx", cached)
    table = read_survey(path)
    if cached:
        assert table.rows[0].cells["Population"] == 9670000
        assert table.problems == ()
    else:
        assert table.rows[0].cells["Population"] == "=9000000+670000"  # never evaluated
        [warning] = table.problems
        assert (warning.location.row, warning.location.column) == (2, "B")
        assert "formula has no saved value" in warning.message


@pytest.mark.parametrize("kind, saved", [("e", "#N/A"), ("str", "")])
def test_a_formula_whose_saved_value_is_an_error_or_empty_reads_as_blank(
    tmp_path: Path, kind: str, saved: str
) -> None:
    """Excel saves #N/A (t="e") or "" (t="str") with such a formula: the cell shows nothing,
    so it reads as blank, not as the formula's text."""
    source = _workbook(tmp_path / "f.xlsx", [["City", "Mayor"], ["Lima", "=VLOOKUP(A2,M!A:B,2)"]])
    target = tmp_path / "g.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2"', f'<c r="B2" t="{kind}"'.encode())
                data = data.replace(b"</f>", f"</f><v>{saved}</v>".encode())
            dst.writestr(item, data)
    table = read_survey(target)
    assert table.rows[0].cells.get("Mayor") is None
    if kind == "e":  # an error is said at its cell, as Excel shows it
        (said,) = table.problems
        assert (said.location.row, said.location.column) == (2, "B")
        assert said.message.startswith("this cell shows the error #N/A in Excel")
    else:
        assert table.problems == ()


def test_formulas_are_looked_for_only_in_workbooks_that_have_them(tmp_path: Path) -> None:
    plain = _workbook(tmp_path / "p.xlsx", [["City", "Population"], ["Lima", 9670000]])
    formula = _workbook(tmp_path / "f.xlsx", [["City", "Population"], ["Lima", "=1+2"]])
    assert not read_xlsx._has_formulas(plain)
    assert read_xlsx._has_formulas(formula)


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        (b"<c r='B2'><f>1+2</f></c>", True),
        (b"<x:c r='B2'><x:f t='shared' ref='B2:B9' si='0'/></x:c>", True),
        (b"<c r='B2' t='s'><v>0</v></c><font/><family val='2'/>", False),
        (b"<c t='inlineStr'><is><t>&lt;f&gt;not a formula</t></is></c>", False),
    ],
)
def test_the_formula_scan_finds_formula_elements_only(xml: bytes, found: bool) -> None:
    assert bool(read_xlsx._FORMULA_TAG.search(xml)) is found


def test_the_sheet_is_chosen_by_name_any_case(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["nothing here"])
    answers = wb.create_sheet("Responses")
    answers.append(["City", "Country"])
    answers.append(["Lima", "Peru"])
    wb.save(tmp_path / "s.xlsx")
    assert read_survey(tmp_path / "s.xlsx").sheet == "Notes"  # default: the first sheet
    table = read_survey(tmp_path / "s.xlsx", sheet="responses")
    assert table.sheet == "Responses" and table.rows[0].cells["City"] == "Lima"
    with pytest.raises(SurveyReadError) as caught:
        read_survey(tmp_path / "s.xlsx", sheet="Answers")
    assert "has no sheet 'Answers'" in str(caught.value)
    assert "sheets: Notes, Responses" in str(caught.value)


def test_blank_header_cells_continue_the_question_on_their_left(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "s.xlsx",
        [
            ["City", "Partners", None, None, "Country"],
            [None, "Private firms", "Other cities", "NGOs", None],
            ["Lima", "Private firms", None, "NGOs", "Peru"],
        ],
    )
    table = read_survey(path, header_rows=2)
    assert table.headers == (
        "City",
        "Partners › Private firms",
        "Partners › Other cities",
        "Partners › NGOs",
        "Country",
    )
    assert table.rows[0].location.row == 3


def test_too_few_rows_for_the_header_is_an_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.csv", [["City", "Country"]], ",", "utf-8")
    with pytest.raises(SurveyReadError, match="fewer than the 3 header row"):
        read_survey(path, header_rows=3)


# --- limits against hostile files ---------------------------------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    import defusedxml.ElementTree
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse is defusedxml.ElementTree.iterparse


def test_xml_entities_are_refused() -> None:
    with pytest.raises(SurveyReadError) as caught:
        read_survey(FIXTURES / "bad" / "xml-entities.xlsx")
    assert "declares entities, which are refused" in str(caught.value)


def test_a_workbook_that_unpacks_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BYTES", 20_000)
    with pytest.raises(SurveyReadError) as caught:
        read_survey(FIXTURES / "five-cities-tidy.xlsx")
    message = str(caught.value)
    assert "five-cities-tidy.xlsx unpacks to" in message
    assert "more than the 20 KB a survey export may hold" in message


def test_a_text_export_that_is_too_big_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BYTES", 10_000)
    path = FIXTURES / "five-cities-qualtrics.csv"
    with pytest.raises(SurveyReadError) as caught:
        read_grid(path)
    assert str(caught.value).startswith(
        f"five-cities-qualtrics.csv is {size_text(path.stat().st_size)}, more than the 10 KB"
    )


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(FIXTURES / "five-cities-tidy.xlsx") as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (12 * 1024 * 1024))
    with pytest.raises(SurveyReadError) as caught:
        read_survey(bomb)
    assert "is compressed" in str(caught.value) and ":1" in str(caught.value)


def test_an_ods_is_read_not_called_damaged(tmp_path: Path) -> None:
    pytest.importorskip("odf")
    import pandas as pd

    path = tmp_path / "survey.ods"
    pd.DataFrame({"City": ["Lima"], "Country": ["Peru"]}).to_excel(path, engine="odf", index=False)
    table = read_survey(path)
    assert table.headers == ("City", "Country") and table.rows[0].cells["City"] == "Lima"


def test_an_xlsx_named_ods_is_read_by_its_bytes(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "s.ods", [["City", "Country"], ["Lima", "Peru"]])
    assert read_survey(path).rows[0].cells["Country"] == "Peru"


def test_a_csv_named_xlsx_is_read_as_the_csv_it_is(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.xlsx", ROWS, ",", "utf-8")
    assert read_survey(path).rows[0].cells["City"] == "São Paulo"


def test_excel_errors_read_as_blank_and_whole_floats_as_integers(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "s.xlsx", [["City", "Population", "Share"], ["Lima", 1, 2]])
    path = tmp_path / "e.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2" t="n"><v>1</v>', b'<c r="B2" t="e"><v>#N/A</v>')
                data = data.replace(b"<v>2</v>", b"<v>2.0</v>")
            dst.writestr(item, data)
    row = read_survey(path).rows[0]
    assert row.cells["Population"] is None
    assert row.cells["Share"] == 2 and isinstance(row.cells["Share"], int)
