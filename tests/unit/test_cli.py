"""The command line as a user meets it: help, exit codes, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.helpers import ROOT, minimal_city, write_survey
from typer.testing import CliRunner

from snapshotpdf.cli.app import app

runner = CliRunner()


def test_help_lists_the_build_options() -> None:
    result = runner.invoke(app, ["build", "--help"])
    assert result.exit_code == 0
    for option in ("--outdir", "--city", "--paper", "--profile", "--strict"):
        assert option in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from snapshotpdf.cli.app import app; from typer.testing import CliRunner;"
        "CliRunner().invoke(app, ['--help']);"
        "print(sorted(m for m in ('pandas', 'weasyprint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_city_is_an_error_naming_the_cities(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", [minimal_city("Alpha", "Ruritania")])
    result = runner.invoke(app, ["build", str(survey), "-o", str(tmp_path), "--city", "Zeta"])
    assert result.exit_code == 1
    assert "no valid row has the city 'Zeta'; give a city name or file stem;" in result.output
    assert "1 city in all: Alpha" in result.output


def test_a_mistyped_city_gets_the_closest_names(tmp_path: Path) -> None:
    rows = [minimal_city(name, "Ruritania") for name in ("Alpha", "Alphaville", "Omega")]
    survey = write_survey(tmp_path / "s.xlsx", rows)
    result = runner.invoke(app, ["build", str(survey), "-o", str(tmp_path), "--city", "alpah"])
    assert result.exit_code == 1
    assert "no valid row has the city 'alpah'; did you mean 'Alpha'" in result.output
    assert "(3 cities in all)" in result.output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2
    assert "error: survey file not found" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_spreadsheet_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "survey.xlsx"
    bogus.write_bytes(b"%PDF-1.7 this is not a workbook")
    result = runner.invoke(app, ["build", str(bogus), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot be read as a XLSX survey export" in result.output
    assert "hint:" in result.output and "Traceback" not in result.output


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "survey.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["build", str(empty), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "survey.csv is empty" in result.output


def test_a_survey_without_the_profile_columns_says_which(tmp_path: Path) -> None:
    csv = tmp_path / "other.csv"
    csv.write_text("Town,Nation\nAlpha,Ruritania\n", encoding="utf-8")
    result = runner.invoke(app, ["build", str(csv), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "lacks the column(s) every row needs: 'City', 'Country'" in result.output
    assert "--profile" in result.output


def test_python_dash_m_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "snapshotpdf", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("snapshotpdf ")


def test_readme_documents_every_build_option() -> None:
    import re

    # the option table moved from README.md into the manual
    readme = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    help_text = runner.invoke(app, ["build", "--help"], terminal_width=200).output
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {
        "--help",
        "--no-strict",
        "--no-force",
    }
    assert options, help_text
    for option in sorted(options):
        assert re.search(rf"\| `(-\w, )?{option}\b", readme), option  # a row of the table


@pytest.mark.parametrize("jobs", ["-1", "257", "٣", "²", "1.5", "", "9" * 5000, "two"])
def test_a_number_of_jobs_that_is_none_is_refused_with_what_to_give(
    tmp_path: Path, jobs: str
) -> None:
    result = runner.invoke(app, ["build", "-o", str(tmp_path / "out"), "-j", jobs])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "give a number of processes up to 256 (1, 2, ..., or 0: none) or auto" in " ".join(
        result.output.replace("│", " ").split()
    )
    assert not (tmp_path / "out").exists()


def test_ctrl_c_says_what_was_kept_and_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C ended a build with exit code 130 and not a word; now one line says what the
    command kept and how to go on, never a traceback."""
    import typer

    from snapshotpdf.cli.output import INTERRUPTED, reported_errors

    with pytest.raises(typer.Exit) as stopped, reported_errors("the PDFs made are kept"):
        raise KeyboardInterrupt
    assert stopped.value.exit_code == INTERRUPTED == 130
    assert capsys.readouterr().err == "interrupted: the PDFs made are kept\n"


def test_an_output_folder_that_is_a_file_is_said_so(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    done = CliRunner().invoke(app, ["build", "-o", str(afile), "--city", "Lima"])
    assert done.exit_code == 2
    assert f"error: {afile} is a file, not a folder" in done.output
    assert afile.read_text(encoding="utf-8") == "not a folder"


def test_a_name_too_long_for_the_file_system_is_an_error_line(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["languages", "--layout", "a" * 300])
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "File name too long" in done.output and "at most 255 bytes" in done.output


def test_the_booklet_is_never_written_over_the_survey_it_reads(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "s.xlsx", [minimal_city("Lima", "Peru")])
    before = survey.read_bytes()
    done = CliRunner().invoke(app, ["booklet", str(survey), "-o", str(survey)])
    assert done.exit_code == 2 and "would destroy it" in done.output
    assert survey.read_bytes() == before


def test_a_pipe_or_device_is_never_replaced_by_a_file_written_there(tmp_path: Path) -> None:
    import os

    from snapshotpdf.errors import SnapshotError
    from snapshotpdf.files import write_atomic

    pipe = tmp_path / "city.pdf"
    os.mkfifo(pipe)
    with pytest.raises(SnapshotError, match="named pipe"):
        write_atomic(pipe, b"%PDF-1.7")
    assert pipe.is_fifo()
    write_atomic(tmp_path / "new.pdf", b"%PDF-1.7")  # a new file, and one written before
    write_atomic(tmp_path / "new.pdf", b"%PDF-1.7 again")
    assert (tmp_path / "new.pdf").read_bytes() == b"%PDF-1.7 again"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--title", "W" * 120_000, "has 120,000 characters, more than a cover line may have"),
        ("--author", "a\x01b", "the covers' author holds a control character"),
    ],
)
def test_a_cover_line_that_cannot_be_set_is_an_error_before_anything_is_read(
    tmp_path: Path, option: str, value: str, said: str
) -> None:
    """120,000 characters of title took minutes to lay out; a control character printed as
    .notdef, with warnings --strict did not count."""
    survey = write_survey(tmp_path / "s.xlsx", [minimal_city("Lima", "Peru")])
    done = CliRunner().invoke(
        app, ["booklet", str(survey), "-o", str(tmp_path / "b.pdf"), option, value]
    )
    assert done.exit_code == 2 and said in done.output
    assert not (tmp_path / "b.pdf").exists()


def test_a_logo_of_many_uses_is_refused(tmp_path: Path) -> None:
    """<use> of a <use> of ...: 1.4 KB drawn ten million times hung the booklet."""
    from snapshotpdf.render.brand import logo_problem

    defs = "".join(f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * 10 + "</g>" for n in range(1, 8))
    logo = tmp_path / "logo.svg"
    logo.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><g id="l0"/>{defs}</svg>', "utf-8")
    problem = logo_problem(logo)
    assert problem and "70 <use> elements" in problem[0] and "MAX_LOGO_SVG_USES" in problem[0]


def test_a_failure_nobody_foresaw_is_one_line_and_a_hint_never_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    from snapshotpdf.cli.output import DEBUG, reported_errors

    monkeypatch.delenv(DEBUG, raising=False)
    with pytest.raises(typer.Exit) as stopped, reported_errors():
        raise NotImplementedError("Unknown transform type")
    assert stopped.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: snapshotpdf failed unexpectedly (NotImplementedError: Unknown transform type)"
    )
    assert "Traceback" not in err and f"{DEBUG}=1" in err


def test_a_commands_own_exit_goes_through_with_its_code() -> None:
    """typer.Exit is an Exception too: the catch-all for the unforeseen must not take it."""
    import typer

    from snapshotpdf.cli.output import reported_errors

    with pytest.raises(typer.Exit) as stopped, reported_errors():
        raise typer.Exit(1)
    assert stopped.value.exit_code == 1
