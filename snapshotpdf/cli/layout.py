"""`snapshotpdf layout ...`: commands for who designs a layout. `layout check` renders every
city of a survey with a layout and says each mistake it shows (batch/layoutcheck.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli.options import (
    LangOpt,
    Paper,
    PaperOpt,
    ProfileOpt,
    QuietOpt,
    SheetOpt,
    Variant,
    VariantOpt,
    inputs,
)
from snapshotpdf.cli.output import TerminalReporter, finish, reported_errors

app = typer.Typer(
    no_args_is_help=True,
    help="Work on a layout: check it against a survey before a build.",
)


@app.command()
def check(
    path: Annotated[
        str,
        typer.Argument(
            metavar="PATH",
            help="The layout: a bundled layout's name, or the path of a layout folder.",
            show_default=True,
        ),
    ] = "snapshot",
    survey: Annotated[
        Path | None,
        typer.Option(
            "--survey",
            help="Survey export (.xlsx, .ods, .csv) whose cities to render. Default: the"
            " bundled sample survey.",
        ),
    ] = None,
    city: Annotated[
        list[str] | None,
        typer.Option("--city", help="Check only this city (name or file name stem); repeatable."),
    ] = None,
    paper: PaperOpt = Paper.a4,
    variant: VariantOpt = Variant.screen,
    lang: LangOpt = None,
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Render the cities of a survey with a layout, as build would, and report each mistake
    it shows on a line with the city and the place: template errors (file and line),
    renderer warnings, characters no font has (the cell), boxes running out of the page
    area, sections past their page, more pages than the layout has. Exit code 1 on any
    finding; 2 when the layout cannot be loaded."""
    from snapshotpdf.batch.layoutcheck import check_layout
    from snapshotpdf.batch.settings import Settings

    settings = Settings(
        inputs=inputs(survey, profile, sheet, path),
        cities=tuple(city or ()),
        paper=paper.value,
        variant=variant.value,
        language=lang,
    )
    reporter = TerminalReporter(quiet)
    with reported_errors(), reporter.live():
        result = check_layout(settings, reporter)
    finish(result)
