"""The `booklet` command: every city's snapshot in one PDF for a conference.

Registered on snapshotpdf.cli's app by one import there; heavy libraries are imported
only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli import _configure_logging, app
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


@app.command()
def booklet(
    survey: SurveyArg = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The booklet PDF to write.")
    ] = Path("outputs/booklet.pdf"),
    variant: VariantOpt = Variant.screen,
    author: Annotated[
        str, typer.Option(help="The organisation named as the PDF's author and on the cover.")
    ] = "snapshotpdf",
    paper: PaperOpt = Paper.a4,
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """One PDF for a conference: a cover, contents with page numbers, then every city's
    snapshot by country and city, pages numbered throughout, one bookmark per city."""
    _configure_logging(quiet)
    from snapshotpdf.booklet import BookletSettings, make_booklet

    settings = BookletSettings(
        survey=survey,
        output=output,
        paper=paper.value,
        profile=profile,
        sheet=sheet,
        variant=variant.value,
        author=author,
        strict=strict,
    )
    with reported_errors():
        result = make_booklet(settings)
    typer.echo(result.summary(), err=True)
    raise typer.Exit(result.exit_code(strict))
