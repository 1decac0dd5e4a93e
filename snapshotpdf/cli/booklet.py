"""`snapshotpdf booklet`: every city's snapshot in one PDF for a conference."""

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
    StrictOpt,
    SurveyArg,
    Variant,
    VariantOpt,
    inputs,
)
from snapshotpdf.cli.output import TerminalReporter, finish, reported_errors


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
    lang: LangOpt = None,
) -> None:
    """One PDF for a conference: a cover, contents with page numbers, then every city's
    snapshot by country and city, pages numbered throughout, one bookmark per city."""
    from snapshotpdf.batch.booklet import BookletSettings, make_booklet

    settings = BookletSettings(
        inputs=inputs(survey, profile, sheet),
        output=output,
        paper=paper.value,
        variant=variant.value,
        author=author,
        strict=strict,
        language=lang,
    )
    with reported_errors():
        result = make_booklet(settings, TerminalReporter(quiet))
    finish(result, strict)
