"""A Renderer made again for the same layout reuses the template this process compiled
(render/html.py, Jinja2's bytecode cache in memory), and compiles it again when its file
changed: the HTML always follows the file."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from support.layouts import user_layout

from snapshotpdf.models import CityRecord, Location, SurveyFigures
from snapshotpdf.render import html as html_module
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout

LIMA = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")
FIGURES = SurveyFigures(1, {})
MINE = "snapshot.html.j2"


@pytest.fixture()
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The names of the templates compiled from their source from now on."""
    names: list[str | None] = []
    original = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        names.append(name)
        return original(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def test_a_renderer_made_again_does_not_compile_the_template_again(
    compiles: list[str | None],
) -> None:
    layout = load_layout()
    first = Renderer(layout).html(LIMA, FIGURES)  # compiled now, or earlier in this process
    compiles.clear()
    again = Renderer(layout).html(LIMA, FIGURES)
    assert again == first and compiles == []


def test_an_edited_template_is_compiled_again_and_its_html_follows(
    tmp_path: Path, compiles: list[str | None]
) -> None:
    folder = user_layout(
        tmp_path / "mine", 'extends = "snapshot"\n', {MINE: "one {{ record.city }}"}
    )
    assert Renderer(load_layout(str(folder))).html(LIMA, FIGURES) == "one Lima"
    assert compiles == [MINE]
    (folder / MINE).write_text("two {{ record.city }}", encoding="utf-8")
    assert Renderer(load_layout(str(folder))).html(LIMA, FIGURES) == "two Lima"
    assert compiles == [MINE, MINE]


def test_the_cache_keeps_a_bounded_number_of_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_module, "_COMPILED", html_module._CompiledTemplates())
    monkeypatch.setattr(html_module, "COMPILED_TEMPLATES", 2)
    for n in range(4):
        folder = user_layout(tmp_path / f"l{n}", 'extends = "snapshot"\n', {MINE: f"{n}"})
        assert Renderer(load_layout(str(folder))).html(LIMA, FIGURES) == f"{n}"
    assert len(html_module._COMPILED.code) == 2
