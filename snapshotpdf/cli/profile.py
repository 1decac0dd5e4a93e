"""`snapshotpdf profile ...`: survey profiles (which column feeds which field)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snapshotpdf.cli.options import SheetOpt
from snapshotpdf.cli.output import reported_errors

app = typer.Typer(no_args_is_help=True, help="Survey profiles: which column feeds which field.")


@app.command("init")
def profile_init(
    survey: Annotated[Path, typer.Argument(help="Survey export to draft a profile from.")],
    sheet: SheetOpt = None,
    header_rows: Annotated[
        int | None,
        typer.Option(min=1, max=3, help="Header rows above the answers. Default: guessed."),
    ] = None,
) -> None:
    """Draft a profile from the export's headers (to stdout); review it, then use --profile."""
    from snapshotpdf.survey.draft import draft_profile

    with reported_errors():
        draft = draft_profile(survey, sheet, header_rows)
    typer.echo(draft.text, nl=False)
    summary = f"matched {len(draft.matched)} of {len(draft.matched) + len(draft.missing)} fields"
    if header_rows is None and draft.header_rows > 1:  # a guess: said, with how to undo it
        summary += (
            f"; read {draft.header_rows} header rows (a question over its options); if row 2"
            " holds answers, give --header-rows 1"
        )
    if draft.missing:
        summary += f"; not found: {', '.join(draft.missing)}"
    if draft.unknown_answers:
        count = sum(len(texts) for texts in draft.unknown_answers.values())
        summary += f"; {count} answer(s) match no known option (see the draft's comments)"
    typer.echo(summary + "; review the draft before use", err=True)
