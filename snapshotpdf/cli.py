"""Thin command line: options in, one call to the pipeline, problems to stderr, exit code.
Heavy libraries (pandas, WeasyPrint) are imported only when a command runs."""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf import __version__
from snapshotpdf.cli_options import (
    Paper,
    PaperOpt,
    ProfileOpt,
    QuietOpt,
    SheetOpt,
    StrictOpt,
    SurveyArg,
    Variant,
    VariantOpt,
    reported_errors,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a survey export into one City Innovation Snapshot PDF per city.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"snapshotpdf {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Turn a survey export into one City Innovation Snapshot PDF per city."""


@app.command()
def build(
    survey: SurveyArg = None,
    outdir: Annotated[Path, typer.Option("--outdir", "-o", help="Folder for the PDFs.")] = Path(
        "outputs"
    ),
    city: Annotated[
        list[str] | None,
        typer.Option("--city", help="Render only this city (name or file name stem); repeatable."),
    ] = None,
    paper: PaperOpt = Paper.a4,
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    force: Annotated[
        bool, typer.Option(help="Rebuild every PDF, even those the manifest says are current.")
    ] = False,
    jobs: Annotated[
        str,
        typer.Option(
            "--jobs", "-j", help="Worker processes rendering in parallel: a number, or auto."
        ),
    ] = "auto",
    quiet: QuietOpt = False,
    variant: VariantOpt = Variant.screen,
    author: Annotated[
        str, typer.Option(help="The organisation named as the PDFs' author.")
    ] = "snapshotpdf",
) -> None:
    """Render one PDF per city of the survey into OUTDIR."""
    workers = _parse_jobs(jobs)
    _configure_logging(quiet)
    from snapshotpdf.rerun import replay
    from snapshotpdf.settings import Settings

    settings = Settings(
        survey=survey,
        outdir=outdir,
        cities=tuple(city or ()),
        paper=paper.value,
        profile=profile,
        sheet=sheet,
        strict=strict,
        force=force,
        jobs=workers,
        variant=variant.value,
        author=author,
    )
    replayed = replay(settings)  # nothing changed: no need to read or render anything
    if replayed is not None:
        typer.echo(replayed.summary, err=True)
        raise typer.Exit(replayed.exit_code)
    from snapshotpdf.pipeline import build as run_build

    with reported_errors():
        if quiet:
            result = run_build(settings)
        elif sys.stderr.isatty():
            from snapshotpdf.progress import terminal_progress

            with terminal_progress() as show:
                result = run_build(settings, progress=show)
        else:
            from snapshotpdf.progress import LogProgress

            result = run_build(settings, progress=LogProgress())
    typer.echo(result.summary(), err=True)
    raise typer.Exit(result.exit_code(strict))


def _parse_jobs(value: str) -> int:
    if value == "auto":
        from snapshotpdf.batch import default_workers

        return default_workers()
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise typer.BadParameter(
        f"{value!r}: give a number of processes (1, 2, ...) or auto", param_hint="--jobs"
    )


class Format(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


@app.command()
def check(
    survey: Annotated[Path, typer.Argument(help="Survey export (.xlsx, .csv, .tsv, .txt).")],
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
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
    _configure_logging(quiet=True)
    from snapshotpdf.check import run_check

    with reported_errors():
        outcome = run_check(survey, profile, sheet, strict, output_format.value)
    typer.echo(outcome.output, nl=False)
    typer.echo(outcome.summary, err=True)
    raise typer.Exit(outcome.exit_code)


profile_app = typer.Typer(
    no_args_is_help=True, help="Survey profiles: which column feeds which field."
)
app.add_typer(profile_app, name="profile")


@profile_app.command("init")
def profile_init(
    survey: Annotated[Path, typer.Argument(help="Survey export to draft a profile from.")],
    sheet: SheetOpt = None,
    header_rows: Annotated[
        int | None,
        typer.Option(min=1, max=3, help="Header rows above the answers. Default: guessed."),
    ] = None,
) -> None:
    """Draft a profile from the export's headers (to stdout); review it, then use --profile."""
    from snapshotpdf.profile_draft import draft_profile

    with reported_errors():
        draft = draft_profile(survey, sheet, header_rows)
    typer.echo(draft.text, nl=False)
    summary = f"matched {len(draft.matched)} of {len(draft.matched) + len(draft.missing)} fields"
    if draft.missing:
        summary += f"; not found: {', '.join(draft.missing)}"
    if draft.unknown_answers:
        count = sum(len(texts) for texts in draft.unknown_answers.values())
        summary += f"; {count} answer(s) match no known option (see the draft's comments)"
    typer.echo(summary + "; review the draft before use", err=True)


def _configure_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    problems = logging.getLogger("snapshotpdf.problems")
    progress = logging.getLogger("snapshotpdf.progress")
    for logger in (problems, progress):
        logger.handlers[:] = [handler]
        logger.propagate = False
    problems.setLevel(logging.WARNING)
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    # WeasyPrint's own warnings are captured per city by snapshotpdf.pdf.
    logging.getLogger("weasyprint").propagate = False


from snapshotpdf import cli_mail  # noqa: E402,F401  (registers the mail command)

# isort: split
from snapshotpdf import cli_booklet  # noqa: E402,F401


def main() -> None:
    app()
