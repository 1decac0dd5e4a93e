"""The tag tree a screen reader trusts, and text that holds WCAG AA contrast (issue 15).

Checked with pikepdf on the screen variant (tagged PDF/UA-1) of the sample's reference city
(Lima), its three-page city (Port Ashcombe), its sparse city (Kestrel Falls) and a booklet
of three cities; the rules are listed in docs/variants.md (accessibility):
- every marked-content sequence with an MCID belongs to an element of the structure tree,
  and the parent tree says so too, or it is an Artifact: the running footer and the header
  band repeated on later pages are pagination artifacts;
- nothing is painted outside marked content;
- one H1 per city, at the start of its snapshot, on its first page;
- lists are flat (a list holds list items only) and each item is Lbl (its ▶ or ✓) then
  LBody; Lbl and LBody only in list items;
- every Figure has its Alt text;
- every text colour of the layout's CSS contrasts 4.5:1 with what it is set on.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from support.contrast import AA, Cascade, Pair
from support.extreme import every
from support.helpers import minimal_city, write_survey
from support.pdfcheck import (
    Built,
    artifact_kinds,
    kids,
    marked_content_outside_tree,
    struct_elements,
    untagged_operations,
)

from snapshotpdf.assets import sample_survey
from snapshotpdf.batch.booklet import BookletSettings, make_booklet
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.models import Inputs
from snapshotpdf.render.colour import screen_colours
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate

# The sample's reference city, its city too long for two pages, its sparse city.
CITIES = ["peru-lima", "united-kingdom-port-ashcombe", "canada-kestrel-falls"]
LIST_PARTS = ("/Lbl", "/LBody")


def kinds_of(element: pikepdf.Dictionary) -> list[str]:
    return [
        str(kid.S) for kid in kids(element) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
    ]


def tree_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What breaks the generic rules above, in words (an empty list: none)."""
    problems = [
        f"page {p}: MCID {m} ({t}) in no element" for p, m, t in marked_content_outside_tree(pdf)
    ]
    problems += [f"page {p}: {op} outside marked content" for p, op in untagged_operations(pdf)]
    for kind, element, parents in struct_elements(pdf):
        inside = kinds_of(element)
        if kind == "/L" and set(inside) - {"/LI"}:
            problems.append(f"a list holds {inside} (a list holds list items only)")
        if kind == "/LI":
            if not inside or set(inside) - set(LIST_PARTS):
                problems.append(f"a list item holds {inside}")
            elif inside != sorted(inside, key=LIST_PARTS.index) or inside.count("/LBody") != 1:
                problems.append(f"a list item holds {inside}: Lbl, then one LBody")
        if kind in LIST_PARTS and parents[-1:] != ["/LI"]:
            problems.append(f"{kind} in {parents[-1:]}, not in a list item")
        if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
            problems.append("a Figure without Alt text")
    return problems


def heading_pages(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """Every heading (/H1, /H2) in reading order, with its page (1-based)."""
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
    return [
        (kind, pages[element.Pg.objgen])
        for kind, element, _parents in struct_elements(pdf)
        if kind in ("/H1", "/H2")
    ]


@pytest.mark.parametrize("stem", CITIES)
def test_the_tag_tree_holds_every_rule(sample_build: Built, stem: str) -> None:
    with pikepdf.open(sample_build.pdf(stem)) as pdf:
        assert tree_problems(pdf) == []


@pytest.mark.parametrize("stem", CITIES)
def test_one_h1_per_city_at_the_start_of_its_snapshot(sample_build: Built, stem: str) -> None:
    with pikepdf.open(sample_build.pdf(stem)) as pdf:
        headings = heading_pages(pdf)
    assert [h for h in headings if h[0] == "/H1"] == [("/H1", 1)]
    assert headings[0] == ("/H1", 1)  # before every section's heading
    assert len(headings) > 2


@pytest.mark.parametrize("stem", CITIES)
def test_footer_and_repeated_band_are_pagination_artifacts(sample_build: Built, stem: str) -> None:
    """On every page the footer (its text and page number); from page 2 the band's kicker,
    city and country: WeasyPrint tagged them into no structure, now each is an artifact."""
    with pikepdf.open(sample_build.pdf(stem)) as pdf:
        pagination = artifact_kinds(pdf).count("/Pagination")
        pages = len(pdf.pages)
    assert pagination >= 2 * pages + 3 * (pages - 1)


def test_lima_lists_as_a_reader_hears_them(sample_build: Built) -> None:
    """The overview is one list of its five facts; each ▶ and ✓ is its item's label."""
    with pikepdf.open(sample_build.pdf("peru-lima")) as pdf:
        elements = struct_elements(pdf)
        lists = [element for kind, element, _ in elements if kind == "/L"]
        assert kinds_of(lists[0]) == ["/LI"] * 5  # the overview, first in reading order
        labelled = [e for kind, e, _ in elements if kind == "/LI" and "/Lbl" in kinds_of(e)]
        # staff profiles 3, associations 2, funding sources 2, how innovation helps 3
        assert len(labelled) == 10
        figures = [e for kind, e, _ in elements if kind == "/Figure"]
        assert len(figures) == 15


def test_a_booklet_keeps_the_rules_with_one_h1_per_city(tmp_path: Path) -> None:
    """Three cities behind the front matter (whose own shape another test checks): each
    city's heading once, on the page it starts on, and the generic rules throughout."""
    rows = [
        minimal_city("Alpha", "Chile", mayor="Ana Alba", staff_profiles=every("staff_profiles")),
        minimal_city("Beta", "Chile", innovation_helps=every("innovation_helps")),
        minimal_city("Gamma", "Peru", mayor="Gil Gómez"),
    ]
    survey = write_survey(tmp_path / "s.xlsx", rows)
    output = tmp_path / "booklet.pdf"
    result: BuildResult = make_booklet(BookletSettings(inputs=Inputs(survey=survey), output=output))
    assert result.exit_code() == 0, [str(p) for p in result.problems]
    starts = sorted(page for _record, page in result.starts)
    assert len(starts) == 3
    with pikepdf.open(output) as pdf:
        assert tree_problems(pdf) == []
        city_h1 = [page for kind, page in heading_pages(pdf) if kind == "/H1" and page >= starts[0]]
    assert city_h1 == starts


def stylesheets(layout: Layout) -> str:
    """The CSS of a snapshot on screen: the palette's colours, then the layout's sheets."""
    sheets = [p.read_text(encoding="utf-8") for p in layout.stylesheets]
    return "\n".join([screen_colours(layout), *sheets])


def sample_pairs() -> list[Pair]:
    """Every text colour on its background in the sample's snapshots (all 26 cities: every
    state of the outcomes grid, spotlights, lists), with the layout's stylesheets."""
    layout = load_layout()
    cascade = Cascade(stylesheets(layout))
    validation = validate(sample_survey())
    figures = survey_figures(validation.records)
    renderer = Renderer(layout)
    return [p for r in validation.records for p in cascade.pairs(renderer.html(r, figures))]


def test_every_text_contrasts_at_least_4_5_to_1() -> None:
    pairs = sample_pairs()
    low = sorted(
        {(p.where, p.colour, p.background, round(p.ratio, 2)) for p in pairs if p.ratio < AA}
    )
    assert low == [], "text under WCAG AA (4.5:1): " + "; ".join(map(str, low))
    seen = {(p.colour, p.background) for p in pairs}
    assert ("#ffffff", "#0f3b57") in seen  # the city on the band
    assert ("#6b7680", "#ffffff") in seen  # "not answered" (Kestrel Falls)
    assert any(p.where.endswith("::marker") for p in pairs)  # the ▶ and ✓
    assert any(p.where.startswith("@page") for p in pairs)  # the footer


def test_the_contrast_check_catches_a_pale_pair() -> None:
    """Not vacuous: the issue's 'not answered' grey (#8a959f, 3.05:1) fails it."""
    layout = load_layout()
    css = stylesheets(layout)
    cascade = Cascade(css + "\n.state-none.cell { color: #8a959f; }")
    validation = validate(sample_survey())
    kestrel = next(r for r in validation.records if r.city == "Kestrel Falls")
    html = Renderer(layout).html(kestrel, survey_figures(validation.records))
    low = [p for p in cascade.pairs(html) if p.ratio < AA]
    assert low and all(p.colour == "#8a959f" for p in low)
    assert round(low[0].ratio, 2) == 3.05
