"""`snapshotpdf check`: every problem of an export, rendering nothing."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli.options import LayoutOpt, ProfileOpt, SheetOpt, StrictOpt, inputs
from snapshotpdf.cli.output import TerminalReporter, reported_errors, terminal_safe


class Format(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


def check(
    survey: Annotated[Path, typer.Argument(help="Survey export (.xlsx, .ods, .csv, .tsv, .txt).")],
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    layout: LayoutOpt = "snapshot",
    strict: StrictOpt = False,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            help="text: one line per problem; csv: a table of problems; json: the run report.",
        ),
    ] = Format.text,
) -> None:
    """Check a survey export without rendering: every problem, with the cell it is in."""
    from snapshotpdf.batch.check import run_check

    # Progress while each city's HTML is made (a bar on a terminal; else a line every few
    # seconds, none for a short check): 100,000 rows take minutes.
    reporter = TerminalReporter(doing="checking", things="cities checked", always_last=False)
    with reported_errors(), reporter.live():
        outcome = run_check(
            inputs(survey, profile, sheet, layout), strict, output_format.value, reporter
        )
    shown = terminal_safe(outcome.output) if output_format is Format.text else outcome.output
    typer.echo(shown, nl=False)
    typer.echo(outcome.summary, err=True)
    raise typer.Exit(outcome.exit_code)
