"""The first stage of a build: read and check every row, compare every city with all
respondents, choose the cities asked for, make each one's HTML and fingerprint, and find
which PDFs are already current. Nothing is written here but the run report of a build that
has nothing to render.

Everything is read, checked and aggregated before the first PDF is written; every data
row of the export ends rendered, skipped (with its reason) or counted as blank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.batch import manifest
from snapshotpdf.batch.report import write_run_report
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings, creation_date
from snapshotpdf.models import CityRecord, Inputs, Location, Problem, Severity, SurveyFigures
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate


@dataclass(frozen=True)
class Target:
    """A selected city, the PDF it goes to, its HTML and that HTML's fingerprint."""

    record: CityRecord
    path: Path
    html: str
    fingerprint: str


@dataclass
class Plan:
    """What the render stage needs: the cities to render (stale) among all selected."""

    layout: Layout
    figures: SurveyFigures
    created: datetime
    targets: list[Target]  # every selected city
    stale: list[Target]  # those whose PDF must be made
    entries: dict[str, manifest.Entry]  # the previous manifest, updated for unchanged cities
    settled: int  # how many problems reading and selecting found: a re-run says them too


def read(inputs: Inputs, result: BuildResult) -> list[CityRecord]:
    """Read and check the survey into result; the valid records, in file order."""
    survey = inputs.survey_path
    result.reporter.step(f"Step 1 - reading {survey}")
    checked = validate(survey, inputs.profile, inputs.sheet)
    result.reporter.step(
        f"Step 2 - {len(checked.table.rows)} row(s) normalised (profile {checked.profile.name})"
    )
    result.validation = checked
    result.data_rows = checked.data_rows
    result.blank_rows = len(checked.blank_rows)
    result.skipped = len(checked.skipped)
    for problem in checked.problems:
        result.add(problem)
    return checked.records


def plan(settings: Settings, result: BuildResult) -> Plan | None:
    """Everything up to rendering; None when there is nothing to render (the run report
    is then final and written)."""
    result.settings = settings
    records = read(settings.inputs, result)
    figures = survey_figures(records)
    result.reporter.step(f"Step 3 - {figures.respondents} valid respondents compared")
    selected = select(records, settings.cities, result)
    result.not_selected = len(records) - len(selected)
    if not selected:
        write_run_report(result)
        return None
    layout = load_layout(settings.inputs.layout)
    _say_untranslated(layout, selected, result)
    renderer = Renderer(layout)
    created = creation_date(settings.inputs.survey_path)
    context = manifest.build_context(
        layout.files(), f"{settings.paper}\0variant {settings.variant}\0author {settings.author}"
    )
    targets = []
    for record in selected:
        html = renderer.html(record, figures, settings.paper, created=created)
        path = settings.outdir / files.pdf_name(record.country, record.city)
        targets.append(Target(record, path, html, manifest.fingerprint(html, context)))
    settled = len(result.problems)
    entries = dict(manifest.load(settings.outdir))
    stale = keep_current(result, targets, entries, settings.force, BuildResult.add)
    return Plan(layout, figures, created, targets, stale, entries, settled)


def _say_untranslated(layout: Layout, records: list[CityRecord], result: BuildResult) -> None:
    """A city whose language the layout has no translation for is printed in the layout's
    default language, with a warning."""
    for record in records:
        language = record.language
        if (
            language
            and layout.language_for(language) == layout.default_language
            and language.split("-")[0] != layout.default_language
        ):
            result.report(
                Severity.WARNING,
                record.source,
                f"{record.city}: the layout has no {record.language!r} translation"
                f" (it has {', '.join(layout.languages)}): printed in"
                f" {layout.default_language!r}",
                record,
            )


def select(
    records: list[CityRecord], wanted: tuple[str, ...], result: BuildResult
) -> list[CityRecord]:
    """The cities asked for with --city (all when none is); each name that matches no valid
    row is an error, with the closest names."""
    if not wanted:
        return records
    chosen, unknown = files.choose(records, wanted, _names)
    cities = [r.city for r in records]
    for name in unknown:
        result.report(
            Severity.ERROR,
            Location("--city", None, 0),
            f"no valid row has the city {name!r}; {files.unknown_city_hint(name, cities)}",
        )
    return chosen


def _names(record: CityRecord) -> tuple[str, str]:
    return record.city, files.slug(record.country, record.city)


def keep_current(
    result: BuildResult,
    targets: list[Target],
    entries: dict[str, manifest.Entry],
    force: bool,
    say: Callable[[BuildResult, Problem], None],
) -> list[Target]:
    """Mark the cities whose PDF is current as unchanged (saying their warnings again, with
    say) and return those that must be rendered. entries: the previous manifest, updated."""
    stale = []
    for target in targets:
        old = entries.get(target.path.name)
        if force or not manifest.is_current(target.path.parent, old, target.fingerprint):
            stale.append(target)
            continue
        assert old is not None
        for message in old.warnings:  # still true of the file: say it again
            record = target.record
            say(result, Problem(Severity.WARNING, record.source, message, city=record.city))
        entries[target.path.name] = replace(old, status="unchanged")
        result.unchanged.append((target.record, target.path))
    return stale
