"""The `booklet` command: every city's snapshot in one PDF for a conference.

Registered on snapshotpdf.cli's app by one import there; heavy libraries are imported
only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli import VARIANT_HELP, Paper, Variant, _configure_logging, app


@app.command()
def booklet(
    survey: Annotated[
        Path | None,
        typer.Argument(help="Survey export (.xlsx, .csv). Default: the bundled sample survey."),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The booklet PDF to write.")
    ] = Path("outputs/booklet.pdf"),
    variant: Annotated[Variant, typer.Option(help=VARIANT_HELP)] = Variant.screen,
    author: Annotated[
        str, typer.Option(help="The organisation named as the PDF's author and on the cover.")
    ] = "snapshotpdf",
    paper: Annotated[Paper, typer.Option(help="Paper size.")] = Paper.a4,
    profile: Annotated[
        Path | None,
        typer.Option(
            help="Survey profile (TOML) naming the export's columns. Default: the sample's."
        ),
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet of an .xlsx to read.")] = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as failures (exit code 1).")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only problems and the summary.")
    ] = False,
) -> None:
    """One PDF for a conference: a cover, contents with page numbers, then every city's
    snapshot by country and city, pages numbered throughout, one bookmark per city."""
    _configure_logging(quiet)
    from snapshotpdf.booklet import BookletSettings, make_booklet
    from snapshotpdf.errors import SnapshotError

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
    try:
        result = make_booklet(settings)
    except SnapshotError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    typer.echo(result.summary(), err=True)
    raise typer.Exit(result.exit_code(strict))
