"""The outcomes grid, measured on the laid-out page: each cell's disc in the middle of its
cell, its ring around it and its badge off its top corner (the end side of the line: the
right in a left-to-right snapshot, the left in a right-to-left one). The disc, ring and
badge are three boxes placed by CSS (the ring and badge absolutely), so a change to one
rule can part them; WeasyPrint's public page anchors give each box's rectangle once it has
an id."""

from __future__ import annotations

import re
from typing import Any

import pytest

from snapshotpdf.assets import sample_survey
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.pdf import PdfMaker
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate

PX_PER_MM = 96 / 25.4
CELL = re.compile(r'<li class="cell state-(yes|no|none)">(.*?)</li>')
PART = re.compile(r'<span class="icon (ring|tile|badge)"')


def with_ids(html: str) -> tuple[str, list[str]]:
    """The HTML with an id on each grid cell and on its ring, disc and badge; the states."""
    states: list[str] = []

    def cell(found: re.Match[str]) -> str:
        n = len(states)
        states.append(found[1])
        parts = PART.sub(lambda p: f'<span id="g{n}-{p[1]}" class="icon {p[1]}"', found[2])
        return f'<li id="g{n}-cell" class="cell state-{found[1]}">{parts}</li>'

    return CELL.sub(cell, html), states


def centre(box: Any) -> tuple[float, float]:
    x0, y0, x1, y1 = box
    return (x0 + x1) / 2 / PX_PER_MM, (y0 + y1) / 2 / PX_PER_MM


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_each_disc_is_centred_with_its_ring_around_it_and_its_badge_at_its_corner(
    direction: str,
) -> None:
    layout = load_layout()
    records = validate(sample_survey()).records
    lima = next(r for r in records if r.city == "Lima")
    html = Renderer(layout).html(lima, survey_figures(records))
    if direction == "rtl":
        html = html.replace('<html lang="en">', '<html lang="en" dir="rtl">', 1)
    html, states = with_ids(html)
    assert {"yes", "no"} <= set(states) and len(states) == 15
    document = PdfMaker.for_layout(layout).layout_document(html)
    anchors: dict[str, Any] = {}
    for page in document.pages:
        anchors.update(page.anchors)
    for n, state in enumerate(states):
        cell_x, _ = centre(anchors[f"g{n}-cell"])
        disc_x, disc_y = centre(anchors[f"g{n}-tile"])
        assert disc_x == pytest.approx(cell_x, abs=0.2), (direction, n, "disc off-centre")
        if state != "yes":  # its glyph's em square on the disc (its box may be taller)
            ring_x, _ = centre(anchors[f"g{n}-ring"])
            ring_top, disc_top = anchors[f"g{n}-ring"][1], anchors[f"g{n}-tile"][1]
            assert ring_x == pytest.approx(disc_x, abs=0.2), (direction, n, "ring")
            assert ring_top == pytest.approx(disc_top, abs=0.2 * PX_PER_MM), (direction, n)
        if state != "none":
            badge_x, badge_y = centre(anchors[f"g{n}-badge"])
            side = badge_x - disc_x if direction == "ltr" else disc_x - badge_x
            assert 4 < side < 6 and 4 < disc_y - badge_y < 6, (direction, n, "badge")
