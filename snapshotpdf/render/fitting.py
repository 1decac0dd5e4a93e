"""How full a laid-out snapshot's pages are, from WeasyPrint's public page anchors: each
element with an id gives its rectangle on every page it is on. The layout marks the page
area on every page (#page-area, an empty fixed box) and its sheets (#sheet-1, #sheet-2,
its content in page order); nothing else is measured.

A snapshot whose content would fit on fewer pages than it has is sparse: the renderer lays
it out flowing (render/pdf.py), so a city that answered little gets one finished page, not
two mostly empty ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PAGE_AREA = "page-area"
SHEETS = ("sheet-1", "sheet-2")
# Content up to this share of one page is laid out flowing onto fewer pages. The sheets'
# heights add up the gaps that flowing closes, so a little under one page still fits.
SPARSE = 0.95


def fills(pages: Sequence[Any]) -> list[float]:
    """Each page's share filled by the sheets (0 to 1); 1 for a page the layout does not
    mark (nothing to measure: it counts as full)."""
    shares = []
    for page in pages:
        anchors = page.anchors
        area = anchors.get(PAGE_AREA)
        height = (area[3] - area[1]) if area and len(area) == 4 else 0.0
        if height <= 0:
            shares.append(1.0)
            continue
        used = sum(
            anchors[name][3] - anchors[name][1]
            for name in SHEETS
            if name in anchors and len(anchors[name]) == 4
        )
        shares.append(min(max(used / height, 0.0), 1.0))
    return shares


def sparse(pages: Sequence[Any]) -> bool:
    """More than one page whose content together would fill at most SPARSE of one."""
    return len(pages) > 1 and sum(fills(pages)) <= SPARSE
