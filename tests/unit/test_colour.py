"""The print colours: the layout's palette converted for an output condition by littleCMS."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from snapshotpdf.errors import LayoutError
from snapshotpdf.render import colour
from snapshotpdf.render.layout import load_layout


@pytest.fixture(scope="module")
def layout() -> Any:
    return load_layout()


def test_paper_white_takes_no_ink_and_every_palette_colour_is_cmyk(layout: Any) -> None:
    for condition in ("coated", "uncoated"):
        css, converted = colour.print_colours(layout.folder, layout.config, condition)
        assert converted["paper"] == "device-cmyk(0 0 0 0)"
        assert set(converted) == set(layout.config["palette"])
        assert all(value.startswith("device-cmyk(") for value in converted.values())
        assert "@color-profile device-cmyk" in css and "--navy: device-cmyk(" in css


def test_coated_gives_the_values_the_print_shop_had_and_uncoated_its_own(layout: Any) -> None:
    coated = colour.print_colours(layout.folder, layout.config, "coated")[1]
    uncoated = colour.print_colours(layout.folder, layout.config, "uncoated")[1]
    assert coated["ink"] == "device-cmyk(0.75 0.53 0.33 0.82)"
    assert coated["amber"] == "device-cmyk(0 0.37 0.94 0.18)"
    assert uncoated["navy"] != coated["navy"]
    ink = [float(v) for v in uncoated["ink"][len("device-cmyk(") : -1].split()]
    assert sum(ink) <= 3.0  # the profile's 300% total ink limit


def test_each_condition_names_its_profile(layout: Any) -> None:
    for name, family in (("coated", "FOGRA39"), ("uncoated", "FOGRA29")):
        chosen = colour.condition(layout.folder, layout.config, name)
        assert family in chosen.description and chosen.profile.is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["palette"].update(navy="navy blue"), "not a colour: navy = 'navy blue'"),
        (lambda c: c["conditions"].pop("uncoated"), "no output condition 'uncoated'"),
        (
            lambda c: c["conditions"]["uncoated"].update(profile="../../etc/passwd"),
            "no profile file '../../etc/passwd' in the layout folder",
        ),
        (
            lambda c: c["conditions"]["uncoated"].update(profile="snapshot.css"),
            "not an ICC profile",
        ),
    ],
)
def test_a_mistake_in_the_layout_is_one_clear_error(layout: Any, change: Any, message: str) -> None:
    config = copy.deepcopy(layout.config)
    change(config)
    with pytest.raises(LayoutError, match=message.replace("(", r"\(").replace(".", r"\.")):
        colour.print_colours(layout.folder, config, "uncoated")


def test_a_tone_must_name_a_palette_colour() -> None:
    with pytest.raises(LayoutError, match="not in \\[palette\\]: teal-ish"):
        colour.tone_colours({"6b7680": "teal-ish"}, {"navy": "device-cmyk(1 0 0 0)"})
