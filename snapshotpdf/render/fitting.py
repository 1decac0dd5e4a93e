"""How full a laid-out snapshot's pages are, from WeasyPrint's public page anchors: each
element with an id gives its rectangle on every page it is on. The layout marks the page
area on every page (#page-area, an empty fixed box) and its sheets (#sheet-1, #sheet-2,
its content in page order); nothing else is measured.

A snapshot whose content would fit on fewer pages than it has is sparse: the renderer lays
it out flowing (render/pdf.py), so a city that answered little gets one finished page, not
two mostly empty ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


# Copy-fitting. A snapshot longer than its layout's pages is laid out again with the
# layout's fitting steps ([fitting] steps in layout.toml: classes on its root element, which
# its CSS gives tighter spacing, then smaller type down to the floor the layout sets), each
# step with the ones before it; the first that fits is kept, every section on the page the
# layout gives it. Only when the last step does not fit either do its sections flow in
# balanced columns, in the type and spacing designed: kept when that fits its pages (the
# run names the sections that moved to a later page), else onto further pages, and then
# the flowing layout is also tried with every step, kept when it takes a page fewer: no
# page is left mostly empty. Steps are only tried for content up to SHRINK pages' worth
# over: more cannot fit by spacing and type alone, and each try costs a layout (a flowing
# one about two: balancing columns lays them out again).
SHRINK = 0.45
# A flowing layout whose last page is filled less than this is tried with the steps.
HALF = 0.5


@dataclass(frozen=True)
class FitStep:
    """One step of copy-fitting: the class it puts on the root element and how a run
    describes the snapshot at this step, the steps before it included ("tighter spacing
    and 9 pt type")."""

    name: str
    says: str


@dataclass(frozen=True)
class Refit:
    """How to lay a snapshot out again: the pages its layout has, the layout's fitting
    steps, and html(flow, steps), its HTML flowing or not with those steps applied."""

    pages: int
    steps: tuple[FitStep, ...]
    html: Callable[[bool, tuple[FitStep, ...]], str]


@dataclass(frozen=True)
class Attempt:
    """One layout of a snapshot: its HTML, the laid-out document, what the renderer said."""

    html: str
    document: Any
    messages: tuple[str, ...] = ()

    @property
    def pages(self) -> Sequence[Any]:
        return self.document.pages  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Fitted:
    """The layout kept, and how: the steps used (none: as designed), flowing or not."""

    attempt: Attempt
    steps: tuple[FitStep, ...] = ()
    flowed: bool = False
    sparse: bool = False  # flowed onto fewer pages (batch/fit.py's warning says why)

    def says(self) -> str | None:
        """How the run describes the fitting; None for a snapshot laid out as designed
        (or a sparse one, which has its own warning)."""
        if self.sparse or (not self.steps and not self.flowed):
            return None
        done = self.steps[-1].says if self.steps else ""
        pages = len(self.attempt.pages)
        if self.flowed:
            return f"flowed onto {pages} pages" + (f" with {done}" if done else "")
        return f"set with {done} to fit its {pages} page{'s' if pages != 1 else ''}"


def fit(
    first: Attempt,
    pages: int,
    steps: Sequence[FitStep],
    lay_out: Callable[[bool, tuple[FitStep, ...]], Attempt],
) -> Fitted:
    """The layout to keep for a snapshot laid out as first. lay_out(flow, steps) lays it
    out again, flowing or not, with those steps applied. A sparse snapshot flows onto
    fewer pages (sparse()); one that is too long is fitted as the comment above says."""
    if len(first.pages) <= pages:
        if sparse(first.pages):
            flowed = lay_out(True, ())
            if len(flowed.pages) < len(first.pages):
                return Fitted(flowed, flowed=True, sparse=True)
        return Fitted(first)
    if sum(fills(first.pages)) <= pages * (1 + SHRINK):
        for count in range(1, len(steps) + 1):
            tried = lay_out(False, tuple(steps[:count]))
            if len(tried.pages) <= pages:
                return Fitted(tried, tuple(steps[:count]))
    flowed = lay_out(True, ())
    if len(flowed.pages) > pages and steps and fills(flowed.pages)[-1] < HALF:
        tighter = lay_out(True, tuple(steps))  # a last page mostly empty: save it?
        if len(tighter.pages) < len(flowed.pages):
            return Fitted(tighter, tuple(steps), flowed=True)
    return Fitted(flowed, flowed=True)
