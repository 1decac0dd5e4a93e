"""`snapshotpdf build` as a user meets it, when it renders: paper, --city, --strict, and the
run report it leaves in OUTDIR/report.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.helpers import minimal_city, pdf_text, raw_text, write_survey
from support.pdfcheck import assert_no_overlap_or_clipping
from typer.testing import CliRunner

from snapshotpdf.batch import workers
from snapshotpdf.cli.app import app

runner = CliRunner()


def test_build_one_city_on_letter_paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_worker(*args: object) -> None:
        raise AssertionError("--jobs 0 started a worker process")

    monkeypatch.setattr(workers._WorkerPool, "_spawn", no_worker)
    survey = write_survey(
        tmp_path / "s.xlsx", [minimal_city("Alpha", "Ruritania"), minimal_city("Beta", "Ruritania")]
    )
    result = runner.invoke(
        app,
        [
            "build",
            str(survey),
            "-o",
            str(tmp_path / "out"),
            "--city",
            "beta",
            "--paper",
            "letter",
            "-q",
            "-j",
            "0",  # rendered in this process: no worker to start (and it cannot matter)
        ],
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").glob("*.pdf")] == ["ruritania-beta.pdf"]
    assert "2 data row(s): 1 PDF(s) written, 1 not selected" in result.output
    import pikepdf

    with pikepdf.open(tmp_path / "out" / "ruritania-beta.pdf") as pdf:
        width, height = (round(float(v)) for v in pdf.pages[0].mediabox[2:])
    assert (width, height) == (612, 792)


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx", [minimal_city("Alpha", "Ruritania", population="lots")]
    )
    args = ["build", str(survey), "-o", str(tmp_path / "out"), "-q", "-j", "0"]
    relaxed = runner.invoke(app, args)
    assert relaxed.exit_code == 0
    assert "population: expected a number of inhabitants" in relaxed.output
    assert "row 2, column F ('Population')" in relaxed.output
    assert runner.invoke(app, [*args, "--strict"]).exit_code == 1


def test_build_writes_a_run_report_accounting_for_every_row(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [
            minimal_city("Alpha", "Ruritania", website="javascript:alert(1)"),
            {},
            minimal_city("Beta", "Ruritania"),
            minimal_city("Gamma", ""),
            minimal_city("Alpha", "Ruritania"),
        ],
    )
    outdir = tmp_path / "out"
    result = runner.invoke(
        app, ["build", str(survey), "-o", str(outdir), "--city", "alpha", "-q", "-j", "0"]
    )
    assert result.exit_code == 1
    assert "5 data row(s): 1 PDF(s) written, 1 not selected, 2 row(s) skipped" in result.output
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    assert report["command"] == "build" and report["exit_code"] == 1
    assert report["counts"] == {
        "data_rows": 5,
        "written": 1,
        "unchanged": 0,
        "failed": 0,
        "not_selected": 1,
        "skipped": 2,
        "blank": 1,
        "errors": 2,
        "warnings": 2,  # the dropped link; answers too few to fill two pages (batch/fit.py)
    }
    rows = {r["row"]: r for r in report["rows"]}
    assert rows[2]["status"] == "written" and rows[2]["file"] == "ruritania-alpha.pdf"
    assert rows[2]["warnings"][0] == (
        "website: only http:// and https:// links are printed; this link was dropped"
    )
    assert rows[2]["warnings"][1].startswith("Alpha answered too little to fill 2 pages")
    assert rows[3] == {"row": 3, "status": "blank"}
    assert rows[4]["status"] == "not selected" and rows[4]["city"] == "Beta"
    assert rows[5]["reason"] == "no country: the row is skipped; fill in the country"
    assert rows[6]["reason"].startswith("Alpha, Ruritania is already in row 2")


def test_a_language_is_a_code_the_layout_knows_never_a_path(tmp_path: Path) -> None:
    rows = [
        minimal_city("Alpha", "Ruritania", language="xx"),
        minimal_city("Beta", "Ruritania", language="../layout"),
        minimal_city("Gamma", "Ruritania", language="/etc/passwd"),
        minimal_city("Delta", "Ruritania", language="EN-gb"),
    ]
    survey = write_survey(tmp_path / "s.xlsx", rows)
    result = runner.invoke(
        app, ["build", str(survey), "-o", str(tmp_path / "out"), "-q", "-j", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (
        "Alpha: the layout has no 'xx' catalog (it has en, es, fr, pt): printed in 'en'"
        in result.output
    )
    assert result.output.count("expected a language code such as en, es or pt-BR") == 2
    # en-gb is English: no word about Delta's language (only that it answered little)
    assert not [
        line for line in result.output.splitlines() if "Delta" in line and "too little" not in line
    ]
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 4


def test_names_print_as_typed_in_the_footer_and_cannot_reorder_the_page(tmp_path: Path) -> None:
    rows = [
        minimal_city("Port of Spain", "Trinidad & Tobago"),
        minimal_city("\u202eEvil", "Ruritania"),  # a right-to-left override in a name
    ]
    survey = write_survey(tmp_path / "s.xlsx", rows)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(survey), "-o", str(out), "-q", "-j", "0"])
    assert result.exit_code == 0, result.output
    footer = pdf_text(out / "trinidad-tobago-port-of-spain.pdf")
    assert "Port of Spain, Trinidad & Tobago" in footer
    text = " ".join(raw_text(next(p for p in out.glob("ruritania-*.pdf"))).split())
    # The override reverses the name as typed, and ends with it: the page's own sentence
    # around the name still reads left to right.
    assert re.search(r"Like \d+% of cities surveyed, livE has a formal innovation strategy", text)


def test_a_long_name_typed_without_spaces_wraps_inside_the_page(tmp_path: Path) -> None:
    city = "Llanfair" + "pwllgwyngyll" * 12  # 152 letters, no space to break at
    survey = write_survey(tmp_path / "s.xlsx", [minimal_city(city, "Ruritania" * 6)])
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(survey), "-o", str(out), "-q", "-j", "0"])
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    assert_no_overlap_or_clipping(pdf)
    assert re.search(r"Page 1 of \d", raw_text(pdf))  # the page number stays on one line
