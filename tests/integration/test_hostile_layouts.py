"""A hostile layout folder, as a build and `layout check` meet it: the escape from the
template, a link to a file outside the folder and a catalog reaching into Python each stop
the run with the file and line or key, and nothing of them reaches a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.layouts import user_layout
from typer.testing import CliRunner

from snapshotpdf import limits
from snapshotpdf.batch import plan
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.workers import CityRenderer, Job
from snapshotpdf.cli.app import app
from snapshotpdf.models import Inputs
from snapshotpdf.survey.figures import survey_figures

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


# Loops in loops: each range is bounded (jinja2.sandbox.MAX_RANGE), but not their product.
LOOPS = (
    '{% extends "snapshot/snapshot.html.j2" %}{% block overview %}{{ super() }}'
    "{% if record.city == 'Lima' %}{% for i in range(100000) %}{% for j in range(100000) %}"
    "{% endfor %}{% endfor %}{% endif %}{% endblock %}"
)


def test_a_template_that_loops_for_hours_stops_the_run_within_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 1)
    folder = tmp_path / "loops"
    user_layout(folder, EXTENDS, {"snapshot.html.j2": LOOPS})
    out = tmp_path / "out"
    run = CliRunner().invoke(
        app, ["build", "-j", "0", "--city", "Lima", "-o", str(out), "--layout", str(folder)]
    )
    said = " ".join(run.output.split())
    assert run.exit_code == 2, run.output  # as a template that fails: the layout is wrong
    assert "Lima's snapshot took longer than 1 s to make (limits.MAX_RENDER_SECONDS)" in said
    assert "Traceback" not in run.output and not list(out.glob("*.pdf"))
    run = CliRunner().invoke(app, ["layout", "check", str(folder), "--city", "Lima"])
    said = " ".join(run.output.split())
    assert run.exit_code != 0 and "limits.MAX_RENDER_SECONDS" in said, run.output


def test_a_city_past_its_time_is_failed_and_the_renderer_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopped in the middle of WeasyPrint's layout, a city fails with the limit named, and
    the same renderer (a worker's) makes the next city whole."""
    records = plan.read(Inputs(survey=None), BuildResult())
    figures = survey_figures(records)
    lima = next(r for r in records if r.city == "Lima")
    render = CityRenderer("snapshot")
    render.warm("screen")
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 0.05)
    failed = render(Job(0, lima, figures, "a4", None))
    assert failed.pdf is None and failed.error is not None
    assert "took longer than 0.05 s to make (limits.MAX_RENDER_SECONDS)" in failed.error
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 120)
    made = render(Job(1, lima, figures, "a4", None))
    assert made.error is None and made.pdf.pages == 2
