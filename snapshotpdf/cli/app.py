"""The command line: one Typer app, its commands registered here in one direction (each
command module knows nothing of the app). Heavy libraries (pandas, WeasyPrint) are imported
only when a command runs, so `snapshotpdf --help` stays light."""

from __future__ import annotations

from typing import Annotated

import typer

from snapshotpdf.cli import booklet, build, check, languages, layout, mail, preview, profile
from snapshotpdf.version import __version__

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


app.command()(build.build)
app.command()(check.check)
app.add_typer(profile.app, name="profile")
app.command()(booklet.booklet)
app.command()(mail.mail)
app.command()(languages.languages)
app.command()(preview.preview)
app.add_typer(layout.app, name="layout")


def main() -> None:
    app()
