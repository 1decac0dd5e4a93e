"""What the run says about a city that answered too little to fill its snapshot: which of
the layout's sections it left out. The PDF itself is already laid out to look finished
(render/pdf.py: a sparse snapshot flows onto fewer pages); this names the city, so the
team can ask it for the missing answers before the snapshots go out.

Worked out from the sections each page of the PDF shows (their ids) against the layout's
[sections]: nothing is measured twice. The same comparison says which sections ran past
their page (moved: check_fit in batch/build.py, and `snapshotpdf layout check`).
"""

from __future__ import annotations

from snapshotpdf.models import CityRecord
from snapshotpdf.render.layout import Layout


def moved(layout: Layout, anchors_by_page: tuple[frozenset[str], ...]) -> dict[int, list[str]]:
    """The layout's sections first shown on a later page than their own ([sections]): by
    the page each ran onto, in reading order."""
    found: dict[int, list[str]] = {}
    for section, home in layout.sections.items():
        pages = [i for i, anchors in enumerate(anchors_by_page, 1) if section in anchors]
        if pages and pages[0] > home:
            found.setdefault(pages[0], []).append(section)
    return found


def left_out(layout: Layout, anchors_by_page: tuple[frozenset[str], ...]) -> list[str]:
    """The layout's sections, in reading order, that no page of the PDF shows."""
    shown = frozenset().union(*anchors_by_page) if anchors_by_page else frozenset()
    return [section for section in layout.sections if section not in shown]


def sparse_warning(
    layout: Layout, record: CityRecord, anchors_by_page: tuple[frozenset[str], ...]
) -> str | None:
    """The warning for a city that answered too little to fill its pages (its sections
    flow onto fewer pages than the layout's), naming the sections it left out; None for
    any other city."""
    pages = len(anchors_by_page)
    if not 0 < pages < layout.pages:
        return None
    missing = left_out(layout, anchors_by_page)
    shown = len(layout.sections) - len(missing)
    if shown == 0:
        return (
            f"{record.city} answered nothing the snapshot shows (none of its"
            f" {len(layout.sections)} sections): its PDF is one page with its name alone. Ask"
            " the city for its answers before sending it"
        )
    unanswered = (
        f"no answers for {', '.join(missing)} ({len(missing)} of {len(layout.sections)}"
        " sections left out)"
        if missing
        else "every section is short"
    )
    return (
        f"{record.city} answered too little to fill {layout.pages} pages: {unanswered}; its "
        f"{shown} sections flow onto {pages} page{'s' if pages != 1 else ''}. Ask the city "
        "for the missing answers to give it a full snapshot"
    )


# The answers a city types freely, as the run names them when its content is too long:
# only these grow without bound (a list's options are the questionnaire's own words).
FREE_TEXT = (
    ("spotlight", "the spotlight"),
    ("org_structure", "the organisational structure"),
    ("mayor", "the mayor"),
    ("innovation_lead", "the innovation lead"),
    ("website", "the website"),
)
# An answer shorter than this takes too little room to be named as what to shorten.
NAMED_FROM_CHARS = 200


def what_to_shorten(record: CityRecord) -> str:
    """The advice for a city too long for its pages: its two longest free answers, when
    they are long enough to be the cause, else its answers and lists in general."""
    sizes = sorted(
        (
            (len(text), name)
            for field, name in FREE_TEXT
            if isinstance(text := getattr(record, field, None), str)
            and len(text) >= NAMED_FROM_CHARS
        ),
        reverse=True,
    )[:2]
    if not sizes:
        return "shorten its answers or lists"
    named = " and ".join(f"{name} ({size:,} characters)" for size, name in sizes)
    return f"shorten the longest answer{'s' if len(sizes) > 1 else ''}, {named}"
