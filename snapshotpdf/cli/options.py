"""What several commands share, defined once: their options (Typer's Annotated types)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.models import Inputs


class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


class Variant(StrEnum):
    """The output variants of render/variants.py (a test keeps the two in step)."""

    screen = "screen"
    print = "print"
    print_uncoated = "print-uncoated"
    archive = "archive"


VARIANT_HELP = (
    "Which PDF: screen (e-mail; tagged PDF/UA-1, accessible), print (print shop, coated paper;"
    " PDF/X-4, CMYK for FOGRA39, 3 mm bleed, crop marks), print-uncoated (the same for"
    " uncoated paper, FOGRA29) or archive (PDF/A-3b with the city's data attached)."
)

SurveyArg = Annotated[
    Path | None,
    typer.Argument(help="Survey export (.xlsx, .ods, .csv). Default: the bundled sample survey."),
]
ProfileOpt = Annotated[
    Path | None,
    typer.Option(help="Survey profile (TOML) naming the export's columns. Default: the sample's."),
]
SheetOpt = Annotated[
    str | None, typer.Option(help="Sheet of an .xlsx or .ods to read (a hidden one only by name).")
]
StrictOpt = Annotated[bool, typer.Option(help="Treat warnings as failures (exit code 1).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only problems and the summary.")]
PaperOpt = Annotated[Paper, typer.Option(help="Paper size.")]


def _language(value: str | None) -> str | None:
    from snapshotpdf.survey.values import parse_language

    try:
        return parse_language(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: {exc}") from None


LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        callback=_language,
        help="Every city in this language (es, fr, pt-BR), whatever the survey, contacts"
        " file or profile say. Default: each city's own, else the profile's, else the"
        " layout's (docs/languages.md).",
    ),
]
VariantOpt = Annotated[Variant, typer.Option(help=VARIANT_HELP)]
LayoutOpt = Annotated[
    str,
    typer.Option(
        help="The layout: a bundled layout's name, or the path of a layout folder, which holds"
        " only the files and settings it changes (docs/layouts.md).",
    ),
]


def inputs(
    survey: Path | None, profile: Path | None, sheet: str | None, layout: str = "snapshot"
) -> Inputs:
    """The one value every command works from: which survey, profile, sheet and layout."""
    return Inputs(survey=survey, profile=profile, sheet=sheet, layout=layout)
