"""`snapshotpdf languages`: each message catalog of a layout and how complete it is."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from snapshotpdf.cli.options import LayoutOpt
from snapshotpdf.cli.output import reported_errors


def languages(
    layout: LayoutOpt = "snapshot",
    as_json: Annotated[bool, typer.Option("--json", help="As JSON, for a script.")] = False,
) -> None:
    """List the layout's languages: each catalog's translated strings of the source's, the
    strings it lacks (printed in the source language), and whether mail/ has its templates."""
    from snapshotpdf.mail.message import mail_languages
    from snapshotpdf.render.layout import load_layout
    from snapshotpdf.render.wording import cldr, direction

    with reported_errors():
        loaded = load_layout(layout)
        catalogs = loaded.catalogs()
        mail = mail_languages(loaded.folders)
    if as_json:
        rows = [
            {
                "language": c.language,
                "name": cldr(c.language).english_name,
                "direction": direction(c.language),
                "translated": c.translated,
                "total": c.total,
                "missing": list(c.missing),
                "set_aside": list(c.problems),
                "mail_templates": c.language in mail,
            }
            for c in catalogs
        ]
        document = {"layout": loaded.name, "source": loaded.default_language, "catalogs": rows}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"layout {loaded.name}: {len(catalogs)} catalog(s), source {loaded.default_language}"
    )
    for c in catalogs:
        name = str(cldr(c.language).english_name)
        if direction(c.language) == "rtl":
            name += ", right to left"
        state = "complete" if c.complete else f"{len(c.missing)} missing"
        templates = "" if c.language in mail else "; no mail templates"
        typer.echo(f"  {c.language:<6} {name:<28} {c.translated}/{c.total} {state}{templates}")
        for path in c.missing:
            typer.echo(f"           missing: {path}")
        for reason in c.problems:
            typer.echo(f"           set aside: {reason}")
