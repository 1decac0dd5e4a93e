"""Copy-fitting, decided from how full each laid-out page is (render/fitting.py): the layouts
are fakes here, pages with the anchors WeasyPrint gives; the real ones are rendered in
tests/integration/test_fit.py; what the run says of each outcome is checked here too."""

from __future__ import annotations

from dataclasses import dataclass, field

from snapshotpdf.batch.build import check_fit
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.models import CityRecord, Location
from snapshotpdf.render.fitting import Attempt, FitStep, fit
from snapshotpdf.render.layout import load_layout

STEPS = (
    FitStep("fit-tight", "tighter spacing"),
    FitStep("fit-small", "tighter spacing and 9 pt type"),
)


@dataclass
class Page:
    anchors: dict[str, tuple[float, float, float, float]]


@dataclass
class Document:
    pages: list[Page]


def filled(*shares: float) -> Attempt:
    """A layout whose pages are filled to these shares."""
    pages = [
        Page({"page-area": (0, 0, 100, 100), "sheet-1": (0, 0, 100, 100 * share)})
        for share in shares
    ]
    return Attempt("html", Document(pages))


@dataclass
class Layouts:
    """lay_out(flow, steps): the fills each (flow, number of steps) gives; what was asked."""

    fills: dict[tuple[bool, int], tuple[float, ...]]
    asked: list[tuple[bool, int]] = field(default_factory=list)

    def __call__(self, flow: bool, steps: tuple[FitStep, ...]) -> Attempt:
        self.asked.append((flow, len(steps)))
        return filled(*self.fills[(flow, len(steps))])


def test_a_city_that_fits_is_laid_out_once() -> None:
    layouts = Layouts({})
    fitted = fit(filled(1.0, 0.8), 2, STEPS, layouts)
    assert layouts.asked == [] and fitted.says() is None


def test_a_little_too_long_city_takes_the_first_step_that_fits_without_flowing() -> None:
    layouts = Layouts({(False, 1): (1, 1, 0.1), (False, 2): (1, 0.9)})
    fitted = fit(filled(1, 1, 0.3), 2, STEPS, layouts)
    assert layouts.asked == [(False, 1), (False, 2)]  # every section stays on its page
    assert fitted.steps == STEPS and not fitted.flowed
    assert fitted.says() == "set with tighter spacing and 9 pt type to fit its 2 pages"


def test_sections_flow_within_the_pages_only_when_no_step_fits() -> None:
    layouts = Layouts({(False, 1): (1, 1, 0.3), (False, 2): (1, 1, 0.2), (True, 0): (1, 0.9)})
    fitted = fit(filled(1, 0.1, 0.9), 2, STEPS, layouts)
    assert layouts.asked == [(False, 1), (False, 2), (True, 0)]
    assert len(fitted.attempt.pages) == 2 and fitted.flowed and not fitted.steps
    assert fitted.says() == "flowed onto 2 pages"


def test_a_city_far_too_long_flows_without_trying_the_steps() -> None:
    layouts = Layouts({(True, 0): (1, 1, 1, 0.8)})
    fitted = fit(filled(1, 1, 1, 0.7), 2, STEPS, layouts)
    assert layouts.asked == [(True, 0)]
    assert fitted.says() == "flowed onto 4 pages"


def test_a_flowing_city_whose_last_page_is_mostly_empty_is_tightened_by_a_page() -> None:
    layouts = Layouts({(False, 1): (1, 1, 0.3), (False, 2): (1, 1, 0.2), (True, 0): (1, 1, 0.2)})
    layouts.fills[(True, 2)] = (1, 1)
    fitted = fit(filled(1, 1, 0.4), 2, STEPS, layouts)
    assert layouts.asked == [(False, 1), (False, 2), (True, 0), (True, 2)]
    assert len(fitted.attempt.pages) == 2 and fitted.flowed
    assert fitted.says() == "flowed onto 2 pages with tighter spacing and 9 pt type"


def test_a_sparse_city_flows_onto_fewer_pages_and_says_nothing_here() -> None:
    layouts = Layouts({(True, 0): (0.8,)})
    fitted = fit(filled(0.5, 0.3), 2, STEPS, layouts)
    assert len(fitted.attempt.pages) == 1 and fitted.sparse and fitted.says() is None


# What the run says of each outcome (batch/build.py check_fit), from the sections each page
# shows: the bundled layout puts overview ... partnerships on page 1, the rest on page 2.
PAGE_1 = frozenset({"overview", "structure", "spotlight", "vision", "approach", "partnerships"})
PAGE_2 = frozenset({"funding", "helps", "success", "data", "outcomes"})
CITY = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")


def said(pages: tuple[frozenset[str], ...], fitted: str | None) -> list[str]:
    result = BuildResult()
    check_fit(load_layout(), CITY, pages, result, fitted)
    return [p.message for p in result.warnings]


def test_the_run_says_how_each_city_was_fitted() -> None:
    shorten = "shorten its answers or lists"  # none of its answers is long
    assert said((PAGE_1, PAGE_2), None) == []
    tight = "set with tighter spacing to fit its 2 pages"
    assert said((PAGE_1, PAGE_2), tight) == [
        f"Lima is too long for 2 pages as designed: {tight}; {shorten}, to print it as designed"
    ]
    # Flowing within its pages moves sections, and the run names them: never "does not fit
    # in 2 pages and takes 2".
    flowed = (PAGE_1 - {"approach", "partnerships"}, PAGE_2 | {"approach", "partnerships"})
    assert said(flowed, "flowed onto 2 pages") == [
        "Lima is too long for 2 pages as designed: approach, partnerships moved to page 2,"
        f" flowed onto 2 pages; {shorten}, to print it as designed"
    ]
    third = (PAGE_1 - {"partnerships"}, (PAGE_2 | {"partnerships"}) - {"outcomes"}, {"outcomes"})
    assert said(third, "flowed onto 3 pages") == [
        "Lima does not fit in 2 pages and takes 3 (partnerships moved to page 2; outcomes"
        f" moved to page 3, flowed onto 3 pages); {shorten}, to keep it to 2"
    ]


def test_the_advice_names_the_long_answers_not_always_the_spotlight() -> None:
    from dataclasses import replace

    from snapshotpdf.batch.fit import what_to_shorten

    assert what_to_shorten(CITY) == "shorten its answers or lists"
    wordy = replace(CITY, spotlight="Short.", website="https://x.example/" + "a" * 250)
    assert what_to_shorten(wordy) == "shorten the longest answer, the website (268 characters)"
    both = replace(wordy, org_structure="word " * 100)
    assert what_to_shorten(both) == (
        "shorten the longest answers, the organisational structure (500 characters)"
        " and the website (268 characters)"
    )


def test_a_city_that_answered_nothing_is_said_so_not_as_zero_sections_flowing() -> None:
    (message,) = said((frozenset(),), None)
    assert message.startswith("Lima answered nothing the snapshot shows (none of its 11")
    assert "0 sections" not in message
