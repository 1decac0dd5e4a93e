"""The print colours: the layout's palette converted for an output condition by littleCMS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from snapshotpdf.errors import LayoutError
from snapshotpdf.render import colour
from snapshotpdf.render.layout import load_layout
from tests.support.layouts import user_layout


@pytest.fixture(scope="module")
def layout() -> Any:
    return load_layout()


def test_paper_white_takes_no_ink_and_every_palette_colour_is_cmyk(layout: Any) -> None:
    for condition in ("coated", "uncoated"):
        css, converted = colour.print_colours(layout, condition)
        assert converted["paper"] == "device-cmyk(0 0 0 0)"
        assert set(converted) == set(layout.settings.palette)
        assert all(value.startswith("device-cmyk(") for value in converted.values())
        assert "@color-profile device-cmyk" in css and "--navy: device-cmyk(" in css


def test_coated_gives_the_values_the_print_shop_had_and_uncoated_its_own(layout: Any) -> None:
    coated = colour.print_colours(layout, "coated")[1]
    uncoated = colour.print_colours(layout, "uncoated")[1]
    assert coated["ink"] == "device-cmyk(0.75 0.53 0.33 0.82)"
    assert coated["amber"] == "device-cmyk(0 0.37 0.94 0.18)"
    assert uncoated["navy"] != coated["navy"]
    ink = [float(v) for v in uncoated["ink"][len("device-cmyk(") : -1].split()]
    assert sum(ink) <= 3.0  # the profile's 300% total ink limit


def test_each_condition_names_its_profile(layout: Any) -> None:
    for name, family in (("coated", "FOGRA39"), ("uncoated", "FOGRA29")):
        chosen, profile = colour.condition(layout, name)
        assert family in chosen.description and profile.is_file()


def test_a_brand_colour_keeps_its_own_cmyk_and_the_rest_is_converted(tmp_path: Path) -> None:
    folder = user_layout(
        tmp_path / "brand",
        '[palette]\nnavy = { screen = "#123456", print = "cmyk(100 45 0 60)" }\n',
    )
    brand = load_layout(str(folder))
    converted = colour.print_colours(brand, "coated")[1]
    assert converted["navy"] == "device-cmyk(1 0.45 0 0.6)"
    assert converted["ink"] == "device-cmyk(0.75 0.53 0.33 0.82)"  # inherited, converted
    assert brand.settings.palette["navy"].screen == "#123456"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[conditions.uncoated]\nprofile = 'snapshot.css'\n", "not an ICC profile"),
        ('extends = "snapshot"\n', "no output condition 'nowhere'"),
    ],
)
def test_a_mistake_in_a_condition_is_one_clear_error(
    tmp_path: Path, toml: str, message: str
) -> None:
    layout = load_layout(str(user_layout(tmp_path / "mine", toml)))
    name = "nowhere" if "nowhere" in message else "uncoated"
    with pytest.raises(LayoutError, match=message):
        colour.print_colours(layout, name)


def test_the_palette_is_written_into_a_sheet_where_it_cannot_be_changed(tmp_path: Path) -> None:
    """var(--navy) becomes the colour (no custom property to resolve, element by element);
    a name some sheet declares itself, a var() with a fallback and any other custom
    property stay as written; a sheet without var() is given as the file it is."""
    from snapshotpdf.render.colour import PaintedSheet, painted

    page = tmp_path / "page.css"
    page.write_text(
        "h2 { color: var(--navy); border-color: var( --teal ) }\n"
        ".x { color: var(--amber, red); background: var(--mine) }\n"
        ".dark { color: var(--ink) }\n",
        encoding="utf-8",
    )
    own = tmp_path / "own.css"
    own.write_text(".dark { --ink: #000 }\n", encoding="utf-8")
    plain = tmp_path / "plain.css"
    plain.write_text("p { margin: 0 }\n", encoding="utf-8")
    palette = {"navy": "#0f3b57", "teal": "#137a78", "amber": "#d9951a", "ink": "#1f2b37"}
    made = painted([page, own, plain], palette)
    assert made[1:] == [own, plain]
    assert made[0] == PaintedSheet(
        page,
        "h2 { color: #0f3b57; border-color: #137a78 }\n"
        ".x { color: var(--amber, red); background: var(--mine) }\n"
        ".dark { color: var(--ink) }\n",
    )
