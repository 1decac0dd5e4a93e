"""One palette, one brand (no PDF): every colour of the bundled layout's stylesheets is a
[palette] colour of layout.toml, given as custom properties by render/colour.py; icons
have no colour of their own in the HTML; the brand is a layout setting, its logo checked
like a booklet's --logo; a user's template changes one block of the bundled one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import tinycss2
import tinycss2.color5
from support.layouts import user_layout

from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, Location, SurveyFigures
from snapshotpdf.render.colour import screen_colours
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout

# CSS functions that write a colour (CSS Color 4 and 5, and the print colours).
_COLOUR_FUNCTIONS = {
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color",
    "color-mix", "device-cmyk",
}  # fmt: skip
_NOT_A_COLOUR = {"transparent", "currentcolor"}
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _literal_colours(tokens: list[tinycss2.ast.Node]) -> Iterator[str]:
    """Every colour written into a declaration's value (not through var())."""
    for token in tokens:
        if token.type == "function":
            name = token.lower_name
            if name in _COLOUR_FUNCTIONS:
                yield tinycss2.serialize([token])
            elif name != "var":
                yield from _literal_colours(token.arguments)
        elif token.type == "hash" and tinycss2.color5.parse_color(token) is not None:
            yield f"#{token.value}"
        elif (
            token.type == "ident"
            and token.lower_value not in _NOT_A_COLOUR
            and tinycss2.color5.parse_color(token) is not None
        ):
            yield token.value


def _declarations(rules: list[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.Declaration]:
    """Every declaration of a stylesheet's rules, at-rules (@page and its margin boxes,
    @font-face) included."""
    for rule in rules:
        content = getattr(rule, "content", None)
        if not content:
            continue
        for item in tinycss2.parse_blocks_contents(
            content, skip_whitespace=True, skip_comments=True
        ):
            if item.type == "declaration":
                yield item
            elif item.type in ("at-rule", "qualified-rule"):
                yield from _declarations([item])


def colours_written_in(css: str) -> list[str]:
    """Each colour a stylesheet writes itself, as "property: colour"."""
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return [
        f"{declaration.name}: {found}"
        for declaration in _declarations(rules)
        for found in _literal_colours(declaration.value)
    ]


def bundled_css() -> dict[str, str]:
    """Every stylesheet of the bundled layout, and the CSS its templates hold (<style>,
    style="..."), by file."""
    folder = load_layout().folder
    found = {path.name: path.read_text("utf-8") for path in sorted(folder.glob("*.css"))}
    for template in sorted(folder.glob("*.html.j2")):
        text = template.read_text("utf-8")
        styles = re.findall(r"<style>(.*?)</style>", text, re.S)
        attributes = [f"x {{ {value} }}" for value in _STYLE_ATTRIBUTE.findall(text)]
        # Jinja's own syntax out, so what is left parses as CSS.
        css = re.sub(r"\{[{%#].*?[}%#]\}", "", "\n".join([*styles, *attributes]), flags=re.S)
        found[template.name] = css
    return {name: re.sub(r"/\*.*?\*/", "", css, flags=re.S) for name, css in found.items()}


def test_the_bundled_stylesheets_write_no_colour_of_their_own() -> None:
    """Only var(--NAME): the palette is named once, in layout.toml."""
    sheets = bundled_css()
    assert {"snapshot.css", "print.css", "booklet.css", "snapshot.html.j2"} <= set(sheets)
    written = {name: colours_written_in(css) for name, css in sheets.items()}
    assert {name: found for name, found in written.items() if found} == {}


def test_the_check_finds_a_colour_written_in_any_form() -> None:
    css = """a { color: #fff; border: 1px solid rgb(0 0 0); }
             @page { @bottom-left { color: white; } }
             :root { --mine: device-cmyk(0 0 0 1); }
             b { color: var(--navy); background: transparent; border-color: currentColor; }"""
    assert colours_written_in(css) == [
        "color: #fff",
        "border: rgb(0 0 0)",
        "color: white",
        "--mine: device-cmyk(0 0 0 1)",
    ]


def test_every_colour_the_stylesheets_use_is_in_the_palette() -> None:
    layout = load_layout()
    used = {
        name for css in bundled_css().values() for name in re.findall(r"var\(\s*--([\w-]+)", css)
    }
    defined_in_css = {
        name for css in bundled_css().values() for name in re.findall(r"--([\w-]+)\s*:", css)
    }
    assert used - defined_in_css <= set(layout.settings.palette)
    assert {"navy", "paper", "grey-dark"} <= used  # the band, white, "not answered"


def test_the_palette_reaches_every_variant_as_custom_properties() -> None:
    css = screen_colours(load_layout())
    assert css.splitlines()[1:3] == [":root {", "  --ink: #1f2b37;"]
    assert "  --navy: #0f3b57;" in css and "  --paper: #ffffff;" in css
    assert colours_written_in(css) == [  # the one place colours are written: generated
        f"--{name}: {colour.screen}" for name, colour in load_layout().settings.palette.items()
    ]


LIMA = CityRecord(
    source=Location("s.xlsx", "Responses", 2),
    city="Lima",
    country="Peru",
    mayor="Ana",
    priority_areas=("transport",),
    data_sufficiency=(("transport", True), ("housing", False)),
)


def test_icons_carry_no_colour_in_the_html() -> None:
    """An icon is a glyph of the layout's icon font (its icons/*.svg); its colour is the CSS
    colour of what holds it: the page names none."""
    layout = load_layout()
    page = Renderer(layout).html(LIMA, SurveyFigures(1, {}))
    assert "stroke" not in page and "style=" not in page
    glyph = layout.icon_characters
    assert '<span class="icon tile" role="img" aria-label="Transport / Mobility: ' in page
    assert f'with sufficient data">{glyph["bus"]}</span>' in page
    assert f'<span class="icon fact-icon" aria-hidden="true">{glyph["user"]}</span>' in page


def test_the_bundled_layout_has_no_brand_and_shows_none() -> None:
    layout = load_layout()
    assert layout.logo is None and layout.settings.brand.organisation is None
    page = Renderer(layout).html(LIMA, SurveyFigures(1, {}))
    assert 'class="brand' not in page


LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 2"><rect width="4"/></svg>'


def test_a_user_layout_names_its_brand_in_the_band_and_changes_one_block(
    tmp_path: Path,
) -> None:
    folder = user_layout(
        tmp_path / "brand",
        '[brand]\norganisation = "Ciudades & Unidas"\nlogo = "brand/logo.svg"\n',
        {
            "brand/logo.svg": LOGO,
            "snapshot.html.j2": '{% extends "snapshot/snapshot.html.j2" %}'
            "{% block overview %}<p class=mine>{{ record.city }}, ours</p>{% endblock %}",
        },
    )
    layout = load_layout(str(folder))
    assert layout.logo == folder / "brand" / "logo.svg"
    page = Renderer(layout).html(LIMA, SurveyFigures(1, {}))
    bundled = Renderer(load_layout()).html(LIMA, SurveyFigures(1, {}))
    assert page.count('<span class="brand-name">Ciudades &amp; Unidas</span>') == 2  # each band
    assert page.count('<img class="brand-logo" src="brand/logo.svg" alt="Logo">') == 2
    assert "<p class=mine>Lima, ours</p>" in page and 'id="overview"' not in page
    # The rest as the bundled layout has it: from the columns to the end.
    columns = '<div class="columns">'
    assert page[page.index(columns) :] == bundled[bundled.index(columns) :]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("brand/logo.png", b"not a PNG", "not a PNG image"),
        ("brand/logo.svg", b"<!DOCTYPE svg><svg/>", "a DOCTYPE or entities"),
        ("brand/logo.svg", b"x" * (2 * 1024 * 1024 + 1), "more than a logo may be (2 MB)"),
    ],
)
def test_a_layout_logo_passes_the_checks_of_a_booklet_logo(
    tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    folder = user_layout(tmp_path / "mine", f'[brand]\nlogo = "{name}"\n', {name: content})
    with pytest.raises(LayoutError) as caught:
        load_layout(str(folder))
    assert f"[brand] logo: '{name}': " in str(caught.value)
    assert says in str(caught.value)
