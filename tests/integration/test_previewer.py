"""The live preview's library (batch/preview.py) and its routes and --png (cli/preview.py):
what is current, errors with their file and line, the page images. The page in a real
browser is tests/system/test_preview.py (this file is named apart: pytest needs each test
file's name to be unique)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image
from support.helpers import minimal_city, write_survey
from typer.testing import CliRunner

from snapshotpdf.assets import fonts_dir
from snapshotpdf.batch.preview import Previewer, Snapshot
from snapshotpdf.cli.app import app
from snapshotpdf.cli.preview import Routes
from snapshotpdf.models import Inputs
from snapshotpdf.render.layout import load_layout

MAGENTA = (255, 0, 255)
VIVID_PAGE = "\n@page { background: rgb(255, 0, 255); }\n"


def copied_layout(tmp: Path) -> Path:
    """A copy of the bundled layout, with the fonts where its CSS finds them (../../fonts)."""
    layout = tmp / "layouts" / "snapshot"
    shutil.copytree(load_layout().folder, layout)
    (tmp / "fonts").symlink_to(fonts_dir())
    return layout


def corner(page: bytes) -> tuple[int, ...]:
    """The colour of a page image's bottom right corner (its margin)."""
    with Image.open(io.BytesIO(page)) as image:
        rgb = image.convert("RGB")
        return tuple(rgb.getpixel((rgb.width - 3, rgb.height - 3)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copied_layout(tmp_path_factory.mktemp("preview"))


@pytest.fixture(scope="module")
def previewer(layout: Path) -> Previewer:
    return Previewer(Inputs(layout=str(layout)))


def test_pages_are_made_again_when_a_layout_file_changes(
    previewer: Previewer, layout: Path
) -> None:
    first = previewer.snapshot("peru-lima")
    assert first.city is not None and first.city.label == "Lima, Peru"
    assert first.error is None and len(first.pages) == 2
    assert all(page.startswith(b"\x89PNG\r\n\x1a\n") for page in first.pages)
    assert corner(first.pages[0]) != MAGENTA
    assert previewer.snapshot("peru-lima") is first  # nothing changed: nothing rendered

    css = layout / "snapshot.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original + VIVID_PAGE, encoding="utf-8")
    try:
        changed = previewer.snapshot("peru-lima")
        assert changed.version != first.version
        assert corner(changed.pages[0]) == MAGENTA  # a fresh WeasyPrint read the new CSS
    finally:
        css.write_text(original, encoding="utf-8")
    assert previewer.snapshot("peru-lima").version == first.version


def test_a_template_error_is_shown_with_its_file_and_line(
    previewer: Previewer, layout: Path
) -> None:
    template = layout / "snapshot.html.j2"
    original = template.read_text(encoding="utf-8")
    try:
        template.write_text("{% if %}\n" + original, encoding="utf-8")
        broken = previewer.snapshot("peru-lima")
        assert broken.pages == () and broken.error is not None
        assert broken.error.startswith("snapshot.html.j2, line 1: ")
        assert "{% if %}" in broken.error  # the line itself

        lines = original.splitlines(keepends=True)
        at = next(n for n, line in enumerate(lines) if "<title>" in line)
        lines[at] = lines[at].replace("<title>", "<title>{{ record.no_such_field }}", 1)
        template.write_text("".join(lines), encoding="utf-8")
        undefined = previewer.snapshot("peru-lima").error or ""
        assert undefined.startswith(f"snapshot.html.j2, line {at + 1}: ")
        assert "no_such_field" in undefined
    finally:
        template.write_text(original, encoding="utf-8")
    fixed = previewer.snapshot("peru-lima")
    assert fixed.error is None and len(fixed.pages) == 2


def test_a_broken_layout_toml_or_survey_is_said_not_raised(tmp_path: Path) -> None:
    layout = copied_layout(tmp_path)
    config = layout / "layout.toml"
    config.write_text("template = = 1\n", encoding="utf-8")
    shown = Previewer(Inputs(layout=str(layout))).snapshot()
    assert shown.error is not None and "layout.toml: not valid TOML" in shown.error
    assert "line 1" in shown.error

    missing = Previewer(Inputs(survey=tmp_path / "nope.xlsx")).snapshot()
    assert missing.city is None and missing.error and "nope.xlsx" in missing.error


def test_routes_escape_survey_text_and_take_no_paths(tmp_path: Path) -> None:
    survey = write_survey(
        tmp_path / "s.xlsx",
        [minimal_city("<script>alert(1)</script>", "Ruritania"), minimal_city("Beta", "Ruritania")],
    )
    routes = Routes(Previewer(Inputs(survey=survey)), port=8765)
    status, kind, body = routes.get("/", "NONCE")
    page = body.decode()
    assert status == 200 and kind == "text/html; charset=utf-8"
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<script nonce="NONCE">' in page and '<option value="ruritania-beta">' in page

    status, kind, body = routes.get("/version?city=ruritania-beta", "n")
    shown = json.loads(body)
    assert (status, kind) == (200, "application/json")
    assert shown["city"] == "ruritania-beta" and shown["error"] is None
    pages = shown["pages"]
    assert pages >= 1
    status, kind, body = routes.get(f"/page/{pages}.png?city=ruritania-beta", "n")
    assert (status, kind) == (200, "image/png") and body.startswith(b"\x89PNG")
    assert routes.get(f"/page/{pages + 1}.png?city=ruritania-beta", "n")[0] == 404
    assert routes.get("/page/../../etc/passwd", "n")[0] == 404
    assert routes.get("/error?city=ruritania-beta", "n")[2] == b""
    assert routes.allowed_host("127.0.0.1:8765") and routes.allowed_host("localhost:8765")
    assert not routes.allowed_host("evil.example:8765")
    # Another web page open in the browser (an <img> of it) cannot make it render.
    assert routes.allowed_site(None) and routes.allowed_site("same-origin")
    assert routes.allowed_site("none")  # the address typed, a bookmark
    assert not routes.allowed_site("cross-site") and not routes.allowed_site("same-site")


def test_png_writes_the_pages_without_a_browser(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["preview", "--png", "lima", "-o", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert written == ["peru-lima-1.png", "peru-lima-2.png"]
    with Image.open(tmp_path / "png" / "peru-lima-1.png") as image:
        assert image.format == "PNG" and image.width == 794  # A4 at 96 dpi

    unknown = runner.invoke(app, ["preview", "--png", "Lmia", "-o", str(tmp_path / "png")])
    assert unknown.exit_code == 2
    assert "no valid row has the city 'Lmia'" in unknown.output
    assert "did you mean 'Lima'" in unknown.output


def test_a_snapshot_version_follows_what_it_shows() -> None:
    assert Snapshot(None, error="a").version != Snapshot(None, error="b").version
    assert Snapshot(None, (b"1",)).version != Snapshot(None, (b"2",)).version
    assert Snapshot(None, (b"1",)).version == Snapshot(None, (b"1",)).version


def test_a_css_mistake_is_listed_under_the_pages(tmp_path: Path) -> None:
    """What WeasyPrint says of a stylesheet as it reads it (an unknown property, with its
    line) is shown with the pages: a designer's typo is not silently ignored."""
    from support.layouts import user_layout

    folder = user_layout(
        tmp_path / "mine",
        'stylesheets = ["fonts.css", "snapshot.css", "mine.css"]\n',
        {"mine.css": ".overview {\n  colr: red;\n}\n"},
    )
    shown = Previewer(Inputs(layout=str(folder))).snapshot("peru-lima")
    assert shown.error is None and len(shown.pages) == 2
    assert any(w.startswith("mine.css: ") and "colr" in w for w in shown.warnings), shown.warnings
