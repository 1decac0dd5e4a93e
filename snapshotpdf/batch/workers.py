"""Render many snapshots: in this process, or across warm worker processes.

Each worker is a separate process that keeps one WeasyPrint setup (fonts, stylesheets)
for its whole life and renders one city at a time. The parent always knows which city
each worker holds, so a worker that dies (a renderer crash, the OOM killer, a signal)
costs exactly that city: it is reported as failed and a fresh worker takes its place.

A worker sends back plain data (Rendered), so the parent never imports WeasyPrint to read
it. A rebuild of a few cities starts no worker at all (IN_PROCESS_CITIES): starting one
costs more than rendering them here.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import itertools
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import signal
import sys
import tempfile
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snapshotpdf.batch.settings import default_workers as default_workers
from snapshotpdf.budget import TooLong, render_budget
from snapshotpdf.files import scratch_folder
from snapshotpdf.models import CityRecord, SurveyFigures
from snapshotpdf.render.fonts import FONTCONFIG_VARIABLE

if TYPE_CHECKING:
    from snapshotpdf.render.html import Renderer as HtmlRenderer
    from snapshotpdf.render.layout import Layout

RECYCLE_AFTER = 500  # cities a worker renders before a fresh process takes over
# A worker's start (a fresh Python, WeasyPrint, fonts, stylesheets) costs about as much as
# rendering this many cities: a build starts one worker at once, to warm up while the survey
# is read, and one more for each further this-many cities it then finds stale, so a rebuild
# of one edited city pays for one start, and a full build uses every core.
CITIES_PER_EXTRA_WORKER = 4
# Jobs per worker a pool takes ahead of its workers (the rest are found as they are needed).
AHEAD = 2
# Where workers are spawned, a pool that may wait (Renderers(start=False): a rebuild, where
# most cities are current) starts no worker for this many cities or fewer: this process
# renders them. One worker would render them all anyway (CITIES_PER_EXTRA_WORKER), after
# its own start (a fresh Python, WeasyPrint, the layout) and with every PDF sent back
# through a pipe. A worker forked warm has no such start to pay: the fork server warms up
# while the survey is read, so even one edited city is rendered by a worker, sooner.
IN_PROCESS_CITIES = CITIES_PER_EXTRA_WORKER

# Python's cyclic garbage collector looks at its young objects every 700 new ones; a city's
# render makes hundreds of thousands (boxes, styles, PDF objects), so it ran about 40 times
# a city, and now and then went through every object the process holds (modules, fonts,
# stylesheets, the template) again: about a tenth of a city's CPU. While rendering, what
# was made before the first city is set aside for good (gc.freeze), and the collector does
# not run while a city is made: it looks once after each city (city_collector), when that
# city's objects are gone but for its cycles (about 23,000), and every OLD_EVERY cities
# it looks at the objects that lived through those looks too. Measured over 40 cities:
# 14 ms of collection a city, against 31 collecting every 10,000 new objects, and a
# lower peak (102 MiB against 131): garbage never waits past its city.
OLD_EVERY = 25

WARM_UP = '<html lang="en"><body><p>Warm <strong>up</strong>.</p></body></html>'

# Workers are forked from a server process that imported this module once (Python's
# "forkserver" start method, on Linux): a worker starts without importing WeasyPrint and
# the renderer again, about half a second of CPU each, and shares those pages with the
# others. The server renders nothing but the warm-up line of the starting build's layout
# (SERVER_WARMS), so a worker starts as a spawned one is once warm; each takes the build's
# environment as it is when it starts (the server's is the one of its own start).
PRELOAD = "snapshotpdf.batch.preload"
# The layout and variant a fork server warms a renderer for as it starts (JSON: [layout,
# variant], the starting build's): that build's workers are forked with it warm. A server
# outlives its build in a process that builds again; a later build of another layout, or of
# the same one changed since, warms its own in each worker (warm_renderer), as before.
SERVER_WARMS = "SNAPSHOTPDF_SERVER_WARMS"

# Testing hook: a worker asked to render this city kills itself, as a renderer crash would.
CRASH_HOOK = "SNAPSHOTPDF_TEST_CRASH_CITY"


@dataclass(frozen=True)
class Job:
    index: int
    record: CityRecord
    figures: SurveyFigures
    paper: str
    created: datetime | None
    variant: str = "screen"  # snapshotpdf/variants.py: screen, print, archive
    author: str | None = None  # the organisation named as the PDF's author
    # Rendered in a worker process however few cities there are to render (its renderer
    # crashed or failed the last time): a crash then costs that city, not the build.
    isolate: bool = False
    # The city's HTML, as the main process made it to fingerprint it (plan.Target.html),
    # when it is the HTML to render; None: the renderer makes it (dated).
    html: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF as a worker sends it back: the fields of render.pdf.RenderedPdf that
    a build reads, as plain data, so that the parent unpickles it without importing
    WeasyPrint (render.pdf imports it)."""

    data: bytes
    pages: int
    anchors_by_page: tuple[frozenset[str], ...]
    renderer_warnings: tuple[str, ...] = ()
    overflows: tuple[Any, ...] = ()  # render.overflow.Overflow: a light module
    fitted: str | None = None

    @classmethod
    def of(cls, pdf: Any) -> Rendered:
        """The fields of a render.pdf.RenderedPdf."""
        return cls(**{f.name: getattr(pdf, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class JobResult:
    index: int
    # render.pdf.RenderedPdf when it worked in this process, Rendered from a worker: the
    # same fields
    pdf: Any = None
    error: str | None = None
    # What WeasyPrint said of the layout's stylesheets as it read them ((sheet, message):
    # a property it ignores, with its line): with the first city each renderer makes.
    sheets: tuple[tuple[str, str], ...] = ()


class CityRenderer:
    """Turns a job into a PDF, with the overflow fallback: a snapshot longer than its layout
    allows is rendered again with the content flowing through balanced columns."""

    def __init__(self, layout_name: str) -> None:
        from snapshotpdf.render.layout import load_layout
        from snapshotpdf.render.pdf import PdfMaker

        self.layout = load_layout(layout_name)
        self.html = html_renderer(self.layout)
        self.makers: dict[str, PdfMaker] = {}  # one per output variant, made when first asked
        self.sheets_said: set[str] = set()  # the variants whose stylesheet warnings went out

    def maker(self, variant: str) -> Any:
        """The PDF maker of a variant (snapshotpdf.render.pdf.PdfMaker)."""
        from snapshotpdf.render.pdf import PdfMaker

        if variant not in self.makers:
            self.makers[variant] = PdfMaker.for_layout(self.layout, variant)
        return self.makers[variant]

    def warm(self, variant: str) -> None:
        """Do before the first city what the first city would otherwise pay for: load the
        variant's stylesheets and fonts, lay out a line of text with them, and compile the
        layout's template."""
        self.maker(variant).layout_document(WARM_UP)
        self.html.environment.get_template(self.layout.template)

    def __call__(self, job: Job) -> JobResult:
        if os.environ.get(CRASH_HOOK) == job.record.city:
            os.kill(os.getpid(), signal.SIGKILL)
        try:  # the HTML the main process made, else made here, when the city is taken
            with city_collector(), render_budget("its snapshot"):
                html = job.html
                if html is None:
                    html = self.html.html(job.record, job.figures, job.paper, created=job.created)
                rendered = self.maker(job.variant).render(
                    html,
                    job.record,
                    job.author,
                    refit=self.html.refit(job.record, job.figures, job.paper, job.created),
                    created=job.created,
                )
        except TooLong as exc:
            return JobResult(job.index, error=str(exc))
        except Exception as exc:  # one city's failure is reported, never fatal
            return JobResult(job.index, error=f"{type(exc).__name__}: {exc}")
        sheets: tuple[tuple[str, str], ...] = ()
        if job.variant not in self.sheets_said:
            self.sheets_said.add(job.variant)
            sheets = tuple(self.maker(job.variant).stylesheet_warnings)
        return JobResult(job.index, pdf=rendered, sheets=sheets)


# The HTML renderers this process has made, by layout and the state of its files: the
# build's main process makes each city's HTML to fingerprint it, and renders a few cities
# itself, with one compiled template. A few only.
_HTML: dict[tuple[tuple[str, ...], tuple[tuple[str, int, int], ...]], Any] = {}


def html_renderer(layout: Layout) -> HtmlRenderer:
    """An HTML renderer of the layout: the one made before in this process if none of the
    layout's files has changed since (path, modification time, size), else a new one."""
    from snapshotpdf.render.html import Renderer

    state = tuple((str(p.absolute()), *_stat(p)) for p in layout.files())
    key = (tuple(str(folder.absolute()) for folder in layout.folders), state)
    made: HtmlRenderer = _HTML.pop(key, None) or Renderer(layout)
    _HTML[key] = made  # the most recent last
    while len(_HTML) > WARM_RENDERERS:
        del _HTML[next(iter(_HTML))]
    return made


# The renderers this process has made for builds that render in it (workers=0), by layout
# and the state of its files: a library user (a service, the tests) that builds again and
# again pays for fonts, stylesheets and the template once, not once a build. A few only.
_WARM: dict[tuple[str, tuple[tuple[str, int, int], ...]], CityRenderer] = {}
WARM_RENDERERS = 4


def warm_renderer(layout_name: str) -> CityRenderer:
    """A renderer for a build in this process: the one made before for the same layout, if
    none of its files has changed since (path, modification time, size), else a new one.
    What it has said of its stylesheets is said again in each build."""
    from snapshotpdf.render.layout import load_layout

    files = load_layout(layout_name).files()
    key = (layout_name, tuple((str(p.absolute()), *_stat(p)) for p in files))
    render = _WARM.pop(key, None) or CityRenderer(layout_name)
    render.sheets_said.clear()
    _WARM[key] = render  # the most recent last
    while len(_WARM) > WARM_RENDERERS:
        del _WARM[next(iter(_WARM))]
    return render


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


class Renderers:
    """Where a build's PDFs are made. Where workers fork from a fork server
    (forked_workers), the server starts as soon as the build starts and warms up (imports
    WeasyPrint, loads fonts and stylesheets) while the survey is read; each worker is then
    forked warm when the cities come, one for the first and more, up to `workers`, when
    there are enough cities to pay for them (CITIES_PER_EXTRA_WORKER). Where workers are
    spawned, the first worker starts at once and warms up itself; with start=False (a
    rebuild, where most cities are likely current) none starts until the jobs show that one
    pays: IN_PROCESS_CITIES jobs or fewer, none of them to isolate, are rendered in this
    process. workers=0 renders in this process (no crash isolation). Use as a context
    manager."""

    def __init__(
        self, layout_name: str, workers: int, variant: str = "screen", start: bool = True
    ) -> None:
        self.layout_name = layout_name
        self.pool = _WorkerPool(layout_name, workers, variant) if workers > 0 else None
        self.start = start

    def __enter__(self) -> Renderers:
        if self.pool and (self.start or forked_workers()):
            self.pool.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool:
            self.pool.close()

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        """Outcomes as they complete. jobs is read as the workers need them (a few ahead),
        never all at once: it may be a generator that finds each job as it goes."""
        if self.pool is None:
            yield from self._here(jobs)
            return
        if self.pool.started:
            yield from self.pool.run(jobs)
            return
        source = iter(jobs)
        held: list[Job] = []  # the jobs found before a worker is known to pay
        for job in source:
            held.append(job)
            if job.isolate or len(held) > IN_PROCESS_CITIES:
                self.pool.start()
                yield from self.pool.run(itertools.chain(held, source))
                return
        yield from self._here(held)

    def _here(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        """Render in this process (the renderer made on the first job: none when there is
        none)."""
        render: CityRenderer | None = None
        with contextlib.ExitStack() as stack:
            for job in jobs:
                if render is None:
                    render = warm_renderer(self.layout_name)
                    stack.enter_context(rendering_collector())
                yield render(job)


@contextlib.contextmanager
def rendering_collector() -> Iterator[None]:
    """What exists once the renderer is warm is frozen (gc.freeze) until the end: the
    collector never looks at it again. Enter it once, before the first city."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_RENDERED = itertools.count(1)  # cities made in this process (city_collector)


@contextlib.contextmanager
def city_collector() -> Iterator[None]:
    """Around one city's render: no collection while it is made, one after (the young
    objects, and every OLD_EVERY cities the older ones too); the collector is put back as
    it was, whatever happened inside."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(1 if next(_RENDERED) % OLD_EVERY == 0 else 0)
        if enabled:
            gc.enable()


def forked_workers() -> bool:
    """Whether workers are forked here from a warm fork server (Linux), else spawned."""
    return _context().get_start_method() == "forkserver"


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """How workers start: forked from a fork server that has imported the renderer once
    (PRELOAD) on Linux, else spawned (a fresh Python that imports it itself)."""
    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        return context
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _server_warms(layout_name: str, variant: str) -> Iterator[None]:
    """SERVER_WARMS set while a fork server may start (it takes this process's environment)."""
    before = os.environ.get(SERVER_WARMS)
    os.environ[SERVER_WARMS] = json.dumps([layout_name, variant])
    try:
        yield
    finally:
        if before is None:
            del os.environ[SERVER_WARMS]
        else:
            os.environ[SERVER_WARMS] = before


def warm_server() -> None:
    """In a fork server, once, as it starts (batch/preload.py): warm the renderer of the
    layout SERVER_WARMS names, kept for its workers by warm_renderer; then set everything
    made so far aside for good (gc.freeze), so that no worker's collector goes through it
    (and copies its pages). A layout that fails here is left for each worker to say."""
    try:
        layout_name, variant = json.loads(os.environ.pop(SERVER_WARMS, "null") or "null")
    except (TypeError, ValueError):
        layout_name = None
    if isinstance(layout_name, str) and isinstance(variant, str):
        with contextlib.suppress(Exception):
            warm_renderer(layout_name).warm(variant)
        atexit.register(_forget_warm)
    gc.collect()
    gc.freeze()


def _forget_warm() -> None:
    """At a server's exit, its warm renderers let go while Python is whole: WeasyPrint then
    removes their font folders quietly, not in an "Exception ignored" at its end."""
    _WARM.clear()
    _HTML.clear()
    gc.unfreeze()
    gc.collect()


@contextlib.contextmanager
def _without_main_module() -> Iterator[None]:
    """A spawned process runs the parent's main module again first (as `__mp_main__`),
    for a target that may live there. A worker's target is this module's, so that run is
    waste: the `snapshotpdf` command's script imports the whole command line (Typer and
    every command, about 0.1 s of CPU a worker), and a library user's script without an
    `if __name__ == "__main__"` guard would run again in each worker. While a worker
    starts, the main module is a bare one that names no file, so nothing is run."""
    modules = sys.modules
    main = modules.get("__main__")
    modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is None:
            del modules["__main__"]
        else:
            modules["__main__"] = main


def _worker_main(
    conn: Connection,
    layout_name: str,
    scratch: str,
    variant: str,
    environ: dict[str, str] | None = None,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if environ is not None:
        _take_environment(environ)
    # WeasyPrint and fontconfig keep font files in temporary folders that a killed worker
    # cannot remove: they go into the batch's own folder, which the parent removes.
    os.environ["TMPDIR"] = tempfile.tempdir = scratch
    render: Callable[[Job], JobResult]
    try:
        started = warm_renderer(layout_name)  # the fork server's, if it warmed this layout
        started.warm(variant)  # while the parent still reads the survey
        render = started
    except Exception as exc:  # noqa: BLE001 - each city is failed with why, no traceback
        render = _Unstarted(f"the renderer could not start: {type(exc).__name__}: {exc}")
    with rendering_collector():
        _serve(conn, render)


def _take_environment(environ: dict[str, str]) -> None:
    """The build's environment as it is now (environ), not the fork server's, which is the
    one the process had when the server started. Only the fonts stay this process's own:
    fontconfig was pointed at the bundled fonts when the server loaded the renderer
    (render/fonts.py)."""
    fonts = os.environ.get(FONTCONFIG_VARIABLE)
    os.environ.clear()
    os.environ.update(environ)
    if fonts is not None:
        os.environ[FONTCONFIG_VARIABLE] = fonts
    elif FONTCONFIG_VARIABLE in environ:  # not loaded yet: render/fonts.py sets it when it is
        del os.environ[FONTCONFIG_VARIABLE]


class _Unstarted:
    """A renderer that could not start (a layout that loads in the main process but not in a
    worker): each city it is given fails with the reason, where the run names the city,
    instead of "renderer process died" with the reason in a traceback on the terminal."""

    def __init__(self, reason: str) -> None:
        self.reason = reason[:500]

    def __call__(self, job: Job) -> JobResult:
        return JobResult(job.index, error=self.reason)


def _serve(conn: Connection, render: Callable[[Job], JobResult]) -> None:
    """Render the jobs the parent sends until it sends None or is gone."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent is gone: nothing left to do
            return
        if job is None:
            return
        conn.send(_plain(render(job)))


def _plain(outcome: JobResult) -> JobResult:
    """The outcome as plain data (Rendered), so the parent need not import WeasyPrint."""
    if outcome.pdf is None:
        return outcome
    try:
        rendered = Rendered.of(outcome.pdf)
    except AttributeError as exc:  # a RenderedPdf without a field Rendered has
        return JobResult(outcome.index, error=f"{type(exc).__name__}: {exc}")
    return JobResult(outcome.index, rendered, None, outcome.sheets)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Job | None = None
    done: int = 0


class _WorkerPool:
    def __init__(self, layout_name: str, size: int, variant: str) -> None:
        self.layout_name = layout_name
        self.size = size
        self.variant = variant
        self.scratch = ""
        self.workers: list[_Worker] = []
        self.started = False

    def start(self) -> None:
        """Get the first worker going while the survey is read: with a fork server, the
        server (it imports WeasyPrint; the first worker is forked from it when the first
        city is found, without waiting for the import then); else the first worker."""
        self.started = True
        self.scratch = str(scratch_folder("batch"))
        if forked_workers():
            with _without_main_module(), _server_warms(self.layout_name, self.variant):
                multiprocessing.forkserver.ensure_running()
        else:
            self.workers = [self._spawn() for _ in range(min(self.size, 1))]

    def _top_up(self, jobs: int) -> None:
        """One more worker for each CITIES_PER_EXTRA_WORKER cities after the first (jobs:
        how many were taken so far), up to the pool's size."""
        wanted = min(self.size, 1 + (jobs - 1) // CITIES_PER_EXTRA_WORKER)
        while len(self.workers) < wanted:
            self.workers.append(self._spawn())

    def close(self) -> None:
        for worker in self.workers:
            self._stop(worker)
        self.workers = []
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _spawn(self) -> _Worker:
        context = _context()
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker_main,
            args=(child, self.layout_name, self.scratch, self.variant, dict(os.environ)),
            daemon=True,
        )
        with _without_main_module():
            process.start()
        child.close()
        return _Worker(process, parent)

    def _recycle_if_worn(self, worker: _Worker) -> _Worker:
        """A fresh process after RECYCLE_AFTER cities keeps memory flat on long batches."""
        worker.done += 1
        return self._replace(worker) if worker.done >= RECYCLE_AFTER else worker

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        """Outcomes as they complete. A job is taken from jobs when a worker is about to
        need it: at most AHEAD jobs per worker wait here, and taking one (which may mean
        finding it: making a city's HTML to fingerprint it) waits while a finished worker
        has an outcome to collect. A finished worker is given its next job before its
        outcome is handed on, so it renders while the caller writes and records that one."""
        source = iter(jobs)
        queue: deque[Job] = deque()
        taken = 0
        more = True  # whether source may have more jobs
        workers = self.workers
        while True:
            for worker in workers:
                if worker.job is None:
                    self._give(worker, queue)
            busy = [w for w in workers if w.job]
            waiting = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            if more and len(queue) < AHEAD * self.size:
                ready = wait(waiting, timeout=0) if busy else []
                if not ready:  # nobody to attend to: find the next job meanwhile
                    job = next(source, None)
                    if job is None:
                        more = False
                    else:
                        queue.append(job)
                        taken += 1
                        self._top_up(taken)
                    continue
            elif not busy:
                if not queue:
                    return
                continue
            else:
                ready = wait(waiting)
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome = self._collect(worker)
                    slot = workers.index(worker)
                    if outcome.error and not worker.process.is_alive():
                        worker = self._replace(worker)
                    else:
                        worker = self._recycle_if_worn(worker)
                    workers[slot] = worker
                    self._give(worker, queue)  # its next city first: it never waits on ours
                    yield outcome

    @staticmethod
    def _give(worker: _Worker, queue: deque[Job]) -> None:
        worker.job = queue.popleft() if queue else None
        if worker.job is not None:
            worker.conn.send(worker.job)

    @staticmethod
    def _collect(worker: _Worker) -> JobResult:
        job = worker.job
        assert job is not None
        worker.job = None
        try:
            if worker.conn.poll():
                outcome: JobResult = worker.conn.recv()
                return outcome
        except (EOFError, OSError):
            pass
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        return JobResult(job.index, error=f"the renderer process died ({how})")

    def _replace(self, worker: _Worker) -> _Worker:
        self._stop(worker)
        return self._spawn()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        if worker.done == 0 and worker.job is None:  # never used: may still be warming up
            worker.process.kill()
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()


def fast_subsetter_available() -> bool:
    """Whether HarfBuzz's subsetting library is installed (WeasyPrint otherwise subsets
    fonts in pure Python, several hundred milliseconds more per PDF)."""
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


ProgressCallback = Callable[[int, int, str], None]
