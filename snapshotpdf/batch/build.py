"""The build, in three stages: plan (plan.py: read, check, compare, choose the cities)
-> render (workers.py: HTML to PDF, in warm worker processes) -> record (here: each PDF
written atomically, the manifest, the run report, and what a re-run may replay).

Where workers are forked (Linux), every build starts their fork server at once: it imports
WeasyPrint and warms the renderer up while the survey is read, and a worker forked from it
renders the first stale city as soon as it is found. Elsewhere a first build, or one with
--force, starts its first worker at once, to warm up while the survey is read, and a
rebuild (the folder has a manifest) starts none until it finds more cities to render than
workers.IN_PROCESS_CITIES: one edited city is rendered in this process, as soon as the
others are found current.

Gather, then stream: every row is read and checked and the survey-wide figures counted
before the first PDF is made (plan's first pass); then each selected city is fingerprinted
(plan's second pass) and, when stale, handed to the workers at once, a few cities ahead of
them, and recorded when its PDF comes back. Of each city only its file name and its
manifest entry stay in memory, so memory stays flat in the number of rows.

A build holds its output folder's lock throughout (files.output_lock): a second build into
the same folder stops at once with an error. It writes only its own files: it removes only
the temporaries it names, and moves the PDF of a city no longer in the survey into
OUTDIR/removed/ (its manifest entry says `removed`).
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.batch import fit, manifest, rerun
from snapshotpdf.batch.plan import (
    Plan,
    Target,
    keep_current,
    mark_removed,
    plan,
    present,
    previous_entries,
)
from snapshotpdf.batch.report import REPORT, run_report_pieces, write_run_report
from snapshotpdf.batch.result import BuildResult, Done
from snapshotpdf.batch.settings import Settings, outside_layout
from snapshotpdf.batch.workers import (
    IN_PROCESS_CITIES,
    Job,
    JobResult,
    Renderers,
    fast_subsetter_available,
    forked_workers,
)
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import CityRecord, Location, Problem, Severity, date_text
from snapshotpdf.render.brand import print_warning
from snapshotpdf.render.layout import Layout
from snapshotpdf.render.variants import get_variant
from snapshotpdf.reporter import Reporter


def build(settings: Settings, reporter: Reporter | None = None) -> BuildResult:
    """Read, check and compare every row, then render what changed, telling reporter of
    problems, steps and progress. A finished build records what a re-run from the same
    inputs would do, so that one can be replayed (rerun.py)."""
    result = BuildResult(reporter or Reporter())
    outside_layout(settings.outdir, settings.inputs.layout)  # before anything is written
    with files.output_lock(settings.outdir):
        try:
            _build(settings, result)
        except OSError as exc:  # what files.py did not name already: still no traceback
            raise _os_error(exc, settings.outdir) from None
    return result


def _build(settings: Settings, result: BuildResult) -> None:
    start = _renders_all(settings)
    renderers = Renderers(settings.inputs.layout, settings.jobs, settings.variant, start)
    with renderers:  # warming up from now, when a worker will be needed
        inputs = rerun.inputs_digest(settings)  # before reading: what this build is made from
        planned = plan(settings, result)
        if planned is None:
            _remove_only(settings, result)
            return
        with planned:
            saver = _ManifestSaver(settings.outdir, settings.inputs.survey_path.name)
            _prepare(settings, planned, result, start)
            batch = _Batch(settings, planned, result)
            for outcome in renderers.run(batch.jobs()):
                target = batch.waiting.pop(outcome.index)
                _record(outcome, target, planned, result)
                batch.done += 1
                result.reporter.progress(batch.done, planned.total, target.record.city)
                saver.maybe_save(planned.entries)
            saver.save(planned.entries, _skipped_entries(result))
            planned.save_memo()
    write_run_report(result)
    rerun.record(settings, inputs, _as_rerun(result, planned))


def _renders_all(settings: Settings) -> bool:
    """Whether the build is likely to render every city (its first, or --force): its first
    spawned worker then starts at once. Else it starts once more than IN_PROCESS_CITIES
    cities are found to render (workers.Renderers). Forked workers do not wait."""
    return settings.force or not (settings.outdir / manifest.MANIFEST).is_file()


class _Batch:
    """Plan's second pass turned into jobs: each selected city as it is found, kept as
    unchanged when its PDF is current, else a job for the workers (waiting: the cities
    handed out and not back yet, by job index)."""

    def __init__(self, settings: Settings, planned: Plan, result: BuildResult) -> None:
        self.settings = settings
        self.planned = planned
        self.result = result
        self.waiting: dict[int, Target] = {}
        self.done = 0  # cities rendered or found current
        self.jobs_made = 0
        self.changing = False  # whether the output folder has begun to change

    def jobs(self) -> Iterator[Job]:
        settings, planned, result = self.settings, self.planned, self.result
        for target in planned.targets(result, self._gone):
            if keep_current(result, target, planned.entries, settings.force, BuildResult.add):
                self.done += 1
                continue
            if not self.jobs_made:
                self._change()
                if not fast_subsetter_available():
                    result.reporter.notice(
                        Severity.WARNING,
                        "HarfBuzz's subsetter (libharfbuzz-subset0) is not installed: every PDF"
                        " takes several hundred milliseconds longer; install it (make setup"
                        " does)",
                    )
                self._say_logo_colours()
            index = self.jobs_made
            self.jobs_made += 1
            self.waiting[index] = target
            old = planned.entries.get(target.path.name)
            yield Job(
                index,
                target.record,
                planned.figures,
                settings.paper,
                target.created,
                settings.variant,
                planned.author,
                isolate=old is not None and old.status == "failed",  # it may crash again
                html=target.html,
            )

    def _say_logo_colours(self) -> None:
        """A print variant's run is told once when the layout's logo is in RGB."""
        logo = self.planned.layout.logo
        printing = get_variant(self.settings.variant).condition
        if logo and printing and (warning := print_warning(logo)):
            self.result.reporter.notice(Severity.WARNING, warning)

    def _change(self) -> None:
        """The outputs are about to change: what a re-run could replay no longer holds."""
        if not self.changing:
            self.changing = True
            rerun.forget(self.settings.outdir)

    def _gone(self, entry: manifest.Entry) -> None:
        """A city the previous build made a PDF of that no longer prints: its PDF aside."""
        self._change()
        _move_removed(self.settings, [entry], self.result)


def _os_error(exc: OSError, outdir: Path) -> SnapshotError:
    where = exc.filename if exc.filename is not None else outdir
    return SnapshotError(
        f"{where}: {exc.strerror or exc}",
        hint=f"check {outdir} and the disk it is on, or choose another output folder with -o",
    )


def _prepare(settings: Settings, planned: Plan, result: BuildResult, start: bool) -> None:
    """Before the first PDF: clean what a killed build left, move aside the PDFs of cities
    no longer in the survey, and say what will happen."""
    assert result.validation is not None
    names = [files.pdf_name(v.country, v.city) for v in planned.respondents(result.validation)]
    ours = {manifest.MANIFEST, REPORT, rerun.STATE, *planned.entries}
    files.clean_stale_temporaries(settings.outdir, [*ours, *names])
    ahead = [settings.outdir / manifest.MANIFEST, settings.outdir / REPORT]
    for path in [*(settings.outdir / name for name in names), *ahead]:  # before hours of work
        if path.is_dir():
            raise SnapshotError(
                f"{path} is a folder: the build cannot write its file there",
                hint="move that folder out of the way, or choose another output folder with -o",
            )
    if planned.removed:
        rerun.forget(settings.outdir)
    _move_removed(settings, planned.removed, result)
    if settings.jobs <= 0:
        where = "in this process"
    elif start or forked_workers():
        where = f"{settings.jobs} worker process(es)"
    else:
        where = (
            f"in this process, or {settings.jobs} worker process(es) for more than"
            f" {IN_PROCESS_CITIES}"
        )
    result.reporter.step(
        f"Step 4 - rendering what changed of {planned.total} snapshot(s) into"
        f" {settings.outdir} ({where})"
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
    removed = mark_removed(entries, present(result.validation))
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
    done = Done(record.source.row, sys.intern(record.city), name)
    if outcome.error is not None:
        result.failed.append((done, outcome.error))
        result.report(Severity.ERROR, record.source, f"rendering failed: {outcome.error}", record)
        planned.entries[name] = manifest.Entry(
            record.city, record.country, name, "failed", warnings=[outcome.error]
        )
        return
    rendered = outcome.pdf
    # What the renderer said of the layout (of a stylesheet as it read it, or of one of its
    # files a message names: an image it refuses) is said once, of no city; the rest is
    # the city's.
    of_layout = [(planned.layout.file_in(m), m) for m in rendered.renderer_warnings]
    for sheet, message in [*outcome.sheets, *((f, m) for f, m in of_layout if f)]:
        if (sheet, message) not in planned.sheets_said:
            planned.sheets_said.add((sheet, message))
            result.report(Severity.WARNING, Location(sheet, None, 0), f"renderer: {message}")
    before = len(result.problems)
    for named, message in of_layout:
        if named is None:
            result.report(Severity.WARNING, record.source, f"renderer: {message}", record)
    check_fit(planned.layout, record, rendered.anchors_by_page, result, rendered.fitted)
    files.write_atomic(target.path, rendered.data)
    # Kept until the build ends, one per city: names shared with the run report's
    # (validate.Respondent), one date text for every PDF of the same date.
    planned.entries[name] = manifest.Entry(
        done.city,
        sys.intern(record.country),
        name,
        "built",
        sha256=hashlib.sha256(rendered.data).hexdigest(),
        pages=rendered.pages,
        fingerprint=target.fingerprint,
        warnings=[p.message for p in result.problems[before:]],
        created=sys.intern(date_text(target.created)),
    )
    result.written.append(done)
    result.reporter.detail(
        f"{record.city}, {record.country} -> {target.path} ({rendered.pages} pages)"
    )


def check_fit(
    layout: Layout,
    record: CityRecord,
    anchors_by_page: tuple[frozenset[str], ...],
    result: BuildResult,
    fitted: str | None = None,
) -> None:
    """Say which city was copy-fitted to its pages and how (fitted: render/fitting.py's
    account), which one and which sections had to flow past the page they belong on, and
    which city answered too little to fill its pages (batch/fit.py)."""
    moved = fit.moved(layout, anchors_by_page)
    shorten = fit.what_to_shorten(record)
    where = "; ".join(
        f"{', '.join(names)} moved to page {page}" for page, names in sorted(moved.items())
    )
    how = ", ".join(part for part in (where, fitted) if part)
    if len(anchors_by_page) > layout.pages:
        result.report(
            Severity.WARNING,
            record.source,
            f"{record.city} does not fit in {layout.pages} pages and takes "
            f"{len(anchors_by_page)} ({how or 'the last section runs on'}); {shorten},"
            f" to keep it to {layout.pages}",
            record,
        )
    elif how:
        result.report(
            Severity.WARNING,
            record.source,
            f"{record.city} is too long for {layout.pages} pages as designed: {how}; "
            f"{shorten}, to print it as designed",
            record,
        )
    if sparse := fit.sparse_warning(layout, record, anchors_by_page):
        result.report(Severity.WARNING, record.source, sparse, record)


def _collect(result: BuildResult, problem: Problem) -> None:
    result.problems.append(problem)


def _as_rerun(result: BuildResult, planned: Plan) -> rerun.Replay | None:
    """What a build from the same inputs would say and write next time, worked out with the
    same code from the manifest just saved (planned.entries: what it holds); None when it
    would render anything again. That build would say what reading and selecting said,
    then, city by city, what the second pass said of it and the warnings its current PDF
    has (keep_current)."""
    assert result.settings is not None and result.validation is not None
    again = replace(
        result,
        reporter=Reporter(),
        written=[],
        unchanged=[],
        failed=[],
        problems=result.problems[: planned.settled],
    )
    validation = result.validation
    table = validation.table
    outdir = result.settings.outdir
    entries = planned.entries  # saved: the build is done with them
    for valid in planned.respondents(validation):
        start, end = planned.said.get(valid.row, (0, 0))
        again.problems.extend(result.problems[start:end])
        if valid.row in validation.skipped:  # it does not print
            continue
        name = files.pdf_name(valid.country, valid.city)
        old = entries.get(name)
        if old is None or old.fingerprint is None or old.created is None:
            return None
        source = Location(table.file, table.sheet, valid.row)
        record = CityRecord(source, valid.city, valid.country)
        created = datetime.fromisoformat(old.created)
        if not keep_current(
            again, Target(record, outdir / name, old.fingerprint, created), entries, False, _collect
        ):
            return None
    survey = result.settings.inputs.survey_path.name
    return rerun.Replay(
        problems=[(p.severity.value, str(p)) for p in again.problems],
        summary=again.summary(),
        exit_code=again.exit_code(result.settings.strict),
        manifest=rerun.pack(manifest.pieces([*entries.values(), *_skipped_entries(again)], survey)),
        report=rerun.pack(run_report_pieces(again)),
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
