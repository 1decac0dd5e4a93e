"""The priority areas' tiles, measured on the laid-out page: up to three share a row; four
go two by two and five three and two, so a tile's label is never narrower than a third of
its column and no word of it breaks inside (the 2018 snapshots list up to five)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from support.pdfcheck import word_boxes

from snapshotpdf.assets import sample_survey
from snapshotpdf.limits import MAX_PRIORITY_AREAS
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.pdf import PdfMaker
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate

# The areas whose labels have the longest words, longest first.
AREAS = ("policing", "economic_development", "environment", "digital_governance", "labour")
TILES = re.compile(r'<ul class="priorities[^"]*">(.*?)</ul>', re.S)
ROWS = {1: [1], 2: [2], 3: [3], 4: [2, 2], 5: [3, 2]}


def with_ids(html: str) -> str:
    """The HTML with an id on each priority tile's list item (p0, p1, ...)."""
    found = TILES.search(html)
    assert found, "no priority tiles"
    items = iter(range(MAX_PRIORITY_AREAS))
    tiles = re.sub(r"<li>", lambda _: f'<li id="p{next(items)}">', found[1])
    return html[: found.start(1)] + tiles + html[found.end(1) :]


@pytest.mark.parametrize("count", [3, 4, 5])
def test_tiles_go_in_rows_of_at_most_three_and_no_label_breaks_inside_a_word(
    count: int, tmp_path: Path
) -> None:
    assert len(AREAS) == MAX_PRIORITY_AREAS  # every count the survey can give is covered
    layout = load_layout()
    records = validate(sample_survey()).records
    lima = next(r for r in records if r.city == "Lima")
    city = dataclasses.replace(lima, priority_areas=AREAS[:count])
    renderer = Renderer(layout)
    html = with_ids(renderer.html(city, survey_figures(records)))
    maker = PdfMaker.for_layout(layout)
    pages = maker.layout_document(html).pages
    boxes = [
        page.anchors[f"p{n}"] for page in pages for n in range(count) if f"p{n}" in page.anchors
    ]
    assert len(boxes) == count
    tops = sorted({round(box[1]) for box in boxes})
    assert [sum(1 for box in boxes if round(box[1]) == top) for top in tops] == ROWS[count]
    pdf = tmp_path / "tiles.pdf"
    pdf.write_bytes(maker.render(html).data)
    words = {word.text for _, _, page in word_boxes(pdf) for word in page}
    for area in AREAS[:count]:
        label = str(layout.catalog("en").strings["options"]["policy_areas"][area])
        assert set(label.split()) <= words, (count, label)
