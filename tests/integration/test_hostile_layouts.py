"""A hostile layout folder, as a build and `layout check` meet it: the escape from the
template, a link to a file outside the folder and a catalog reaching into Python each stop
the run with the file and line or key, and nothing of them reaches a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.layouts import user_layout
from typer.testing import CliRunner

from snapshotpdf.cli.app import app

EXTENDS = 'extends = "snapshot"\n'
ESCAPE = (
    '{% extends "snapshot/snapshot.html.j2" %}{% block overview %}<section id="overview">'
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == '_wrap_close'"
    " %}{{ c.__init__.__globals__['popen']('echo ESCAPED').read() }}{% endif %}{% endfor %}"
    "</section>{% endblock %}"
)


def hostile(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A layout folder of one kind of attack, and what its error says."""
    folder = tmp_path / "hostile"
    if kind == "template":
        user_layout(folder, EXTENDS, {"snapshot.html.j2": ESCAPE})
        return folder, "snapshot.html.j2:1: templates may not reach into Python objects"
    if kind == "link":
        secret = tmp_path / "secret.txt"
        secret.write_text("ESCAPED", encoding="utf-8")
        user_layout(folder, EXTENDS)
        (folder / "snapshot.css").symlink_to(secret)
        return folder, "snapshot.css: a link to"
    catalog = '[vision]\nstrategy_yes = "{city.__class__.__mro__} ESCAPED {city}"\n'
    user_layout(folder, EXTENDS, {"locales/en.toml": catalog})
    return folder, "vision.strategy_yes: {city.__class__.__mro__} is not a placeholder"


@pytest.mark.parametrize("kind", ["template", "link", "catalog"])
def test_build_stops_at_a_hostile_layout_and_writes_no_pdf(tmp_path: Path, kind: str) -> None:
    folder, says = hostile(tmp_path, kind)
    out = tmp_path / "out"
    run = CliRunner().invoke(
        app, ["build", "-j", "0", "--city", "Lima", "-o", str(out), "--layout", str(folder)]
    )
    assert run.exit_code == 2, run.output
    assert says in " ".join(run.output.split()) and "Traceback" not in run.output
    assert not list(out.glob("*.pdf"))


def test_layout_check_names_the_template_line(tmp_path: Path) -> None:
    folder, says = hostile(tmp_path, "template")
    run = CliRunner().invoke(app, ["layout", "check", str(folder), "--city", "Lima"])
    assert run.exit_code != 0 and says in " ".join(run.output.split())
    assert "ESCAPED" not in run.output
