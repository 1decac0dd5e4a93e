"""The first stage of a build: read and check every row, compare every city with all
respondents, choose the cities asked for, make each one's HTML and fingerprint, and find
which PDFs are already current. Nothing is written here but the run report of a build that
has nothing to render.

Everything is read, checked and aggregated before the first PDF is written; every data
row of the export ends rendered, skipped (with its reason) or counted as blank.

A fingerprint covers a city's content only (its HTML without a date). The date its PDF
carries is SOURCE_DATE_EPOCH when set, else the one the manifest keeps for it while its
content stays the same (else the survey's modification time: when the content changed), so
saving the survey again rebuilds nothing and an untouched city keeps its bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.batch import manifest
from snapshotpdf.batch.check import Printable
from snapshotpdf.batch.report import write_run_report
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings, creation_date, source_date
from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, Inputs, Location, Problem, Severity, SurveyFigures
from snapshotpdf.render.catalog import best_language, choose_language, untranslated_message
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import validate


@dataclass(frozen=True)
class Target:
    """A selected city, the PDF it goes to, the fingerprint of its content, and the date its
    PDF carries. Its HTML is made by the worker that renders it, when it takes the city, so
    the main process never holds the HTML of more than the city it fingerprints."""

    record: CityRecord
    path: Path
    fingerprint: str
    created: datetime


@dataclass
class Plan:
    """What the render stage needs: the cities to render (stale) among all selected."""

    layout: Layout
    figures: SurveyFigures
    targets: list[Target]  # every selected city
    stale: list[Target]  # those whose PDF must be made
    entries: dict[str, manifest.Entry]  # the previous manifest, updated for unchanged cities
    settled: int  # how many problems reading and selecting found: a re-run says them too
    removed: list[manifest.Entry]  # cities of the previous build no longer in the survey


def read(inputs: Inputs, result: BuildResult) -> list[CityRecord]:
    """Read and check the survey into result; the valid records, in file order."""
    survey = inputs.survey_path
    result.reporter.step(f"Step 1 - reading {survey}")
    checked = validate(survey, inputs.profile, inputs.sheet)
    result.reporter.step(
        f"Step 2 - {checked.data_rows - len(checked.blank_rows)} row(s) normalised"
        f" (profile {checked.profile.name})"
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
    selected = in_languages(layout, selected, settings.language, result)
    renderer = Renderer(layout)
    fixed = source_date()
    changed = fixed or creation_date(settings.inputs.survey_path)  # for content changed now
    context = manifest.build_context(
        layout.files(), f"{settings.paper}\0variant {settings.variant}\0author {settings.author}"
    )
    entries = previous_entries(settings, result)
    targets = []
    assert result.validation is not None
    printable = Printable(result.validation, layout.name, result.add)
    for record in selected:
        content = renderer.html(record, figures, settings.paper)  # undated: content only
        if not printable(record, content):  # a character no bundled font has: skipped
            result.skipped += 1
            continue
        path = settings.outdir / files.pdf_name(record.country, record.city)
        print_ = manifest.fingerprint(content, context)
        created = fixed or _kept_date(entries.get(path.name), print_) or changed
        targets.append(Target(record, path, print_, created))
    settled = len(result.problems)
    removed = mark_removed(entries, result.validation.records)  # less those skipped
    stale = keep_current(result, targets, entries, settings.force, BuildResult.add)
    return Plan(layout, figures, targets, stale, entries, settled, removed)


def previous_entries(settings: Settings, result: BuildResult) -> dict[str, manifest.Entry]:
    """The previous build's manifest entries (removed cities too), by file name; a
    manifest.json that is not one is ignored, with a warning."""
    return manifest.load(
        settings.outdir,
        removed=True,
        warn=lambda message: result.reporter.notice(Severity.WARNING, message),
    )


def _kept_date(old: manifest.Entry | None, print_: str) -> datetime | None:
    """The date the previous build gave a city whose content is still the same."""
    if old is None or old.fingerprint != print_ or not old.created:
        return None
    try:
        return datetime.fromisoformat(old.created)
    except ValueError:
        return None


def date_text(created: datetime) -> str:
    """A PDF's date as the manifest keeps it (and as the HTML carries it)."""
    return created.isoformat(timespec="seconds")


def mark_removed(
    entries: dict[str, manifest.Entry], records: list[CityRecord]
) -> list[manifest.Entry]:
    """Mark removed every entry whose city is no longer among the survey's valid records
    (selected or not); the entries newly removed, as they were (their PDFs go aside)."""
    present = {files.pdf_name(r.country, r.city) for r in records}
    gone = [e for name, e in entries.items() if name not in present and e.status != "removed"]
    for old in gone:
        entries[old.file] = manifest.Entry(old.city, old.country, old.file, "removed")
    return gone


def in_languages(
    layout: Layout,
    records: list[CityRecord],
    override: str | None,
    result: BuildResult,
    front: str | None = None,
) -> list[CityRecord]:
    """Each record with the language its snapshot is printed in (record.language: one of
    the layout's catalogs, chosen by render.catalog.choose_language from --lang, the city's
    language, the profile's), after saying once each language asked for that the layout
    has no catalog for, and each string a language used lacks (say_untranslated)."""
    if override and not best_language(override, layout.languages, ""):
        raise LayoutError(
            f"--lang {override}: the layout {layout.name!r} has no catalog for it",
            hint=f"languages: {', '.join(layout.languages)}; a catalog is added as"
            f" locales/{override}.toml (docs/languages.md)",
        )
    profile = result.validation.profile if result.validation else None
    default = profile.language if profile else None
    have = f"(it has {', '.join(layout.languages)})"
    chosen = []
    for record in records:
        language = choose_language(
            layout.languages,
            layout.default_language,
            override=override,
            own=record.language,
            profile=default,
        )
        asked = None if override else record.language
        if asked and not best_language(asked, layout.languages, ""):
            result.report(
                Severity.WARNING,
                record.source,
                f"{record.city}: the layout has no {asked!r} catalog {have}:"
                f" printed in {language!r}",
                record,
            )
        chosen.append(replace(record, language=language))
    if not override and default and records and not best_language(default, layout.languages, ""):
        result.report(
            Severity.WARNING,
            records[0].source,
            f"the profile's language {default!r} has no catalog in the layout {have}: a city"
            f" without a language of its own is printed in {layout.default_language!r}",
        )
    say_untranslated(layout, chosen, result, front)
    return chosen


def say_untranslated(
    layout: Layout, records: list[CityRecord], result: BuildResult, front: str | None = None
) -> None:
    """Once per language used (by the cities, and by a booklet's front matter): the strings
    its catalog lacks, printed in the default language instead. A warning, placed at the
    first city printed in that language: --strict makes the run fail."""
    users: dict[str, list[CityRecord]] = {}
    for record in records:
        users.setdefault(record.language or layout.default_language, []).append(record)
    if front and front not in users and records:
        users[front] = []
    for language, cities in sorted(users.items()):
        catalog = layout.catalog(language)
        if not catalog.missing:
            continue
        first = cities[0] if cities else records[0]
        if not cities:
            who = "the booklet's cover and contents are"
        elif len(cities) == 1:
            who = f"{first.city} is"
        else:
            who = f"{first.city} and {len(cities) - 1} other(s) are"
        message = f"{who} in {language}: {untranslated_message(catalog, layout.default_language)}"
        result.report(Severity.WARNING, first.source, message, first if cities else None)


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
        created = date_text(target.created)
        if force or not manifest.is_current(target.path.parent, old, target.fingerprint, created):
            stale.append(target)
            continue
        assert old is not None
        for message in old.warnings:  # still true of the file: say it again
            record = target.record
            say(result, Problem(Severity.WARNING, record.source, message, city=record.city))
        entries[target.path.name] = replace(old, status="unchanged")
        result.unchanged.append((target.record, target.path))
    return stale
