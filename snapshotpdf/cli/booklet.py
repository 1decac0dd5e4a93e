"""`snapshotpdf booklet`: every city's snapshot in one PDF for a conference."""

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


def booklet(
    survey: SurveyArg = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The booklet PDF to write (a name ending in .pdf; never a file a build or mail"
            " keeps).",
        ),
    ] = Path("outputs/booklet.pdf"),
    variant: VariantOpt = Variant.screen,
    title: Annotated[
        str | None,
        typer.Option(
            help="The cover's title, also the PDF's title. Default: the layout's, in the"
            " booklet's language (City Innovation Snapshots)."
        ),
    ] = None,
    subtitle: Annotated[
        str | None,
        typer.Option(
            help="The line under the title. Default: the cities, countries and cities"
            " surveyed it counts (26 cities in 25 countries, each compared with ...)."
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(min=1000, max=9999, help="The year on the covers. Default: none."),
    ] = None,
    logo: Annotated[
        Path | None,
        typer.Option(
            help="The organisation's logo on the cover: a small SVG (best for print) or PNG"
            " file, read from this file alone, never fetched from the web. Default: the"
            " layout's [brand] logo, if it has one."
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            help="The organisation on the covers (Prepared by NAME) and as the PDF's author."
            " Default: the layout's [brand] organisation, else none."
        ),
    ] = None,
    paper: PaperOpt = Paper.a4,
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    layout: LayoutOpt = "snapshot",
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    lang: LangOpt = None,
) -> None:
    """One PDF for a conference and its press: covers, linked contents, then every city's
    snapshot by country and city on facing pages, one bookmark per city.

    Each city starts on a left-hand (even) page so that its two pages face each other;
    blank pages fill the gaps and make the total a multiple of 4. Pages are numbered
    throughout; blank pages and covers show no number."""
    from snapshotpdf.batch.booklet import BookletSettings, Cover, make_booklet

    settings = BookletSettings(
        inputs=inputs(survey, profile, sheet, layout),
        output=output,
        paper=paper.value,
        variant=variant.value,
        author=author,
        cover=Cover(title=title, subtitle=subtitle, year=year, logo=logo),
        strict=strict,
        language=lang,
    )
    with reported_errors():
        result = make_booklet(settings, TerminalReporter(quiet))
    finish(result, strict)
