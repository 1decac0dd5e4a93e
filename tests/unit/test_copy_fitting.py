"""Copy-fitting, decided from how full each laid-out page is (render/fitting.py): the layouts
are fakes here, pages with the anchors WeasyPrint gives; the real ones are rendered in
tests/integration/test_fit.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from snapshotpdf.render.fitting import Attempt, FitStep, fit

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


def test_a_city_whose_sections_fit_when_they_flow_is_kept_so_without_a_word() -> None:
    layouts = Layouts({(True, 0): (1.0, 0.9)})
    fitted = fit(filled(1, 0.1, 0.9), 2, STEPS, layouts)
    assert layouts.asked == [(True, 0)]
    assert len(fitted.attempt.pages) == 2 and fitted.says() is None


def test_a_little_too_long_city_takes_the_first_step_that_fits() -> None:
    layouts = Layouts({(True, 0): (1, 1, 0.2), (False, 1): (1, 1, 0.1), (False, 2): (1, 0.9)})
    fitted = fit(filled(1, 1, 0.3), 2, STEPS, layouts)
    assert layouts.asked == [(True, 0), (False, 1), (False, 2)]
    assert fitted.steps == STEPS and not fitted.flowed
    assert fitted.says() == "set with tighter spacing and 9 pt type to fit its 2 pages"


def test_a_city_far_too_long_flows_without_trying_the_steps() -> None:
    layouts = Layouts({(True, 0): (1, 1, 1, 0.8)})
    fitted = fit(filled(1, 1, 1, 0.7), 2, STEPS, layouts)
    assert layouts.asked == [(True, 0)]
    assert fitted.says() == "flowed onto 4 pages"


def test_a_flowing_city_whose_last_page_is_mostly_empty_is_tightened_by_a_page() -> None:
    layouts = Layouts({(False, 1): (1, 1, 0.3), (False, 2): (1, 1, 0.2), (True, 0): (1, 1, 0.2)})
    layouts.fills[(True, 2)] = (1, 1)
    fitted = fit(filled(1, 1, 0.4), 2, STEPS, layouts)
    assert layouts.asked == [(True, 0), (False, 1), (False, 2), (True, 2)]
    assert len(fitted.attempt.pages) == 2 and fitted.flowed
    assert fitted.says() == "flowed onto 2 pages with tighter spacing and 9 pt type"


def test_a_sparse_city_flows_onto_fewer_pages_and_says_nothing_here() -> None:
    layouts = Layouts({(True, 0): (0.8,)})
    fitted = fit(filled(0.5, 0.3), 2, STEPS, layouts)
    assert len(fitted.attempt.pages) == 1 and fitted.sparse and fitted.says() is None
