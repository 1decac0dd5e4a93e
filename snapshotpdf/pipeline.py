"""The build, top to bottom: read -> normalise -> aggregate -> render -> write.

Everything is read, checked and aggregated before the first PDF is written; every data
row of the export ends rendered, skipped (with its reason) or counted as blank.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from snapshotpdf import manifest, rerun, write
from snapshotpdf.aggregate import survey_figures
from snapshotpdf.assets import sample_survey
from snapshotpdf.batch import Job, ProgressCallback, Renderers, fast_subsetter_available
from snapshotpdf.layout import Layout, load_layout
from snapshotpdf.models import CityRecord, Location, Problem, Severity
from snapshotpdf.render import Renderer
from snapshotpdf.report import run_report_text, write_run_report
from snapshotpdf.settings import Settings, creation_date
from snapshotpdf.validate import Validation, validate
from snapshotpdf.write import pdf_name, slug

PROGRESS = logging.getLogger("snapshotpdf.progress")
PROBLEMS = logging.getLogger("snapshotpdf.problems")


@dataclass
class BuildResult:
    data_rows: int = 0
    blank_rows: int = 0
    written: list[tuple[CityRecord, Path]] = field(default_factory=list)
    unchanged: list[tuple[CityRecord, Path]] = field(default_factory=list)
    not_selected: int = 0
    skipped: int = 0  # rows with an error: not rendered
    failed: list[tuple[CityRecord, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # For the run report (report.json): what was asked, and what the export held.
    settings: Settings | None = None
    validation: Validation | None = None

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def exit_code(self, strict: bool = False) -> int:
        if self.skipped or self.failed or any(p.severity is Severity.ERROR for p in self.problems):
            return 1
        return 1 if strict and self.warnings else 0

    def summary(self) -> str:
        parts = [f"{len(self.written)} PDF(s) written"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged")
        if self.not_selected:
            parts.append(f"{self.not_selected} not selected")
        if self.skipped:
            parts.append(f"{self.skipped} row(s) skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.blank_rows:
            parts.append(f"{self.blank_rows} blank row(s)")
        parts.append(f"{len(self.warnings)} warning(s)")
        return f"{self.data_rows} data row(s): " + ", ".join(parts)


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildResult:
    """Read, check and compare every row, then render what changed. progress, when given,
    is called after each city with (done, total, city). A finished build records what a
    re-run from the same inputs would do, so that one can be replayed (snapshotpdf.rerun)."""
    with Renderers(settings.layout, settings.jobs) as renderers:  # warming up from now on
        return _build(settings, renderers, progress)


def _build(
    settings: Settings, renderers: Renderers, progress: ProgressCallback | None
) -> BuildResult:
    inputs = rerun.inputs_digest(settings)  # before reading: what this build is made from
    result = BuildResult()
    records = read_and_normalise(settings, result)
    figures = survey_figures(records)
    PROGRESS.info("Step 3 - %d valid respondents compared", figures.respondents)
    selected = _select(records, settings.cities, result)
    result.not_selected = len(records) - len(selected)
    if not selected:
        return result

    layout = load_layout(settings.layout)
    renderer = Renderer(layout)
    created = creation_date(settings.survey or sample_survey())
    context = manifest.build_context(
        layout.files(), f"{settings.paper}\0variant {settings.variant}\0author {settings.author}"
    )
    targets = []
    for record in selected:
        html = renderer.html(record, figures, settings.paper, created=created)
        path = settings.outdir / pdf_name(record.country, record.city)
        targets.append(_Target(record, path, html, manifest.fingerprint(html, context)))
    settled = len(result.problems)  # what reading and selecting said: a re-run says it too
    entries = dict(manifest.load(settings.outdir))
    stale = _keep_current(result, targets, entries, settings.force, _report)
    jobs = [
        Job(
            index,
            target.record,
            figures,
            settings.paper,
            created,
            target.html,
            settings.variant,
            settings.author,
        )
        for index, target in enumerate(stale)
    ]

    write.clean_stale_temporaries(settings.outdir)
    if jobs:
        rerun.forget(settings.outdir)
        if not fast_subsetter_available():
            PROBLEMS.warning(
                "warning: HarfBuzz's subsetter (libharfbuzz-subset0) is not installed: every"
                " PDF takes several hundred milliseconds longer; install it (make setup does)"
            )
    PROGRESS.info(
        "Step 4 - rendering %d snapshot(s) into %s (%d unchanged, %s)",
        len(jobs),
        settings.outdir,
        len(result.unchanged),
        f"{settings.jobs} worker process(es)" if settings.jobs > 0 else "in this process",
    )
    saver = _ManifestSaver(settings.outdir, (settings.survey or sample_survey()).name)
    done = len(result.unchanged)
    for outcome in renderers.run(jobs):
        target = stale[outcome.index]
        record = target.record
        done += 1
        if outcome.error is not None:
            result.failed.append((record, outcome.error))
            add_problem(
                result, Severity.ERROR, record.source, f"rendering failed: {outcome.error}", record
            )
            entries[target.path.name] = manifest.Entry(
                record.city, record.country, target.path.name, "failed", warnings=[outcome.error]
            )
        else:
            rendered = outcome.pdf
            before = len(result.problems)
            for message in rendered.renderer_warnings:
                add_problem(result, Severity.WARNING, record.source, f"renderer: {message}", record)
            check_fit(layout, record, rendered.anchors_by_page, result)
            write.write_atomic(target.path, rendered.data)
            entries[target.path.name] = manifest.Entry(
                record.city,
                record.country,
                target.path.name,
                "built",
                sha256=hashlib.sha256(rendered.data).hexdigest(),
                pages=rendered.pages,
                fingerprint=target.fingerprint,
                warnings=[p.message for p in result.problems[before:]],
            )
            result.written.append((record, target.path))
            PROGRESS.debug(
                "%s, %s -> %s (%d pages)", record.city, record.country, target.path, rendered.pages
            )
        if progress:
            progress(done, len(selected), record.city)
        saver.maybe_save(entries)
    saver.save(entries, _skipped_entries(result))
    write_run_report(result)
    rerun.record(settings, inputs, _as_rerun(result, settled, targets))
    return result


@dataclass(frozen=True)
class _Target:
    """A selected city, the PDF it goes to, its HTML and that HTML's fingerprint."""

    record: CityRecord
    path: Path
    html: str
    fingerprint: str


def _keep_current(
    result: BuildResult,
    targets: list[_Target],
    entries: dict[str, manifest.Entry],
    force: bool,
    say: Callable[[BuildResult, Problem], None],
) -> list[_Target]:
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


def _as_rerun(result: BuildResult, settled: int, targets: list[_Target]) -> rerun.Outcome | None:
    """What a build from the same inputs would say and write next time, worked out with the
    same code from the manifest just saved; None when it would render anything again."""
    assert result.settings is not None
    again = replace(result, written=[], unchanged=[], failed=[], problems=result.problems[:settled])
    entries = dict(manifest.load(result.settings.outdir))
    if _keep_current(again, targets, entries, False, _collect):
        return None
    listed = [*entries.values(), *_skipped_entries(again)]
    return rerun.Outcome(
        problems=[(p.severity.value, str(p)) for p in again.problems],
        summary=again.summary(),
        exit_code=again.exit_code(result.settings.strict),
        manifest=manifest.text(listed, (result.settings.survey or sample_survey()).name),
        report=run_report_text(again),
        pdfs={e.file: e.sha256 for e in entries.values() if e.sha256},
    )


class _ManifestSaver:
    """Saves the manifest now and then during a batch (so a killed build loses little
    work) and once at the end."""

    INTERVAL = 2.0  # seconds

    def __init__(self, outdir: Path, survey: str) -> None:
        self.outdir = outdir
        self.survey = survey
        self.last = time.monotonic()

    def maybe_save(self, entries: dict[str, manifest.Entry]) -> None:
        if time.monotonic() - self.last >= self.INTERVAL:
            self.save(entries)

    def save(
        self, entries: dict[str, manifest.Entry], skipped: list[manifest.Entry] | None = None
    ) -> None:
        manifest.save(self.outdir, [*entries.values(), *(skipped or [])], self.survey)
        self.last = time.monotonic()


def _skipped_entries(result: BuildResult) -> list[manifest.Entry]:
    """The rows this build skipped for an error, so the manifest lists every respondent."""
    if result.validation is None:
        return []
    names = {p.location.row: p.city for p in result.problems if p.city}
    return [
        manifest.Entry(names.get(row) or "", "", "", "skipped", warnings=[reason], row=row)
        for row, reason in sorted(result.validation.skipped.items())
    ]


def read_and_normalise(settings: Settings, result: BuildResult) -> list[CityRecord]:
    survey = settings.survey or sample_survey()
    PROGRESS.info("Step 1 - reading %s", survey)
    checked = validate(survey, settings.profile, settings.sheet)
    PROGRESS.info(
        "Step 2 - %d row(s) normalised (profile %s)", len(checked.table.rows), checked.profile.name
    )
    result.settings = settings
    result.validation = checked
    result.data_rows = checked.data_rows
    result.blank_rows = len(checked.blank_rows)
    result.skipped = len(checked.skipped)
    for problem in checked.problems:
        _report(result, problem)
    return checked.records


def _select(
    records: list[CityRecord], wanted: tuple[str, ...], result: BuildResult
) -> list[CityRecord]:
    if not wanted:
        if not records:  # build() stops here: nothing to render, the run report is final
            write_run_report(result)
        return records
    wanted_keys = {w.casefold(): w for w in wanted}
    chosen = [
        r
        for r in records
        if r.city.casefold() in wanted_keys or slug(r.country, r.city) in wanted_keys
    ]
    found = {r.city.casefold() for r in chosen} | {slug(r.country, r.city) for r in chosen}
    for key, name in wanted_keys.items():
        if key not in found:
            names = ", ".join(r.city for r in records[:12]) + (" …" if len(records) > 12 else "")
            add_problem(
                result,
                Severity.ERROR,
                Location("--city", None, 0),
                f"no valid row has the city {name!r}; cities: {names}",
            )
    if not chosen:  # build() stops here: nothing to render, the run report is final
        write_run_report(result)
    return chosen


def check_fit(
    layout: Layout,
    record: CityRecord,
    anchors_by_page: tuple[frozenset[str], ...],
    result: BuildResult,
) -> None:
    """Say which city and which sections had to flow past the page they belong on."""
    moved: dict[int, list[str]] = {}
    for section, home in layout.sections.items():
        pages = [i for i, anchors in enumerate(anchors_by_page, 1) if section in anchors]
        if pages and pages[0] > home:
            moved.setdefault(pages[0], []).append(section)
    if moved or len(anchors_by_page) > layout.pages:
        where = "; ".join(
            f"{', '.join(names)} moved to page {page}" for page, names in sorted(moved.items())
        )
        add_problem(
            result,
            Severity.WARNING,
            record.source,
            f"{record.city} does not fit in {layout.pages} pages and takes "
            f"{len(anchors_by_page)} ({where or 'the last section runs on'}); shorten "
            f"the longest answers, the spotlight first, to keep it to {layout.pages}",
            record,
        )


def add_problem(
    result: BuildResult,
    severity: Severity,
    location: Location,
    message: str,
    record: CityRecord | None = None,
) -> None:
    _report(result, Problem(severity, location, message, city=record.city if record else None))


def _collect(result: BuildResult, problem: Problem) -> None:
    result.problems.append(problem)


def _report(result: BuildResult, problem: Problem) -> None:
    _collect(result, problem)
    PROBLEMS.log(
        logging.ERROR if problem.severity is Severity.ERROR else logging.WARNING, "%s", problem
    )
