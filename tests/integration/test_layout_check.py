"""`snapshotpdf layout check` (issue 13): a layout rendered for a few cities of a survey,
each mistake it shows said on one line with its city and place, exit code 1 on any; a
layout that cannot be loaded is exit code 2, never a traceback. Each broken layout is a
folder holding only what it breaks, over the bundled one (support/layouts.py); each run
checks two or three cities (--city), not the sample's 26."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from support.helpers import minimal_city, write_survey
from support.layouts import user_layout
from typer.testing import CliRunner

from snapshotpdf.cli.app import app
from snapshotpdf.render.layout import load_layout

CITIES = ["--city", "Lima", "--city", "Valderrosa"]
EXTENDS = 'extends = "snapshot"\n'
WITH_SHEET = EXTENDS + 'stylesheets = ["fonts.css", "snapshot.css", "mistake.css"]\n'


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["layout", "check", *args])


def lines(done: Result, kind: str) -> list[str]:
    """The output's findings of one kind ("template", "box", ...)."""
    return [line for line in done.output.splitlines() if f": {kind}: " in line]


def template() -> str:
    layout = load_layout()
    return (layout.folder / layout.template).read_text(encoding="utf-8")


def test_the_bundled_layout_is_clean_for_these_cities() -> None:
    done = check(*CITIES, "--city", "Kestrel Falls")
    assert done.exit_code == 0, done.output
    assert "layout 'snapshot': 3 of 3 cities checked: nothing found" in done.output
    assert "Traceback" not in done.output


def test_a_template_that_does_not_compile_is_said_once_with_its_file_and_line(
    tmp_path: Path,
) -> None:
    layout = user_layout(
        tmp_path / "mine", EXTENDS, {"snapshot.html.j2": "{% if %}\n" + template()}
    )
    done = check(str(layout), *CITIES, "--city", "Kestrel Falls")
    assert done.exit_code == 1, done.output
    (said,) = lines(done, "template")  # once, not once per city
    assert said.startswith("error: template: snapshot.html.j2:1: ")
    assert "0 of 3 cities checked (stopped: the template does not compile)" in done.output
    assert "Traceback" not in done.output


def test_an_undefined_name_is_said_for_each_city_with_its_line(tmp_path: Path) -> None:
    text = template().splitlines(keepends=True)
    at = next(n for n, line in enumerate(text) if "<title>" in line)
    text[at] = text[at].replace("<title>", "<title>{{ no_such_name }}", 1)
    layout = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": "".join(text)})
    done = check(str(layout), *CITIES)
    assert done.exit_code == 1, done.output
    where = f"template: snapshot.html.j2:{at + 1}: 'no_such_name' is undefined"
    assert lines(done, "template") == [
        f"error: Lima, Peru: {where}",
        f"error: Valderrosa, Spain: {where}",
    ]
    assert "2 of 2 cities checked: 2 template errors" in done.output


def test_a_box_too_wide_and_a_css_mistake_are_said_with_their_place(tmp_path: Path) -> None:
    css = ".overview { colr: red; width: 400mm; }\n"
    layout = user_layout(tmp_path / "mine", WITH_SHEET, {"mistake.css": css})
    done = check(str(layout), "--city", "Lima")
    assert done.exit_code == 1, done.output
    (box,) = lines(done, "box")  # the section, not each word inside it
    assert box.startswith("warning: Lima, Peru: box: page 1: section#overview.overview")
    assert "mm past the right edge of the page area" in box
    (renderer,) = lines(done, "renderer")  # said once, as the stylesheet is read
    assert renderer.startswith("warning: renderer: mistake.css: Ignored `colr: red` at 1:")
    assert "1 renderer warning, 1 overflowing box" in done.output


def test_a_line_that_cannot_break_is_said_with_its_paragraph(tmp_path: Path) -> None:
    """Measured by the line's own text, not by its paragraph, which stays inside."""
    css = ".spotlight p { white-space: nowrap }\n"
    layout = user_layout(tmp_path / "mine", WITH_SHEET, {"mistake.css": css})
    done = check(str(layout), "--city", "Lima")
    assert done.exit_code == 1, done.output
    (box,) = lines(done, "box")
    assert box.startswith("warning: Lima, Peru: box: page 1: p in #spotlight ('")
    assert box.endswith(" mm past the right edge of the page area")
    assert "1 overflowing box" in done.output


def test_more_pages_than_the_layout_has_are_said(tmp_path: Path) -> None:
    layout = user_layout(tmp_path / "mine", WITH_SHEET, {"mistake.css": "html { font-size: 24pt }"})
    done = check(str(layout), "--city", "Lima")
    assert done.exit_code == 1, done.output
    (pages,) = lines(done, "pages")
    assert pages.startswith("warning: Lima, Peru: pages: ")
    assert pages.endswith(" pages, the layout has 2")
    moved = lines(done, "overflow")
    assert moved and all(" ran onto page " in line for line in moved)
    assert "(its page: 1)" in done.output or "(their page: 1)" in done.output


def test_a_character_no_font_has_is_said_at_its_cell(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [minimal_city("Lima", "Peru"), minimal_city("Bad\U0001d100ville", "Testland")],
    )
    done = check("--survey", str(survey))
    assert done.exit_code == 1, done.output
    (glyph,) = lines(done, "glyph")
    assert glyph.startswith("error: Bad\U0001d100ville, Testland: glyph: s.xlsx, sheet")
    assert "row 3, column A" in glyph and "U+1D100 MUSICAL SYMBOL SINGLE BARLINE" in glyph
    assert "2 of 2 cities checked: 1 missing glyph" in done.output


def test_what_cannot_be_checked_at_all_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = check(str(empty))
    assert done.exit_code == 2 and done.output.startswith("error: ")
    assert "layout.toml" in done.output and "Traceback" not in done.output

    survey = write_survey(tmp_path / "s.xlsx", [{"country": "Peru", "mayor": "Ana"}])
    nothing = check("--survey", str(survey))  # its one row has no city: nothing to check
    assert nothing.exit_code == 2, nothing.output
    assert "error: the survey has no valid city to check the layout with" in nothing.output

    unknown = check("--city", "Lmia")
    assert unknown.exit_code == 2 and "no valid row has the city 'Lmia'" in unknown.output
    assert "'Lima'" in unknown.output  # the closest name
