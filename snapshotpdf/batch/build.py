"""The build, in three stages: plan (plan.py: read, check, compare, choose what is stale)
-> render (workers.py: HTML to PDF, in warm worker processes) -> record (here: each PDF
written atomically, the manifest, the run report, and what a re-run may replay).

A build holds its output folder's lock throughout (files.output_lock): a second build into
the same folder stops at once with an error. It writes only its own files: it removes only
the temporaries it names, and moves the PDF of a city no longer in the survey into
OUTDIR/removed/ (its manifest entry says `removed`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.batch import fit, manifest, rerun
from snapshotpdf.batch.plan import (
    Plan,
    Target,
    date_text,
    keep_current,
    mark_removed,
    plan,
    previous_entries,
)
from snapshotpdf.batch.report import REPORT, run_report_text, write_run_report
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.batch.workers import Job, JobResult, Renderers, fast_subsetter_available
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import CityRecord, Problem, Severity
from snapshotpdf.render.layout import Layout
from snapshotpdf.reporter import Reporter


def build(settings: Settings, reporter: Reporter | None = None) -> BuildResult:
    """Read, check and compare every row, then render what changed, telling reporter of
    problems, steps and progress. A finished build records what a re-run from the same
    inputs would do, so that one can be replayed (rerun.py)."""
    result = BuildResult(reporter or Reporter())
    with files.output_lock(settings.outdir):
        try:
            _build(settings, result)
        except OSError as exc:  # what files.py did not name already: still no traceback
            raise _os_error(exc, settings.outdir) from None
    return result


def _build(settings: Settings, result: BuildResult) -> None:
    renderers = Renderers(settings.inputs.layout, settings.jobs, settings.variant)
    with renderers:  # warming up from now
        inputs = rerun.inputs_digest(settings)  # before reading: what this build is made from
        planned = plan(settings, result)
        if planned is None:
            _remove_only(settings, result)
            return
        saver = _ManifestSaver(settings.outdir, settings.inputs.survey_path.name)
        _prepare(settings, planned, result)
        done = len(result.unchanged)
        for outcome in renderers.run(_jobs(settings, planned)):
            target = planned.stale[outcome.index]
            _record(outcome, target, planned, result)
            done += 1
            result.reporter.progress(done, len(planned.targets), target.record.city)
            saver.maybe_save(planned.entries)
        saver.save(planned.entries, _skipped_entries(result))
    write_run_report(result)
    rerun.record(settings, inputs, _as_rerun(result, planned))


def _os_error(exc: OSError, outdir: Path) -> SnapshotError:
    where = exc.filename if exc.filename is not None else outdir
    return SnapshotError(
        f"{where}: {exc.strerror or exc}",
        hint=f"check {outdir} and the disk it is on, or choose another output folder with -o",
    )


def _jobs(settings: Settings, planned: Plan) -> list[Job]:
    return [
        Job(
            index,
            target.record,
            planned.figures,
            settings.paper,
            target.created,
            settings.variant,
            settings.author,
        )
        for index, target in enumerate(planned.stale)
    ]


def _prepare(settings: Settings, planned: Plan, result: BuildResult) -> None:
    """Before the first PDF: clean what a killed build left, move aside the PDFs of cities
    no longer in the survey, and say what will happen."""
    ours = {manifest.MANIFEST, REPORT, rerun.STATE, *planned.entries}
    files.clean_stale_temporaries(settings.outdir, [*ours, *(t.path.name for t in planned.targets)])
    ahead = [settings.outdir / manifest.MANIFEST, settings.outdir / REPORT]
    for path in [*(t.path for t in planned.stale), *ahead]:  # before hours of rendering
        if path.is_dir():
            raise SnapshotError(
                f"{path} is a folder: the build cannot write its file there",
                hint="move that folder out of the way, or choose another output folder with -o",
            )
    if planned.stale or planned.removed:
        rerun.forget(settings.outdir)
    _move_removed(settings, planned.removed, result)
    if planned.stale and not fast_subsetter_available():
        result.reporter.notice(
            Severity.WARNING,
            "HarfBuzz's subsetter (libharfbuzz-subset0) is not installed: every PDF takes"
            " several hundred milliseconds longer; install it (make setup does)",
        )
    where = f"{settings.jobs} worker process(es)" if settings.jobs > 0 else "in this process"
    result.reporter.step(
        f"Step 4 - rendering {len(planned.stale)} snapshot(s) into {settings.outdir}"
        f" ({len(result.unchanged)} unchanged, {where})"
    )


def _move_removed(settings: Settings, removed: list[manifest.Entry], result: BuildResult) -> None:
    """The PDFs of cities no longer in the survey go into OUTDIR/removed/, out of mail's way."""
    aside = settings.outdir / manifest.REMOVED
    for entry in removed:
        moved = files.move_aside(settings.outdir / entry.file, aside) if entry.file else None
        where = f": {entry.file} moved to {moved}" if moved else ""
        result.reporter.step(f"{entry.city}, {entry.country} is no longer in the survey{where}")


def _remove_only(settings: Settings, result: BuildResult) -> None:
    """Nothing to render: the cities no longer in the survey are still marked removed."""
    if result.validation is None:
        return
    entries = previous_entries(settings, result)
    removed = mark_removed(entries, result.validation.records)
    if removed:
        rerun.forget(settings.outdir)
        _move_removed(settings, removed, result)
        manifest.save(
            settings.outdir,
            [*entries.values(), *_skipped_entries(result)],
            settings.inputs.survey_path.name,
        )


def _record(outcome: JobResult, target: Target, planned: Plan, result: BuildResult) -> None:
    """One city's outcome into the output folder, the manifest entries and the result."""
    record = target.record
    name = target.path.name
    if outcome.error is not None:
        result.failed.append((record, outcome.error))
        result.report(Severity.ERROR, record.source, f"rendering failed: {outcome.error}", record)
        planned.entries[name] = manifest.Entry(
            record.city, record.country, name, "failed", warnings=[outcome.error]
        )
        return
    rendered = outcome.pdf
    before = len(result.problems)
    for message in rendered.renderer_warnings:
        result.report(Severity.WARNING, record.source, f"renderer: {message}", record)
    check_fit(planned.layout, record, rendered.anchors_by_page, result)
    files.write_atomic(target.path, rendered.data)
    planned.entries[name] = manifest.Entry(
        record.city,
        record.country,
        name,
        "built",
        sha256=hashlib.sha256(rendered.data).hexdigest(),
        pages=rendered.pages,
        fingerprint=target.fingerprint,
        warnings=[p.message for p in result.problems[before:]],
        created=date_text(target.created),
    )
    result.written.append((record, target.path))
    result.reporter.detail(
        f"{record.city}, {record.country} -> {target.path} ({rendered.pages} pages)"
    )


def check_fit(
    layout: Layout,
    record: CityRecord,
    anchors_by_page: tuple[frozenset[str], ...],
    result: BuildResult,
) -> None:
    """Say which city and which sections had to flow past the page they belong on, and
    which city answered too little to fill its pages (batch/fit.py)."""
    moved: dict[int, list[str]] = {}
    for section, home in layout.sections.items():
        pages = [i for i, anchors in enumerate(anchors_by_page, 1) if section in anchors]
        if pages and pages[0] > home:
            moved.setdefault(pages[0], []).append(section)
    if moved or len(anchors_by_page) > layout.pages:
        where = "; ".join(
            f"{', '.join(names)} moved to page {page}" for page, names in sorted(moved.items())
        )
        result.report(
            Severity.WARNING,
            record.source,
            f"{record.city} does not fit in {layout.pages} pages and takes "
            f"{len(anchors_by_page)} ({where or 'the last section runs on'}); shorten "
            f"the longest answers, the spotlight first, to keep it to {layout.pages}",
            record,
        )
    if sparse := fit.sparse_warning(layout, record, anchors_by_page):
        result.report(Severity.WARNING, record.source, sparse, record)


def _collect(result: BuildResult, problem: Problem) -> None:
    result.problems.append(problem)


def _as_rerun(result: BuildResult, planned: Plan) -> rerun.Replay | None:
    """What a build from the same inputs would say and write next time, worked out with the
    same code from the manifest just saved; None when it would render anything again."""
    assert result.settings is not None
    again = replace(
        result,
        reporter=Reporter(),
        written=[],
        unchanged=[],
        failed=[],
        problems=result.problems[: planned.settled],
    )
    entries = manifest.load(result.settings.outdir, removed=True)
    if keep_current(again, planned.targets, entries, False, _collect):
        return None
    listed = [*entries.values(), *_skipped_entries(again)]
    return rerun.Replay(
        problems=[(p.severity.value, str(p)) for p in again.problems],
        summary=again.summary(),
        exit_code=again.exit_code(result.settings.strict),
        manifest=manifest.text(listed, result.settings.inputs.survey_path.name),
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
