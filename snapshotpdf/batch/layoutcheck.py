"""`snapshotpdf layout check`: a layout tried on every city of a survey (the bundled sample
by default), each rendered as `build` renders it, and every mistake the layout shows said,
with its city and its place. What is rendered is the check copy of each city's HTML
(render/overflow.py): the same document, which lays out the same, with the ids the box
check measures by.

- template: a template that does not compile, or fails for a city (a name it uses that is
  not there), with its file and line (render/diagnose.py, as the preview says it). One
  that does not compile stops the check at once: it would fail the same way for every city;
- renderer: what WeasyPrint warns of, each stylesheet's once as it is read (with its file)
  and each page's per city (a warning said already is counted, not repeated), and a city
  it fails to render;
- glyph: a character no bundled font has, at its cell, or in the layout's wording
  (batch/check.py's Printable, as `build` finds them);
- box: a box running out of the page area (render/overflow.py);
- overflow: a section on a later page than its own (layout.toml [sections]; batch/fit.py);
- pages: more pages than the layout's `pages`, after the content is flowed as `build` does;
- language: a language a city asks for that the layout has no catalog of, and the strings
  a catalog in use lacks (plan.in_languages, as `build` says them).

Every finding is told to the reporter as it is found (reporter.notice: the city, the kind,
the place) and kept in the result; any finding makes the exit code 1. A layout that cannot
be loaded at all, a survey that cannot be read, an unknown --city or --lang is a
SnapshotError (exit code 2). The survey's own problems are `snapshotpdf check`'s to say:
here, a row with an error is left out and counted in the summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from snapshotpdf import files
from snapshotpdf.assets import folder_of
from snapshotpdf.batch import fit, plan
from snapshotpdf.batch.check import Printable
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings, creation_date
from snapshotpdf.batch.workers import CityRenderer
from snapshotpdf.budget import TooLong, render_budget
from snapshotpdf.errors import LayoutError, SnapshotError
from snapshotpdf.models import CityRecord, Problem, Severity, SurveyFigures
from snapshotpdf.render.diagnose import diagnose
from snapshotpdf.render.fitting import Refit
from snapshotpdf.render.layout import Layout
from snapshotpdf.render.overflow import CheckCopier
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.figures import survey_figures

if TYPE_CHECKING:
    from snapshotpdf.render.pdf import PdfMaker

T = TypeVar("T")

# How WeasyPrint warns of a character no font has: for a city whose glyph findings name
# them already, not said again.
NOTDEF = ".notdef glyph rendered"
# Each kind of finding, in the order the summary counts them: (one, several).
KINDS: dict[str, tuple[str, str]] = {
    "template": ("template error", "template errors"),
    "renderer": ("renderer warning", "renderer warnings"),
    "glyph": ("missing glyph", "missing glyphs"),
    "box": ("overflowing box", "overflowing boxes"),
    "overflow": ("section past its page", "sections past their page"),
    "pages": ("city over the page count", "cities over the page count"),
    "language": ("language warning", "language warnings"),
}


@dataclass(frozen=True)
class Finding:
    """One mistake the layout shows: its kind (KINDS), what and where, and the city it
    was found for ("Lima, Peru"; None: the layout's whichever the city)."""

    kind: str
    message: str
    city: str | None = None
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        return f"{self.city + ': ' if self.city else ''}{self.kind}: {self.message}"


@dataclass
class LayoutCheck:
    """What the check found (an Outcome: summary and exit code for the command line)."""

    layout: str
    reporter: Reporter = field(default_factory=Reporter, repr=False)
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the glyphs', at their cells
    selected: int = 0  # cities to check
    checked: int = 0  # cities rendered (or found failing)
    rows_left_out: int = 0  # survey rows with an error: not checked
    repeated: int = 0  # renderer warnings said already (for this city or an earlier one)
    stopped: bool = False  # at a template that does not compile

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
        self.reporter.notice(finding.severity, str(finding))

    def exit_code(self, strict: bool = False) -> int:
        return 1 if self.findings else 0

    def summary(self) -> str:
        counts = Counter(finding.kind for finding in self.findings)
        found = [
            f"{counts[kind]} {one if counts[kind] == 1 else many}"
            for kind, (one, many) in KINDS.items()
            if counts[kind]
        ]
        text = f"layout {self.layout!r}: {self.checked} of {_cities(self.selected)} checked"
        if self.stopped:
            text += " (stopped: the template does not compile)"
        text += ": " + (", ".join(found) if found else "nothing found")
        if self.repeated:
            text += f" ({self.repeated} repeated renderer warning(s) not shown)"
        if self.rows_left_out:
            text += (
                f"; {self.rows_left_out} row(s) of the survey not checked: they have errors"
                " (snapshotpdf check lists them)"
            )
        return text


def check_layout(settings: Settings, reporter: Reporter | None = None) -> LayoutCheck:
    """Render every city of settings.inputs.survey chosen by settings.cities (all when
    none is) with settings.inputs.layout, in settings.paper, variant and language, and
    report what the layout gets wrong (see the module's docstring)."""
    reporter = reporter or Reporter()
    renderer = _renderer(settings.inputs.layout)
    layout = renderer.layout
    check = LayoutCheck(layout.name, reporter)
    result, records = _survey(settings, layout, check)
    figures = survey_figures(records)
    chosen = _chosen(records, settings.cities)
    check.selected = len(chosen)
    reporter.step(
        f"Checking layout {layout.name!r} with {_cities(len(chosen))} of"
        f" {settings.inputs.survey_path.name} ({settings.paper}, {settings.variant})"
    )
    maker = _loading(layout.name, layout.folders, lambda: renderer.maker(settings.variant))
    for sheet, message in maker.stylesheet_warnings:
        check.add(Finding("renderer", f"{sheet}: {message}"))
    try:  # a template that does not compile fails every city alike: said once, no city
        renderer.html.environment.get_template(layout.template)
    except Exception as exc:
        fault = diagnose(exc, layout.folders)
        if fault.compiles:  # not the template's syntax: the layout cannot be used at all
            raise LayoutError(f"layout {layout.name!r}: {fault.short()}") from None
        check.add(Finding("template", fault.short(), severity=Severity.ERROR))
        check.stopped = True
        return check
    trial = _Trial(settings, renderer, maker, figures, result, check)
    for done, record in enumerate(chosen, start=1):
        label = f"{record.city}, {record.country}"
        go_on = trial(record, label)
        check.checked += 1
        reporter.progress(done, len(chosen), label)
        if not go_on:
            check.stopped = True
            break
    return check


def _renderer(name: str) -> CityRenderer:
    """The layout and its template environment, loaded as `build` loads them."""
    return _loading(name, folder_of(name), lambda: CityRenderer(name))


def _loading(name: str, folders: Path | tuple[Path, ...], load: Callable[[], T]) -> T:
    """What load() gives; what stops it is a LayoutError (exit code 2), said with the
    file and line when it has them."""
    try:
        return load()
    except SnapshotError:
        raise
    except Exception as exc:
        fault = diagnose(exc, folders)
        raise LayoutError(f"layout {name!r} cannot be loaded: {fault.short()}") from None


def _survey(
    settings: Settings, layout: Layout, check: LayoutCheck
) -> tuple[BuildResult, list[CityRecord]]:
    """The survey's valid records, each in the language it is printed in, and what the
    layout's catalogs lack for them (language findings). The survey's own problems are
    not said (a Reporter that shows nothing): its rows with errors are counted."""
    result = BuildResult()
    records = plan.read(settings.inputs, result)
    check.rows_left_out = result.skipped
    said = len(result.problems)
    records = plan.in_languages(layout, records, settings.language, result)
    for problem in result.problems[said:]:
        check.add(Finding("language", problem.message, severity=problem.severity))
    return result, records


def _chosen(records: list[CityRecord], wanted: tuple[str, ...]) -> list[CityRecord]:
    """The cities asked for with --city (by name or file stem), every one when none is;
    a name no valid row has is a SnapshotError with the closest names, and so is a
    survey with no valid city at all."""
    if not records:
        raise SnapshotError(
            "the survey has no valid city to check the layout with",
            hint="snapshotpdf check SURVEY lists the problems of its rows",
        )
    if not wanted:
        return records
    chosen, unknown = files.choose(
        records, wanted, lambda r: (r.city, files.slug(r.country, r.city))
    )
    if unknown:
        raise SnapshotError(
            f"no valid row has the city {unknown[0]!r}",
            hint=files.unknown_city_hint(unknown[0], [r.city for r in records]),
        )
    return chosen


class _Trial:
    """One city at a time: its HTML (both as laid out on its pages and flowing, so a
    mistake in either is found), its characters, its PDF as `build` makes it, and what
    each says of the layout."""

    def __init__(
        self,
        settings: Settings,
        renderer: CityRenderer,
        maker: PdfMaker,
        figures: SurveyFigures,
        result: BuildResult,
        check: LayoutCheck,
    ) -> None:
        self.settings = settings
        self.layout = renderer.layout
        self.html = renderer.html
        self.maker = maker
        self.figures = figures
        self.check = check
        self.created = creation_date(settings.inputs.survey_path)  # as build dates a PDF
        assert result.validation is not None
        self.glyphs: list[Problem] = []
        self.printable = Printable(result.validation, self.layout.name, self.glyphs.append)
        self.warned: set[str] = set()  # renderer warnings said already
        self.copy = CheckCopier.for_layout(self.layout, settings.variant)

    def __call__(self, record: CityRecord, label: str) -> bool:
        """Check one city; False when the check cannot go on (a template that does not
        compile, or that took longer than limits.MAX_RENDER_SECONDS: the next city would
        too)."""
        try:
            with render_budget(f"{record.city}'s snapshot"):
                return self._check(record, label)
        except TooLong as exc:
            self.check.add(Finding("template", str(exc), label, Severity.ERROR))
            return False

    def _check(self, record: CityRecord, label: str) -> bool:
        check, layout = self.check, self.layout
        paper = self.settings.paper
        try:
            html = self.html.html(record, self.figures, paper, created=self.created)
            # the flowing HTML too: an error only its branch of the template hits
            self.html.html(record, self.figures, paper, flow=True, created=self.created)
        except Exception as exc:
            fault = diagnose(exc, layout.folders)
            check.add(Finding("template", fault.short(), label, Severity.ERROR))
            return fault.compiles
        unprintable = self._glyphs(record, html, label)
        try:
            rendered = self.maker.render(
                self.copy(html),
                record,
                refit=self._copied(self.html.refit(record, self.figures, paper, self.created)),
                inspect_boxes=True,
                created=self.created,
            )
        except Exception as exc:
            fault = diagnose(exc, layout.folders)
            check.add(
                Finding("renderer", f"rendering failed: {fault.short()}", label, Severity.ERROR)
            )
            return True
        for message in rendered.renderer_warnings:
            if unprintable and message.startswith(NOTDEF):
                continue  # the characters the glyph findings named, said again
            if message in self.warned:
                check.repeated += 1
            else:
                self.warned.add(message)
                check.add(Finding("renderer", message, label))
        for overflow in rendered.overflows:
            check.add(Finding("box", str(overflow), label))
        for message in _moved(layout, rendered.anchors_by_page):
            check.add(Finding("overflow", message, label))
        if rendered.pages > layout.pages:
            check.add(
                Finding("pages", f"{rendered.pages} pages, the layout has {layout.pages}", label)
            )
        return True

    def _copied(self, refit: Refit) -> Refit:
        """The refit that lays the city out again from the check copy of its HTML."""
        copy, html = self.copy, refit.html
        return Refit(refit.pages, refit.steps, lambda flow, steps: copy(html(flow, steps)))

    def _glyphs(self, record: CityRecord, html: str, label: str) -> bool:
        """Each character of the city's page no bundled font has: at its cell, or once as
        the layout's own; True when it has any. Such a city is still rendered (build skips
        it): what else the layout gets wrong for it counts too."""
        said = len(self.glyphs)
        prints = self.printable(record, html)
        for problem in self.glyphs[said:]:
            found = f" (found {problem.value!r})" if problem.value is not None else ""
            message = f"{problem.location}: {problem.message}{found}"
            self.check.add(Finding("glyph", message, label, problem.severity))
            self.check.problems.append(problem)
        return not prints


def _moved(layout: Layout, anchors_by_page: tuple[frozenset[str], ...]) -> list[str]:
    """The sections that ran past their own page (batch/fit.py), a message per page they
    ran onto and page they belong on."""
    messages = []
    for page, names in sorted(fit.moved(layout, anchors_by_page).items()):
        by_home: dict[int, list[str]] = {}
        for name in names:
            by_home.setdefault(layout.sections[name], []).append(name)
        for home, group in sorted(by_home.items()):
            if len(group) == 1:
                messages.append(f"section {group[0]} ran onto page {page} (its page: {home})")
            else:
                messages.append(
                    f"sections {', '.join(group)} ran onto page {page} (their page: {home})"
                )
    return messages


def _cities(count: int) -> str:
    return f"{count} cit{'y' if count == 1 else 'ies'}"
