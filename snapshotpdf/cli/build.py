"""`snapshotpdf build`: one PDF per city of the survey."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli.options import (
    LangOpt,
    LayoutOpt,
    Paper,
    PaperOpt,
    ProfileOpt,
    QuietOpt,
    SheetOpt,
    StrictOpt,
    SurveyArg,
    Variant,
    VariantOpt,
    inputs,
)
from snapshotpdf.cli.output import TerminalReporter, finish, reported_errors


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
    layout: LayoutOpt = "snapshot",
    strict: StrictOpt = False,
    force: Annotated[
        bool, typer.Option(help="Rebuild every PDF, even those the manifest says are current.")
    ] = False,
    jobs: Annotated[
        str,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes rendering in parallel: a number, or auto; 0 renders in"
            " this process (no crash isolation: for a profiler or a debugger).",
        ),
    ] = "auto",
    quiet: QuietOpt = False,
    variant: VariantOpt = Variant.screen,
    author: Annotated[
        str | None,
        typer.Option(
            help="The organisation named as the PDFs' author; default: the layout's [brand]"
            " organisation, else snapshotpdf."
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Render one PDF per city of the survey into OUTDIR."""
    workers = _parse_jobs(jobs)
    from snapshotpdf.batch.rerun import replay
    from snapshotpdf.batch.settings import Settings, outside_layout
    from snapshotpdf.files import output_lock

    settings = Settings(
        inputs=inputs(survey, profile, sheet, layout),
        outdir=outdir,
        cities=tuple(city or ()),
        paper=paper.value,
        strict=strict,
        force=force,
        jobs=workers,
        variant=variant.value,
        author=author,
        language=lang,
    )
    reporter = TerminalReporter(quiet)
    kept = "the PDFs finished so far are kept; the same command again makes only the rest"
    with reported_errors(kept):
        outside_layout(outdir, settings.inputs.layout)
    with reported_errors(kept), output_lock(outdir):  # one build at a time into a folder
        replayed = replay(settings, reporter)  # nothing changed: nothing to read or render
        if replayed is not None:
            typer.echo(replayed.summary, err=True)
            raise typer.Exit(replayed.exit_code)
        from snapshotpdf.batch.build import build as run_build

        with reporter.live():
            result = run_build(settings, reporter)
    finish(result, strict)


def _parse_jobs(value: str) -> int:
    if value == "auto":
        from snapshotpdf.batch.settings import default_workers  # not workers: light

        return default_workers()
    from snapshotpdf.limits import MAX_JOBS

    digits = value.isascii() and value.isdigit() and len(value) <= 4  # never a huge number
    if digits and int(value) <= MAX_JOBS:
        return int(value)
    raise typer.BadParameter(
        f"{value!r}: give a number of processes up to {MAX_JOBS} (1, 2, ..., or 0: none) or auto",
        param_hint="--jobs",
    )
