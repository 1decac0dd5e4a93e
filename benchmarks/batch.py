"""Batch speed benchmark: plain WeasyPrint on a frozen yardstick vs `snapshotpdf build`.

Run:  .venv/bin/python benchmarks/batch.py [--cities N] [--seed S] [--keep DIR] [--no-a0]
                                           [--against REV] [--memory-sweep [--plan-only]]
                                           [--pairs N] [--pairs-ab N]

One run writes a synthetic survey of N cities (the bundled sample profile's columns, valid
answers from snapshotpdf's vocabulary) and times, each in its own fresh process:

  (a)   baseline  plain WeasyPrint renders every city's HTML of the frozen yardstick
                  (benchmarks/yardstick/: the bundled layout of commit 1ce4500), with
                  libharfbuzz-subset0 (as after `make setup`, which installs it)
  (a0)  baseline  exactly (a), but WeasyPrint subsets fonts with fontTools (as on a clean
                  machine before `make setup`); --no-a0 skips it
  (b1)  build     `snapshotpdf build SURVEY -o OUT --force -q --jobs 1`
  (b1@REV)        the same with REV's own code (--against, default 1ce4500: "today")
  (b)   build     `snapshotpdf build SURVEY -o OUT --force -q --jobs auto`
  (c)   re-run    the same build again, nothing changed: it should be replayed
  (c2)  re-run    again, the survey written ./survey-N.xlsx from another folder
  (d)   one edit  one city's spotlight edited, the build run again
  (e)   floor     start Python, read the survey, import WeasyPrint, render that city cold

--memory-sweep runs only (b), at 100 and 1000 cities, and compares the peak memory of one
worker process and of the main process at both sizes; with --plan-only, every PDF is a stub
made at once in the build's own process, so the sweep measures the main process alone, in
minutes even at 10000 cities. --pairs N runs only (b1) and (b1@REV), N times each, the
order swapped each round, and prints the median of the rounds' ratios: the (b1) target
measured so that one busy minute of a shared machine cannot decide it; --pairs-ab N does
the same for (a) and (b) and the a/b target. See
benchmarks/README.md for what each figure means.

This is a benchmark, not a test: pytest never collects it and nothing imports it.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import io
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snapshotpdf.assets import package_file
from snapshotpdf.models import Inputs
from snapshotpdf.survey import vocabulary
from snapshotpdf.version import __version__

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.workbook import write_xlsx  # noqa: E402  (the repository's one .xlsx writer)

if TYPE_CHECKING:
    from snapshotpdf.models import CityRecord
    from snapshotpdf.render.layout import Layout

PROFILE_FILE = package_file("survey/profiles/sample.toml")
REPOSITORY = Path(__file__).resolve().parent.parent
YARDSTICK = Path(__file__).resolve().parent / "yardstick"  # the baselines' frozen layout
YARDSTICK_REV = "1ce4500"  # the commit whose bundled layout the yardstick is a copy of
SNAPSHOT_PAGES = 2  # the snapshot layout's length (layout.toml: pages)
BASELINE_MODE = "_baseline"  # hidden first argument: run step (a) or (a0) in this process
HTML_MODE = "_html"  # hidden first argument: write every city's HTML (the yardstick check)
FLOOR_MODE = "_floor"  # hidden first argument: run step (e), the one-city floor, in this process
PLAN_MODE = "_plan"  # hidden first argument: a build with stub PDFs, its main process alone
EDIT = " This sentence was added to measure a one-edit rebuild."  # (d): one city's spotlight
NO_HB_SUBSET = "--no-harfbuzz-subset"  # after BASELINE_MODE SURVEY OUT: step (a0), not (a)
SUBSETTING_LINE = "font subsetting:"  # what the baseline prints: which subsetter ran
LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0

# What a re-run must not import to count as replayed (batch/rerun.py: the survey is not
# read, pandas and WeasyPrint are not imported), seen through PYTHONPROFILEIMPORTTIME.
NOT_IN_A_REPLAY = ("weasyprint", "pandas")

# Targets from the issue (16).
TARGET_JOBS1_CPU = 0.70  # (b1) CPU per city at most 70% of today's (b1@1ce4500)
TARGET_SPEEDUP = 3.0  # (b) at least 3x faster than (a), plain WeasyPrint with hb-subset
TARGET_RERUN_SHARE = 0.02  # (c) under 2% of (b)
TARGET_MEMORY_DRIFT = 0.10  # per-worker peak at 1000 cities within 10% of that at 100
TARGET_EDIT_OVER_FLOOR = 1.3  # (d) one edited city rebuilt within 1.3x the floor (e)

# The measuring wrapper: runs one step as its child, then reports the step's wall time, the
# CPU time of all its processes and the largest peak RSS among them (RUSAGE_CHILDREN of this
# fresh process holds only this step; ru_maxrss is in KiB on Linux). Args: RESULT_JSON CMD...
WRAPPER = """\
import ctypes, json, os, resource, subprocess, sys, time
try:  # PR_SET_CHILD_SUBREAPER: a process the step leaves behind (a fork server) is ours
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
except (AttributeError, OSError):
    pass
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - start
while True:  # wait for those too, so that their CPU (and their children's) is counted
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
result = {"returncode": code, "seconds": seconds, "maxrss": usage.ru_maxrss,
          "cpu": usage.ru_utime + usage.ru_stime}
with open(sys.argv[1], "w") as f:
    json.dump(result, f)
"""

WORD_LIST = (
    "the city team residents data service public new open project programme council "
    "department staff budget plan pilot digital platform community local support improve "
    "share learn build test design network partner strategy office report review health "
    "housing transport street school library energy water waste permit online portal "
    "request response week year month early growing simple shared practical evidence "
    "results progress training skills culture trust access people neighbourhood district "
    "market business small first every each across between through with from into for "
    "and of to in on by an a more most better faster clearer stronger careful steady"
)
WORDS = tuple(WORD_LIST.split())  # the fixed vocabulary of the generated prose
COUNTRIES = (
    "Peru",
    "Spain",
    "Canada",
    "Kenya",
    "Japan",
    "Italy",
    "Sweden",
    "Chile",
    "Poland",
    "Greece",
)
FIRST_NAMES = ("Ana", "Tomás", "Margaret", "Daniel", "Åsa", "Haruka", "Brian", "Giulia", "Emre")
LAST_NAMES = ("Parra", "Okonkwo", "Lindqvist", "Tanabe", "Mwangi", "Ferraresi", "Öztürk", "Quispe")


# ----------------------------------------------------------------------------------------
# 1. The synthetic survey
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What the generator needs from the sample profile."""

    sheet: str
    separator: str  # between the chosen options of one cell, e.g. "; "
    fields: dict[str, str]  # record field -> column header
    grid: dict[str, str]  # policy area -> "sufficient data" column header


def _header(name: str, source: object) -> str:
    """The column header of a profile entry: "Header" or { column = "Header", ... }."""
    if isinstance(source, dict):
        source = source.get("column")
    if not isinstance(source, str):
        raise ValueError(f"profile field {name}: only one-row column headers are supported")
    return source


def load_profile(path: Path = PROFILE_FILE) -> Profile:
    """The column headers and list separator of the bundled sample profile."""
    raw = tomllib.loads(path.read_text("utf-8"))
    return Profile(
        sheet=raw["profile"].get("sheet", "Responses"),
        separator=raw["profile"].get("list_separator", ";") + " ",
        fields={name: _header(name, src) for name, src in raw["fields"].items()},
        grid={area: _header(area, src) for area, src in raw["data_sufficiency"].items()},
    )


def prose(rng: random.Random, low: int, high: int) -> str:
    """Between low and high words of plausible-looking text, in sentences of 8-16 words."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    sentences: list[str] = []
    while words:
        size = rng.randint(8, 16)
        chunk, words = words[:size], words[size:]
        sentences.append(" ".join(chunk).capitalize() + ".")
    return " ".join(sentences)


@functools.cache
def _yardstick_labels() -> dict[str, Any]:
    """The [options] labels of the yardstick's catalog, read once."""
    catalog = tomllib.loads((YARDSTICK / "locales" / "en.toml").read_text("utf-8"))
    return dict(catalog["options"])


def frozen_options(question: str) -> list[str]:
    """The options of a question the yardstick (1ce4500) knows, in the vocabulary's order:
    options added since (real cities' answers) would print as typed at 1ce4500, and would
    change which options the generated survey draws: the survey stays that of every run."""
    labels = _yardstick_labels()
    options = vocabulary.options(question)
    if question not in labels:  # a one-answer question, worded by its own sentences
        return list(options)
    return [key for key in options if key in labels[question]]


def answers(rng: random.Random, profile: Profile, question: str, low: int, high: int) -> str:
    """low to high distinct options of a question, as the sample export writes them."""
    keys = rng.sample(frozen_options(question), rng.randint(low, high))
    return profile.separator.join(vocabulary.sample_answer(question, k) for k in keys)


def one_answer(rng: random.Random, question: str) -> str:
    """One option of a single-choice question, as the sample export writes it."""
    return vocabulary.sample_answer(question, rng.choice(frozen_options(question)))


def city_row(rng: random.Random, profile: Profile, number: int) -> dict[str, object]:
    """One complete respondent: every field of the profile answered, realistic lengths."""
    city = f"City {number:04d}"
    funding = rng.random() < 0.8
    start = rng.randint(2017, 2022)
    areas = list(vocabulary.policy_areas())
    sufficient = set(rng.sample(areas, rng.randint(3, 10)))
    row: dict[str, object] = {
        "city": city,
        "country": rng.choice(COUNTRIES),
        "mayor": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "term": f"{start}–{start + 4}",
        "innovation_lead": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "population": rng.randint(50_000, 5_000_000),
        "population_year": rng.randint(2018, 2022),
        "website": f"https://data.city-{number:04d}.example/innovation",
        "org_structure": prose(rng, 30, 60),
        "staff_profiles": answers(rng, profile, "staff_profiles", 2, 5),
        "spotlight": prose(rng, 60, 150),
        "formal_strategy": rng.choice(("Yes", "No")),
        "innovation_associations": answers(rng, profile, "innovation_associations", 1, 3),
        "approach": one_answer(rng, "approach"),
        "priority_areas": answers(rng, profile, vocabulary.POLICY_AREAS, 2, 2),
        "partners_innovation": answers(rng, profile, "partners", 1, 4),
        "partners_data": answers(rng, profile, "partners", 1, 2),
        "dedicated_funding": "Yes" if funding else "No",
        "funding_sources": answers(rng, profile, "funding_sources", 1, 3) if funding else None,
        "funding_directed": answers(rng, profile, "funding_directed", 1, 3) if funding else None,
        "innovation_helps": answers(rng, profile, "innovation_helps", 2, 4),
        "success_factors": answers(rng, profile, "success_factors", 1, 3),
        "role_of_data": one_answer(rng, "role_of_data"),
        "data_uses": answers(rng, profile, "data_uses", 1, 3),
        "data_challenges": answers(rng, profile, "data_challenges", 1, 3),
        "open_data": one_answer(rng, "open_data"),
        "contact_email": f"innovation@city-{number:04d}.example",
        "language": "en",
    }
    row.update({area: "Yes" if area in sufficient else "No" for area in areas})
    return row


def write_survey(
    path: Path, cities: int, seed: int, profile: Profile, edited: int | None = None
) -> Path:
    """An .xlsx export of `cities` synthetic respondents in the sample profile's shape; with
    edited, the same survey but city number `edited` has one more sentence in its spotlight."""
    rng = random.Random(seed)
    columns = {**profile.fields, **profile.grid}

    def row(number: int) -> list[object]:
        answers = city_row(rng, profile, number)
        if number == edited:
            answers["spotlight"] = f"{answers['spotlight']}{EDIT}"
        return [answers.get(k) for k in columns]

    rows = (row(n) for n in range(1, cities + 1))
    return write_xlsx(path, itertools.chain([list(columns.values())], rows), sheet=profile.sheet)


def edited_city(cities: int) -> int:
    """The city whose spotlight step (d) edits: one in the middle of the survey."""
    return cities // 2 + 1


# ----------------------------------------------------------------------------------------
# 2a. The baselines (a) and (a0), run in their own process (BASELINE_MODE)
# ----------------------------------------------------------------------------------------


def count_subsetting() -> dict[str, int]:
    """Count the fonts WeasyPrint subsets with HarfBuzz and with fontTools from now on.

    Wraps the two methods WeasyPrint 70's Font.subset() chooses between (the wrappers only
    count, then call the original), so the report can show which subsetter really ran.
    Raises RuntimeError when WeasyPrint no longer has that structure."""
    from weasyprint.pdf import fonts

    counts = {"HarfBuzz": 0, "fontTools": 0}
    font_class = getattr(fonts, "Font", None)
    for method, key in (("_harfbuzz_subset", "HarfBuzz"), ("_fonttools_subset", "fontTools")):
        original = getattr(font_class, method, None)
        if not callable(original):
            raise RuntimeError(
                f"weasyprint.pdf.fonts.Font.{method} is gone: this WeasyPrint"
                f" ({version('weasyprint')}) subsets fonts differently; update benchmarks/batch.py"
            )

        def counted(self, *args, _original=original, _key=key, **kwargs):
            counts[_key] += 1
            return _original(self, *args, **kwargs)

        setattr(font_class, method, counted)
    return counts


def disable_harfbuzz_subset() -> None:
    """Make WeasyPrint subset fonts with fontTools, as without libharfbuzz-subset0.

    WeasyPrint 70's weasyprint/pdf/fonts.py imports `harfbuzz_subset` (the library, or None
    when it is missing) from weasyprint.text.ffi, and Font.subset() calls _harfbuzz_subset
    only `if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)`, else
    _fonttools_subset. Setting the module's name to None takes the second branch, exactly
    as on a machine without the library. Raises RuntimeError when WeasyPrint no longer has
    that structure, so the switch cannot silently do nothing (run_baseline also checks
    afterwards that fontTools, and never HarfBuzz, subset the fonts)."""
    from weasyprint.pdf import fonts

    subset = getattr(getattr(fonts, "Font", None), "subset", None)
    if not hasattr(fonts, "harfbuzz_subset") or "harfbuzz_subset" not in getattr(
        getattr(subset, "__code__", None), "co_names", ()
    ):
        raise RuntimeError(
            "weasyprint.pdf.fonts.Font.subset no longer reads the module's harfbuzz_subset:"
            f" this WeasyPrint ({version('weasyprint')}) chooses its font subsetter"
            " differently, so (a0) cannot switch HarfBuzz's subsetter off; update"
            " benchmarks/batch.py"
        )
    fonts.harfbuzz_subset = None


def yardstick_layout() -> Layout:
    """The frozen yardstick (YARDSTICK) as a layout of its own folder alone: it extends no
    bundled layout, so nothing of layouts/snapshot (its files, its layout.toml) reaches it."""
    from snapshotpdf.render.layout import Layout, find_in
    from snapshotpdf.render.settings import parse_settings, read_toml

    folders = (YARDSTICK,)
    path = YARDSTICK / "layout.toml"
    settings = parse_settings([(path, read_toml(path))], "yardstick", lambda r: find_in(folders, r))
    return Layout("yardstick", folders, settings)


def city_html(survey: Path, which: str) -> tuple[Layout, list[tuple[CityRecord, str]]]:
    """(layout, [(record, HTML)] of every city) as the baselines render them: the records
    read and the survey's figures counted as the build does, the HTML made at A4 with the
    build's creation date. which: "yardstick" (the frozen layout, as (a) and (a0) render
    it) or "bundled" (the bundled layout of the snapshotpdf imported: run under a commit's
    own code, what that commit's baseline rendered)."""
    from snapshotpdf.batch.plan import read
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.batch.settings import creation_date
    from snapshotpdf.render.html import Renderer
    from snapshotpdf.render.layout import load_layout
    from snapshotpdf.survey.figures import survey_figures

    records = read(Inputs(survey=survey), BuildResult())
    figures = survey_figures(records)
    layout = yardstick_layout() if which == "yardstick" else load_layout()
    renderer = Renderer(layout)
    created = creation_date(survey)  # as the build does
    return layout, [(r, renderer.html(r, figures, created=created)) for r in records]


def write_html(survey: Path, out: Path, which: str) -> int:
    """HTML_MODE: every city's HTML (city_html) into out, as JSON [[city, html], ...]."""
    _, pages = city_html(survey, which)
    out.write_text(json.dumps([[r.city, html] for r, html in pages]), "utf-8")
    return len(pages)


def run_baseline(survey: Path, outdir: Path, harfbuzz_subset: bool = True) -> int:
    """Render every city's HTML of the frozen yardstick with plain WeasyPrint, default options.

    Deliberately plain, as WeasyPrint's documentation shows @font-face use: a new
    FontConfiguration and stylesheet per city (so the bundled fonts are loaded each time),
    no shared URL fetcher or image cache, nothing re-rendered when a city overflows.
    snapshotpdf.render.pdf is never imported here (it would pin fontconfig to the bundled fonts).

    harfbuzz_subset=True is step (a): WeasyPrint uses libharfbuzz-subset0 when the machine
    has it (it does after `make setup`). False is step (a0): the same, but WeasyPrint
    cannot use that library and subsets fonts with fontTools, as on a clean machine.
    Prints which subsetter ran (SUBSETTING_LINE). Returns the number of PDFs."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    subsetting = count_subsetting()
    if not harfbuzz_subset:
        disable_harfbuzz_subset()
    layout, pages = city_html(survey, "yardstick")
    if "snapshotpdf.render.pdf" in sys.modules:
        raise RuntimeError(
            "the baseline must not import snapshotpdf.render.pdf (it pins fontconfig)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    for index, (_record, html) in enumerate(pages):
        fonts = FontConfiguration()
        weasyprint.HTML(string=html, base_url=str(layout.folder) + os.sep).write_pdf(
            outdir / f"{index:05d}.pdf",
            stylesheets=[
                weasyprint.CSS(filename=str(path), font_config=fonts) for path in layout.stylesheets
            ],
            font_config=fonts,
        )
    print(
        f"{SUBSETTING_LINE} HarfBuzz {subsetting['HarfBuzz']} font(s),"
        f" fontTools {subsetting['fontTools']} font(s)",
        flush=True,
    )
    if not harfbuzz_subset and (subsetting["HarfBuzz"] or not subsetting["fontTools"]):
        raise RuntimeError(
            f"(a0) should subset every font with fontTools, but {subsetting}: switching"
            " HarfBuzz's subsetter off did not work with this WeasyPrint"
        )
    return len(pages)


def run_floor(survey: Path, outdir: Path, number: int) -> int:
    """Step (e), the floor of a one-edit rebuild: in one cold process, read and compare the
    survey as the build does, import WeasyPrint and render the one edited city with
    snapshotpdf's own renderer, and write its PDF. No manifest, no workers, no checks."""
    from snapshotpdf.batch.plan import read
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.batch.workers import CityRenderer, Job
    from snapshotpdf.survey.figures import survey_figures

    records = read(Inputs(survey=survey), BuildResult())
    figures = survey_figures(records)
    record = next(r for r in records if r.city == f"City {number:04d}")
    outcome = CityRenderer("snapshot")(Job(0, record, figures, "a4", None))
    if outcome.pdf is None:
        raise RuntimeError(f"the floor could not render {record.city}: {outcome.error}")
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "edited.pdf").write_bytes(outcome.pdf.data)
    return 1


def run_plan_only(survey: Path, outdir: Path) -> int:
    """--plan-only: a whole build (--force, in this process) of which only the rendering is
    a stub: every PDF is a few bytes made at once, with the pages and sections a real one
    has. So this process does exactly what a build's main process does (read and check,
    fingerprint, hand out, record, manifest, run report, replay) and nothing a worker does:
    WeasyPrint is never imported. Prints the build's summary line."""
    from snapshotpdf.batch import workers
    from snapshotpdf.batch.build import build
    from snapshotpdf.batch.settings import Settings
    from snapshotpdf.render.layout import load_layout

    sections = frozenset(load_layout().sections)

    @dataclass(frozen=True)
    class StubPdf:
        data: bytes
        pages: int = SNAPSHOT_PAGES
        renderer_warnings: tuple[str, ...] = ()
        anchors_by_page: tuple[frozenset[str], ...] = (sections, frozenset())
        overflows: tuple[object, ...] = ()
        fitted: str | None = None  # laid out as designed

    class StubRenderer:
        def __init__(self, layout_name: str) -> None:
            self.sheets_said: set[str] = set()  # as CityRenderer's (warm_renderer clears it)

        def warm(self, variant: str = "screen") -> None:
            pass

        def __call__(self, job: workers.Job) -> workers.JobResult:
            data = f"%PDF-1.7 stub of {job.record.city}\n".encode()
            return workers.JobResult(job.index, pdf=StubPdf(data))

    workers.CityRenderer = StubRenderer  # type: ignore[misc,assignment]
    settings = Settings(inputs=Inputs(survey=survey), outdir=outdir, force=True, jobs=0)
    result = build(settings)
    print(result.summary(), flush=True)
    return len(result.written)


# ----------------------------------------------------------------------------------------
# Measuring one step
# ----------------------------------------------------------------------------------------


Process = tuple[int, bytes]  # (pid, command line): an exec() starts a new process image


@dataclass
class TreeMemory:
    """Peak memory of the processes under a wrapper, sampled from /proc (Linux only).

    VmHWM is each process's own high-water mark kept by the kernel, so a process's peak is
    exact up to its last sample; the whole-tree figure is the largest sum of VmRSS seen at
    one sample (shared library pages count once per process, so it overstates a little)."""

    peaks: dict[Process, int] = field(default_factory=dict)  # KiB
    roles: dict[Process, str] = field(default_factory=dict)  # main, worker, server, other
    total_peak: int = 0  # KiB
    available: bool = False

    def peak(self, role: str) -> int | None:
        """The largest peak among the processes of a role; None when there were none."""
        values = [kib for proc, kib in self.peaks.items() if self.roles[proc] == role]
        return max(values) if values else None

    def count(self, role: str) -> int:
        """How many processes of a role were seen."""
        return sum(1 for r in self.roles.values() if r == role)


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid for every process visible in /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    return parents


def _children(pid: int) -> list[int] | None:
    """A process's children, from the kernel's list of each of its threads'
    (/proc/PID/task/TID/children); None where the kernel keeps none (then the whole
    process table is read)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []  # gone
    found: list[int] = []
    for task in tasks:
        try:
            found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except FileNotFoundError:
            if not Path(f"/proc/{pid}/task/{task}").exists():
                continue  # the thread ended meanwhile
            return None
        except OSError:
            continue
    return found


def _descendants(root: int) -> list[tuple[int, int, int]]:
    """(pid, parent pid, depth) of every process below root; depth 1 = root's children.
    Walked down from root through the kernel's lists of children: reading the whole
    process table each time cost about 5 ms of CPU a look, 20 looks a second, taken from
    the cores a parallel build uses (and not from a one-process step), which made a/b
    look about 6% worse than it is."""
    children: dict[int, list[int]] = {}
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        kids = _children(pid)
        if kids is None:  # no lists of children here: read the process table
            children = {}
            for child, parent in _parent_pids().items():
                children.setdefault(parent, []).append(child)
            break
        children[pid] = kids
        frontier += kids
    found: list[tuple[int, int, int]] = []
    frontier, depth = [root], 0
    while frontier:
        depth += 1
        level = [(child, pid) for pid in frontier for child in children.get(pid, [])]
        found += [(child, parent, depth) for child, parent in level]
        frontier = [child for child, _ in level]
    return found


def _cmdline(pid: int) -> bytes:
    """A process's command line (NUL-separated); empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(VmHWM, VmRSS) of a process in KiB; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", text, re.M))
    if len(values) < 2:
        return None  # a zombie: its memory is already gone
    return int(values["VmHWM"]), int(values["VmRSS"])


FORK_SERVER = b"multiprocessing.forkserver"  # in the command line of a fork server


def _role(cmdline: bytes, depth: int, parent: bytes) -> str:
    """main: the step's own process; worker: a multiprocessing spawn child of it, or a child
    of its fork server (parent: the parent's command line); server: that fork server (the
    resource tracker and helper programs such as gcc, run by ctypes, are other)."""
    if depth == 1:
        return "main"
    if (depth == 2 and b"spawn_main" in cmdline) or FORK_SERVER in parent:
        return "worker"
    return "server" if FORK_SERVER in cmdline else "other"


class TreeSampler(threading.Thread):
    """Polls the process tree below a pid until stopped."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.memory = TreeMemory(available=Path("/proc/self/status").is_file())
        self._stop_event = threading.Event()

    def run(self) -> None:
        while self.memory.available and not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self) -> None:
        """One look at every process of the tree. A child still showing its parent's command
        line has been forked but has not exec'd yet (it shares or copies the parent's memory):
        it is left out, so it is neither counted twice nor mistaken for a worker; but a fork
        server's children are workers that never exec."""
        total = 0
        tree = _descendants(self.root)
        cmdlines = {pid: _cmdline(pid) for pid in {self.root, *(pid for pid, _, _ in tree)}}
        for pid, parent, depth in tree:
            cmdline = cmdlines[pid]
            if not cmdline or (cmdline == cmdlines[parent] and FORK_SERVER not in cmdline):
                continue
            status = _status_kib(pid)
            if status is None:
                continue
            hwm, rss = status
            total += rss
            proc = (pid, cmdline)
            self.memory.roles.setdefault(proc, _role(cmdline, depth, cmdlines[parent]))
            self.memory.peaks[proc] = max(hwm, self.memory.peaks.get(proc, 0))
        self.memory.total_peak = max(self.memory.total_peak, total)

    def stop(self) -> TreeMemory:
        self._stop_event.set()
        self.join()
        return self.memory


@dataclass(frozen=True)
class Step:
    """One measured step: its wall time and memory."""

    name: str
    cities: int
    seconds: float
    cpu_seconds: float  # user + system time of every process of the step
    largest_kib: int  # ru_maxrss: peak RSS of the largest single process of the step
    memory: TreeMemory
    pdfs: int
    long: int | None  # PDFs longer than SNAPSHOT_PAGES
    summary: str  # the build's own summary line, or what the baseline wrote
    subsetting: dict[str, int] | None = None  # baselines: fonts subset by HarfBuzz, fontTools
    imported: tuple[str, ...] | None = None  # of NOT_IN_A_REPLAY, imported (None: not watched)

    @property
    def ms_per_city(self) -> float:
        return 1000 * self.seconds / max(self.cities, 1)

    @property
    def cpu_ms_per_city(self) -> float:
        return 1000 * self.cpu_seconds / max(self.cities, 1)

    @property
    def replayed(self) -> bool | None:
        """Whether the step was a replay: none of its processes imported NOT_IN_A_REPLAY."""
        return None if self.imported is None else not self.imported


def long_pdfs(outdir: Path, pages: int = SNAPSHOT_PAGES) -> int | None:
    """How many PDFs in outdir have more than `pages` pages; None without pypdf."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return sum(1 for path in outdir.glob("*.pdf") if len(PdfReader(path).pages) > pages)


def _maxrss_kib(value: int) -> int:
    """ru_maxrss is KiB on Linux but bytes on macOS."""
    return value // 1024 if sys.platform == "darwin" else value


IMPORT_LINE = re.compile(r"^import time:.*\|\s*([\w.]+)\s*$", re.M)  # PYTHONPROFILEIMPORTTIME


def measure(
    name: str,
    command: list[str],
    cities: int,
    outdir: Path,
    logs: Path,
    pages: bool = True,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    watch_imports: bool = False,
) -> Step:
    """Run command under a fresh wrapper process (in cwd, else logs; env added to this
    process's); its wall time, memory and PDFs (their pages counted unless pages is False:
    --plan-only's stubs have none). watch_imports: every process of the step lists its
    imports (PYTHONPROFILEIMPORTTIME, inherited by workers; a few ms), so the step says
    which of NOT_IN_A_REPLAY it imported."""
    logs.mkdir(parents=True, exist_ok=True)
    result_file = logs / f"{name}.json"
    log_file = logs / f"{name}.log"
    wrapper = [sys.executable, "-c", WRAPPER, str(result_file), *command]
    environment = {**os.environ, **(env or {})}
    if watch_imports:
        environment["PYTHONPROFILEIMPORTTIME"] = "1"
    with log_file.open("w") as log:
        process = subprocess.Popen(
            wrapper, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or logs, env=environment
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        process.wait()
        memory = sampler.stop()
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    output = log_file.read_text(errors="replace")
    modules = {m.split(".")[0] for m in IMPORT_LINE.findall(output)}
    output = IMPORT_LINE.sub("", output)
    if process.returncode != 0 or result.get("returncode") != 0:
        tail = "\n".join([line for line in output.splitlines() if line][-15:])
        raise RuntimeError(f"step {name} failed ({result or process.returncode}):\n{tail}")
    summaries = [line for line in output.splitlines() if "data row(s):" in line]
    subsetting = re.findall(
        rf"^{re.escape(SUBSETTING_LINE)} HarfBuzz (\d+) font\(s\), fontTools (\d+) font\(s\)",
        output,
        re.M,
    )
    pdfs = len(list(outdir.glob("*.pdf")))
    return Step(
        name=name,
        cities=cities,
        seconds=float(result["seconds"]),
        cpu_seconds=float(result["cpu"]),
        largest_kib=_maxrss_kib(int(result["maxrss"])),
        memory=memory,
        pdfs=pdfs,
        long=long_pdfs(outdir) if pages else None,
        summary=summaries[-1] if summaries else f"{pdfs} PDF(s) in {outdir.name}/",
        subsetting=(
            dict(zip(("HarfBuzz", "fontTools"), map(int, subsetting[-1]), strict=True))
            if subsetting
            else None
        ),
        imported=tuple(m for m in NOT_IN_A_REPLAY if m in modules) if watch_imports else None,
    )


# ----------------------------------------------------------------------------------------
# 2b/2c. The commands
# ----------------------------------------------------------------------------------------


def cli() -> list[str]:
    """The snapshotpdf command line, in the same virtualenv as this script."""
    return [sys.executable, "-m", "snapshotpdf"]


def supports_jobs(env: dict[str, str] | None = None, cwd: Path | None = None) -> bool:
    """Whether `snapshotpdf build --help` lists a --jobs option (env: added to this
    process's, e.g. another commit's code on PYTHONPATH; then run it in a cwd without a
    snapshotpdf package, as `python -m` looks in its cwd first)."""
    env = {**os.environ, **(env or {}), "COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}
    help_text = subprocess.run(
        [*cli(), "build", "--help"], capture_output=True, text=True, env=env, check=True, cwd=cwd
    ).stdout
    return "--jobs" in help_text


def build_command(survey: Path | str, outdir: Path, force: bool, jobs: str | None) -> list[str]:
    """`snapshotpdf build` quietly into outdir; --force for (b) and (b1); --jobs JOBS unless
    jobs is None (a build without that option)."""
    command = [*cli(), "build", str(survey), "-o", str(outdir), "-q"]
    return command + (["--force"] if force else []) + (["--jobs", jobs] if jobs else [])


def floor_command(survey: Path, outdir: Path, number: int) -> list[str]:
    """This script in FLOOR_MODE: step (e), in a process of its own."""
    return [sys.executable, str(Path(__file__).resolve()), FLOOR_MODE, str(survey)] + [
        str(outdir),
        str(number),
    ]


def plan_command(survey: Path, outdir: Path) -> list[str]:
    """This script in PLAN_MODE: a build's main process alone (--plan-only)."""
    return [sys.executable, str(Path(__file__).resolve()), PLAN_MODE, str(survey), str(outdir)]


def html_command(survey: Path, out: Path, which: str) -> list[str]:
    """This script in HTML_MODE: every city's HTML (write_html)."""
    return [sys.executable, str(Path(__file__).resolve()), HTML_MODE, str(survey), str(out), which]


def baseline_command(survey: Path, outdir: Path, harfbuzz_subset: bool = True) -> list[str]:
    """This script in BASELINE_MODE: step (a), or (a0) without HarfBuzz's subsetter, in a
    process of its own."""
    command = [sys.executable, str(Path(__file__).resolve()), BASELINE_MODE]
    return command + [str(survey), str(outdir)] + ([] if harfbuzz_subset else [NO_HB_SUBSET])


# ----------------------------------------------------------------------------------------
# 2d. Another commit's code: (b1@REV) and the yardstick check
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    """A commit's files, unpacked to run its own code beside this checkout's."""

    rev: str  # as asked for, e.g. 1ce4500
    sha: str
    tree: Path  # its files: PYTHONPATH=tree runs its snapshotpdf

    @property
    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.tree)}


def resolve(rev: str) -> str | None:
    """The full sha of a commit of this repository; None when there is none (or no git)."""
    try:
        found = subprocess.run(
            ["git", "-C", str(REPOSITORY), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    return found.stdout.strip() if found.returncode == 0 else None


def unpack(rev: str, sha: str, folder: Path) -> Commit:
    """The commit's files in folder, read-only for the repository (`git archive`: no
    worktree, index or ref is touched), with the fonts `make setup` copies (untracked:
    the .gitignore's NotoSans*[A-Za-z]-*) linked from this checkout, and its modules
    compiled, so its first run does not pay for that. Checks that its snapshotpdf is the
    one imported with PYTHONPATH=folder."""
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", "--format=tar", sha],
        capture_output=True,
        check=True,
    ).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "fonts").mkdir(exist_ok=True)
    for font in sorted((REPOSITORY / "fonts").glob("NotoSans*[A-Za-z]-*.tt[cf]")):
        if not (folder / "fonts" / font.name).exists():
            (folder / "fonts" / font.name).symlink_to(font)
    compile_modules(folder)
    commit = Commit(rev, sha, folder)
    where = subprocess.run(
        [sys.executable, "-c", "import snapshotpdf; print(snapshotpdf.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **commit.env},
        cwd=folder.parent,  # no snapshotpdf there: `python -c` imports from its cwd first
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(folder.resolve()):
        raise RuntimeError(f"PYTHONPATH={folder} still imports snapshotpdf from {where}")
    return commit


@dataclass(frozen=True)
class YardstickCheck:
    """The frozen yardstick's HTML against what the yardstick's commit rendered."""

    cities: int
    differ: tuple[str, ...]  # the cities whose HTML differs
    diff: Path | None  # a unified diff of the first of them

    def line(self) -> str:
        where = f"benchmarks/{YARDSTICK.name}/"
        if not self.differ:
            return (
                f"yardstick: {where} (the bundled layout of {YARDSTICK_REV}, frozen) makes the"
                f" HTML {YARDSTICK_REV}'s own code made, for {self.cities} of {self.cities} cities"
            )
        return (
            f"yardstick: WARNING: {where} makes other HTML than {YARDSTICK_REV}'s own code for"
            f" {len(self.differ)} of {self.cities} cities ({', '.join(self.differ[:3])}...):"
            f" the baselines have moved; see {self.diff}"
        )


def check_yardstick(survey: Path, commit: Commit, logs: Path) -> YardstickCheck:
    """Every city's HTML of the frozen yardstick (this checkout's code) against the HTML of
    the bundled layout under the yardstick's commit's own code: they must be the same."""
    frozen, then = logs / "yardstick-html.json", logs / f"html-{commit.rev}.json"
    subprocess.run(html_command(survey, frozen, "yardstick"), check=True, cwd=logs)
    command = html_command(survey, then, "bundled")
    subprocess.run(command, check=True, cwd=logs, env={**os.environ, **commit.env})
    mine, theirs = json.loads(frozen.read_text("utf-8")), json.loads(then.read_text("utf-8"))
    pairs = [(a, b) for a, b in zip(mine, theirs, strict=False) if a != b]
    differ = [a[0] for a, _ in pairs]
    if len(mine) != len(theirs):
        differ.append(f"{len(mine)} vs {len(theirs)} cities")
    diff = None
    if pairs:
        (city, html), (old_city, old_html) = pairs[0]
        diff = logs / "yardstick.diff"
        lines = difflib.unified_diff(
            old_html.splitlines(True),
            html.splitlines(True),
            f"{commit.rev} {old_city}",
            f"yardstick {city}",
        )
        diff.write_text("".join(lines), "utf-8")
    return YardstickCheck(len(theirs), tuple(differ), diff)


# ----------------------------------------------------------------------------------------
# 3. The report
# ----------------------------------------------------------------------------------------


def mib(kib: int | None) -> str:
    """KiB as whole MiB for the table; n/a when not measured."""
    return "n/a" if kib is None else f"{kib / 1024:.0f}"


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def cpu_count() -> int:
    """The CPUs this process may use (what --jobs auto uses)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_line(cities: int | str, seed: int) -> str:
    cpus = cpu_count()
    return (
        f"snapshotpdf {__version__} batch benchmark: {cities} cities, seed {seed},"
        f" {cpus} CPU(s), weasyprint {version('weasyprint')}, Python {sys.version.split()[0]},"
        f" load average {LOAD_AT_START:.2f} before the run (other work skews the times)"
    )


def jobs_note(jobs: bool) -> str:
    """How the builds ran: with --jobs auto, or in one process when there is no --jobs."""
    if not jobs:
        return (
            "note: `snapshotpdf build` has no --jobs option: parallel rendering is not"
            " implemented yet, so (b) renders in one process"
        )
    return f"builds ran with --jobs auto ({cpu_count()} CPU(s) here)"


LABEL_A = "(a)  plain WeasyPrint on the yardstick, with libharfbuzz-subset0 (as after make setup)"
LABEL_A0 = "(a0) plain WeasyPrint on the yardstick, no libharfbuzz-subset0 (as on a clean machine)"


def subsetting_note(step: Step) -> str:
    """Which subsetter a baseline's fonts went through, as the baseline counted it."""
    if step.subsetting is None:
        return "subsetter not reported"
    counts = ", ".join(f"{name} {count}" for name, count in step.subsetting.items())
    return f"fonts subset by {counts}"


@dataclass(frozen=True)
class Run:
    """What run_main measured, and what it could not."""

    steps: dict[str, Step]
    jobs: bool  # the build has --jobs
    then: str | None  # the label of (b1@REV) when it ran, e.g. "b1@1ce4500"
    notes: tuple[str, ...]  # how (b1@REV) ran, or why it did not; the yardstick check
    yardstick: YardstickCheck | None  # None: not checked (no YARDSTICK_REV in this repository)


def yes_no(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def format_report(run: Run, seed: int) -> str:
    """Two tables, the builds and the re-runs; CPU per city and its ratios; the targets."""
    steps = run.steps
    a, a0, b1, b, c, c2, d, e = (steps.get(k) for k in ("a", "a0", "b1", "b", "c", "c2", "d", "e"))
    assert a and b1 and b and c and c2 and d and e
    then = steps.get("then")
    named = [("(a) baseline", a), ("(a0) no hb-subset", a0), ("(b1) --jobs 1", b1)]
    named += [(f"({run.then})", then), ("(b) --jobs auto", b)]
    builds = [(label, step) for label, step in named if step]
    columns = [step for _, step in builds]
    rows = [
        ["wall time (s)", *(f"{s.seconds:.2f}" for s in columns)],
        ["wall ms per city", *(f"{s.ms_per_city:.1f}" for s in columns)],
        ["CPU time, all processes (s)", *(f"{s.cpu_seconds:.2f}" for s in columns)],
        ["CPU ms per city", *(f"{s.cpu_ms_per_city:.1f}" for s in columns)],
        ["peak RSS, largest process (MiB)", *(mib(s.largest_kib) for s in columns)],
        ["peak RSS, main process (MiB)", *(mib(s.memory.peak("main")) for s in columns)],
        ["peak RSS, one worker (MiB)", *(mib(s.memory.peak("worker")) for s in columns)],
        ["peak RSS, all processes (MiB)", *(mib(s.memory.total_peak or None) for s in columns)],
        ["worker processes started", *(str(s.memory.count("worker")) for s in columns)],
        ["PDFs in output folder", *(str(s.pdfs) for s in columns)],
        [
            f"PDFs over {SNAPSHOT_PAGES} pages",
            *("n/a" if s.long is None else str(s.long) for s in columns),
        ],
    ]
    again = [c, c2, d, e]
    rows_again = [
        ["wall time (s)", *(f"{s.seconds:.2f}" for s in again)],
        ["CPU time, all processes (s)", *(f"{s.cpu_seconds:.2f}" for s in again)],
        ["peak RSS, largest process (MiB)", *(mib(s.largest_kib) for s in again)],
        ["worker processes started", *(str(s.memory.count("worker")) for s in again)],
        ["PDFs in output folder", *(str(s.pdfs) for s in again)],
        ["replayed (no WeasyPrint, pandas import)", *(yes_no(s.replayed) for s in again)],
    ]
    header_again = ["", "(c) re-run", "(c2) re-run ./", "(d) one edit", "(e) floor"]
    skipped = "not run (--no-a0)"
    lines = [
        machine_line(a.cities, seed),
        jobs_note(run.jobs),
        *run.notes,
        "",
        table(["", *(label for label, _ in builds)], rows),
        "",
        table(header_again, rows_again),
        "",
        f"{LABEL_A}: {subsetting_note(a)}",
        f"{LABEL_A0}: {subsetting_note(a0) if a0 else skipped}",
    ]
    if a.subsetting and a.subsetting["HarfBuzz"] == 0:
        lines.append(
            "note: (a) did not use HarfBuzz's subsetter either: this machine has no usable"
            " libharfbuzz-subset0 (>= 4.1.0), so (a) is the clean-machine case too"
        )
    cpu = b1.cpu_ms_per_city
    speedup, share, over_floor = a.seconds / b.seconds, c.seconds / b.seconds, d.seconds / e.seconds
    lines += [
        "",
        "CPU per city, build --jobs 1 against the baselines (how many times less it takes):",
        f"  a/b1  = {a.cpu_ms_per_city / cpu:.2f}x   "
        + (f"a0/b1 = {a0.cpu_ms_per_city / cpu:.2f}x" if a0 else f"a0/b1: {skipped}"),
        f"  b1/a  = {cpu / a.cpu_ms_per_city:.3f}   (b1's CPU per city as a share of (a)'s; the"
        " yardstick does not move, so runs of any date compare)",
    ]
    if then:
        then_share = then.cpu_ms_per_city / a.cpu_ms_per_city
        lines.append(
            f"  b1/{run.then} = {cpu / then.cpu_ms_per_city:.3f}   ({cpu:.1f} ms now,"
            f" {then.cpu_ms_per_city:.1f} ms then; then/a = {then_share:.3f})"
        )
    lines += [
        "wall time, build --jobs auto against the baselines:",
        f"  a/b   = {speedup:.2f}x   "
        + (f"a0/b = {a0.seconds / b.seconds:.2f}x" if a0 else f"a0/b: {skipped}"),
        f"  c/b   = {share:.2%}   (the no-change re-run against the full build)",
        f"  d     = {d.seconds:.2f} s: {d.seconds / c.seconds:.1f}x the no-change re-run (c),"
        f" {d.seconds / b.seconds:.1%} of the full build (b), {over_floor:.2f}x the floor (e)",
        f"  c2/c  = {c2.seconds / c.seconds:.2f}x   (the re-run with ./survey from another folder)",
        "",
        "targets (issue 16):",
    ]
    targets: list[tuple[str, str, str]] = []
    if run.yardstick:
        same = run.yardstick.cities - len(run.yardstick.differ)
        targets.append(
            (
                f"the yardstick's HTML is {YARDSTICK_REV}'s (cities alike)",
                f"{same}/{run.yardstick.cities}",
                verdict(not run.yardstick.differ),
            )
        )
    if then:
        ratio = cpu / then.cpu_ms_per_city
        targets.append(
            (
                f"(b1) CPU per city <= {TARGET_JOBS1_CPU:.2f} of {run.then}'s",
                f"{ratio:.3f}",
                verdict(ratio <= TARGET_JOBS1_CPU),
            )
        )
    else:
        targets.append((f"(b1) CPU per city <= {TARGET_JOBS1_CPU:.2f} of today's", "", "not run"))
    targets += [
        (
            f"(b) at least {TARGET_SPEEDUP:g}x faster than (a), wall: a/b",
            f"{speedup:.2f}x",
            verdict(speedup >= TARGET_SPEEDUP),
        ),
        (
            f"(d) one edit within {TARGET_EDIT_OVER_FLOOR:g}x the floor (e): d/e",
            f"{over_floor:.2f}x",
            verdict(over_floor <= TARGET_EDIT_OVER_FLOOR),
        ),
        (
            "(c) re-run replayed, survey path absolute",
            yes_no(c.replayed),
            verdict(bool(c.replayed)),
        ),
        (
            "(c2) re-run replayed, survey path ./ from another folder",
            yes_no(c2.replayed),
            verdict(bool(c2.replayed)),
        ),
        (
            f"(c) under {TARGET_RERUN_SHARE:.0%} of (b): c/b",
            f"{share:.2%}",
            verdict(share < TARGET_RERUN_SHARE),
        ),
    ]
    width = max(len(name) for name, _, _ in targets)
    figure = max(len(value) for _, value, _ in targets)
    lines += [f"  {name:<{width}}  {value:>{figure}}  {ok}" for name, value, ok in targets]
    lines += [""] + [
        f"({label}) said: {step.summary}"
        for label, step in (
            ("b1", b1),
            (run.then or "", then),
            ("b", b),
            ("c", c),
            ("c2", c2),
            ("d", d),
        )
        if step
    ]
    return "\n".join(lines)


def format_sweep(steps: Sequence[Step], seed: int, jobs: bool, plan_only: bool = False) -> str:
    """Peak memory of one worker at the sweep's sizes, and the drift from the first (with
    plan_only: of the build's main process, its PDFs stubs)."""
    small, large = steps[0], steps[-1]
    per_worker = [s.memory.peak("worker") or s.memory.peak("main") for s in steps]
    rows = [
        ["cities", *(str(s.cities) for s in steps)],
        ["wall time (s)", *(f"{s.seconds:.1f}" for s in steps)],
        ["ms per city", *(f"{s.ms_per_city:.1f}" for s in steps)],
        ["CPU time, all processes (s)", *(f"{s.cpu_seconds:.1f}" for s in steps)],
        ["peak RSS, one worker (MiB)", *(mib(s.memory.peak("worker")) for s in steps)],
        ["peak RSS, main process (MiB)", *(mib(s.memory.peak("main")) for s in steps)],
        ["peak RSS, largest process (MiB)", *(mib(s.largest_kib) for s in steps)],
        ["peak RSS, all processes (MiB)", *(mib(s.memory.total_peak or None) for s in steps)],
        ["worker processes started", *(str(s.memory.count("worker")) for s in steps)],
    ]
    lines = [
        machine_line(" and ".join(str(s.cities) for s in steps), seed),
        (
            "memory sweep, (b) with stub PDFs made in its main process (--plan-only): what a"
            " build's main process holds, nothing a worker does"
            if plan_only
            else "memory sweep, (b) only; " + jobs_note(jobs)
        ),
        "",
        table(["", *(f"(b) {s.cities}" for s in steps)], rows),
        "",
    ]
    if per_worker[0] and per_worker[-1]:
        ratio = per_worker[-1] / per_worker[0]
        which = "one worker" if small.memory.peak("worker") else "the main process (no workers)"
        lines.append(
            f"peak RSS of {which}: {large.cities} vs {small.cities} cities = {ratio:.3f}x;"
            f" target within {TARGET_MEMORY_DRIFT:.0%}: "
            f"{verdict(abs(ratio - 1) <= TARGET_MEMORY_DRIFT)}"
        )
        mains = [s.memory.peak("main") for s in (small, large)]
        if small.memory.peak("worker") and mains[0] and mains[1]:
            ratio = mains[1] / mains[0]
            lines.append(
                f"peak RSS of the main process: {large.cities} vs {small.cities} cities ="
                f" {ratio:.3f}x; target within {TARGET_MEMORY_DRIFT:.0%}: "
                f"{verdict(abs(ratio - 1) <= TARGET_MEMORY_DRIFT)}"
            )
    else:
        lines.append("peak RSS per worker: not measured (no /proc on this system)")
    lines += [f"({s.cities}) said: {s.summary}" for s in steps]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The options; --keep must name a new or empty folder."""
    parser = argparse.ArgumentParser(
        description="Time plain WeasyPrint vs `snapshotpdf build` vs an unchanged re-run."
    )
    parser.add_argument("--cities", type=int, default=100, help="cities in the survey (100)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the survey (7)")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the survey, PDFs and logs in DIR (a new or empty folder)",
    )
    parser.add_argument(
        "--no-a0",
        dest="a0",
        action="store_false",
        help="skip step (a0), the baseline without HarfBuzz's font subsetter",
    )
    parser.add_argument(
        "--against",
        default=YARDSTICK_REV,
        metavar="REV",
        help=f"also run build --jobs 1 with commit REV's own code, to compare CPU per city"
        f" ({YARDSTICK_REV}, today's; none: skip)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=0,
        metavar="N",
        help="instead: run only (b1) and (b1@REV), N rounds, and print the median ratio",
    )
    parser.add_argument(
        "--pairs-ab",
        type=int,
        default=0,
        metavar="N",
        help="instead: run only (a) and (b), N rounds, and print the median a/b",
    )
    parser.add_argument(
        "--memory-sweep",
        action="store_true",
        help="instead: run only (b), at 100 and 1000 cities, and compare per-worker memory",
    )
    parser.add_argument(
        "--plan-only",
        action="store_true",
        help="with --memory-sweep: the build's main process alone, every PDF a stub made at"
        " once (minutes, not hours, at 10000 cities)",
    )
    parser.add_argument(
        "--sweep-sizes",
        type=int,
        nargs=2,
        default=(100, 1000),
        metavar=("SMALL", "LARGE"),
        help="city counts of --memory-sweep (100 1000)",
    )
    args = parser.parse_args(argv)
    if args.cities < 1 or min(args.sweep_sizes) < 1:
        parser.error("city counts must be at least 1")
    if args.pairs < 0 or (args.pairs and (args.memory_sweep or args.against.lower() == "none")):
        parser.error("--pairs N takes a positive N, an --against commit and no --memory-sweep")
    if args.pairs_ab < 0 or (args.pairs_ab and (args.memory_sweep or args.pairs)):
        parser.error("--pairs-ab N takes a positive N, and no --memory-sweep or --pairs")
    if args.plan_only and not args.memory_sweep:
        parser.error("--plan-only goes with --memory-sweep")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: choose a new or empty folder")
    return args


def compile_modules(folder: Path) -> None:
    """folder's snapshotpdf modules compiled, so that no step pays for compiling them: where
    PYTHONDONTWRITEBYTECODE is set (as on this project's machines) a checkout's bytecode
    goes stale, and every process compiles every changed module again (60 ms a process
    measured on 30 November 2026). Both sides of a comparison start compiled."""
    compile_all = [sys.executable, "-m", "compileall", "-q", str(folder / "snapshotpdf")]
    subprocess.run(compile_all, check=True, stdout=subprocess.DEVNULL)


def unpack_commits(rev: str | None, folder: Path) -> tuple[dict[str, Commit], list[str]]:
    """The commits to run: "then" (rev, for (b1@REV)) and "yardstick" (YARDSTICK_REV, for
    the yardstick check), unpacked once each in folder, and this checkout's modules
    compiled as theirs are; notes on what is missing."""
    compile_modules(REPOSITORY)
    commits: dict[str, Commit] = {}
    notes: list[str] = []
    by_sha: dict[str, Commit] = {}
    for role, wanted in (("yardstick", YARDSTICK_REV), ("then", rev)):
        if wanted is None:
            notes.append("(b1@REV): not run (--against none)")
            continue
        sha = resolve(wanted)
        if sha is None:
            what = "(b1@REV)" if role == "then" else "the yardstick check"
            notes.append(f"{what}: skipped, {wanted!r} is no commit of this repository")
            continue
        if sha not in by_sha:
            by_sha[sha] = unpack(wanted, sha, folder / f"{sha[:10]}")
        commits[role] = Commit(wanted, sha, by_sha[sha].tree)
    return commits, notes


def run_main(
    cities: int, seed: int, workdir: Path, jobs: bool, a0: bool = True, against: str | None = None
) -> Run:
    """Steps (a), (a0) unless a0 is False, (b1), (b1@REV) unless against is None, (b), (c),
    (c2), (d) and (e) on one synthetic survey, in that order; first the yardstick check."""
    survey = write_survey(workdir / f"survey-{cities}.xlsx", cities, seed, load_profile())
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    auto, one = ("auto", "1") if jobs else (None, None)
    commits_folder = workdir / "commits"
    try:
        commits, notes = unpack_commits(against, commits_folder)
        check = None
        if "yardstick" in commits:
            check = check_yardstick(survey, commits["yardstick"], logs)
            notes.append(check.line())
        baseline = workdir / "baseline"
        steps = {
            "a": measure("a-baseline", baseline_command(survey, baseline), cities, baseline, logs)
        }
        if a0:
            plain = workdir / "baseline-no-hb-subset"
            command = baseline_command(survey, plain, harfbuzz_subset=False)
            steps["a0"] = measure("a0-baseline-no-hb-subset", command, cities, plain, logs)
        single = workdir / "build-jobs1"
        command = build_command(survey, single, force=True, jobs=one)
        steps["b1"] = measure("b1-build-jobs1", command, cities, single, logs)
        label = None
        if "then" in commits:
            commit = commits["then"]
            label = f"b1@{commit.rev}"
            old = workdir / f"build-jobs1-{commit.sha[:10]}"
            old_jobs = "1" if supports_jobs(commit.env, cwd=logs) else None
            command = build_command(survey, old, force=True, jobs=old_jobs)
            steps["then"] = measure(
                f"b1-build-jobs1-{commit.sha[:10]}", command, cities, old, logs, env=commit.env
            )
            notes.append(
                f"({label}): commit {commit.sha[:10]}'s own code (its files from `git archive`,"
                f" PYTHONPATH), this venv, the same survey, build"
                + (" --jobs 1" if old_jobs else " (it has no --jobs)")
            )
    finally:
        shutil.rmtree(commits_folder, ignore_errors=True)
    built = workdir / "build"
    command = build_command(survey, built, force=True, jobs=auto)
    steps["b"] = measure("b-build", command, cities, built, logs)
    rerun = build_command(survey, built, force=False, jobs=auto)
    steps["c"] = measure("c-rerun", rerun, cities, built, logs, watch_imports=True)
    relative = build_command(f".{os.sep}{survey.name}", built, force=False, jobs=auto)
    steps["c2"] = measure(
        "c2-rerun-relative", relative, cities, built, logs, cwd=survey.parent, watch_imports=True
    )
    number = edited_city(cities)
    write_survey(survey, cities, seed, load_profile(), edited=number)  # the same path, edited
    steps["d"] = measure("d-one-edit", rerun, 1, built, logs)  # per city: the one rendered
    floor = workdir / "floor"
    steps["e"] = measure("e-floor", floor_command(survey, floor, number), 1, floor, logs)
    return Run(steps, jobs, label, tuple(notes), check)


def run_pairs(cities: int, seed: int, workdir: Path, jobs: bool, against: str, rounds: int) -> str:
    """(b1) and (b1@REV) only, one after the other, `rounds` times, the order swapped each
    round: the median of the rounds' ratios of CPU per city, which one busy minute of this
    shared machine cannot move as it moves a single run's (one run gave 0.61, the next
    three 0.72-0.78)."""
    survey = write_survey(workdir / f"survey-{cities}.xlsx", cities, seed, load_profile())
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    commits_folder = workdir / "commits"
    try:
        commits, notes = unpack_commits(against, commits_folder)
        if "then" not in commits:
            return "\n".join(notes)
        commit = commits["then"]
        one = "1" if jobs else None
        old_jobs = "1" if supports_jobs(commit.env, cwd=logs) else None
        lines = [
            machine_line(cities, seed),
            f"(b1) and (b1@{commit.rev}) alone, {rounds} rounds, the order swapped each round",
        ]
        commands = {
            "now": (build_command(survey, workdir / "pairs-now", force=True, jobs=one), None),
            "then": (
                build_command(survey, workdir / "pairs-then", force=True, jobs=old_jobs),
                commit.env,
            ),
        }
        paired = _paired(rounds, commands, cities, workdir, logs, lambda step: step.cpu_ms_per_city)
        ratios = []
        for number, ms in enumerate(paired):
            ratios.append(ms["now"] / ms["then"])
            lines.append(
                f"  round {number + 1}: (b1) {ms['now']:.1f} ms, (b1@{commit.rev})"
                f" {ms['then']:.1f} ms of CPU per city: {ratios[-1]:.3f}"
            )
    finally:
        shutil.rmtree(commits_folder, ignore_errors=True)
    median = statistics.median(ratios)
    verdict = "PASS" if median <= TARGET_JOBS1_CPU else "FAIL"
    lines.append(
        f"b1/b1@{commit.rev}, median of {rounds}: {median:.3f} (from {min(ratios):.3f} to"
        f" {max(ratios):.3f}); target <= {TARGET_JOBS1_CPU}: {verdict}"
    )
    return "\n".join(lines)


def _paired(
    rounds: int,
    commands: dict[str, tuple[list[str], dict[str, str] | None]],
    cities: int,
    workdir: Path,
    logs: Path,
    figure: Callable[[Step], float],
) -> Iterator[dict[str, float]]:
    """Each round's figure (of a Step, e.g. its wall ms per city) of every command (name:
    (command, env)), measured one after the other into an emptied folder workdir/pairs-NAME,
    the order reversed every other round."""
    names = list(commands)
    for number in range(rounds):
        figures = {}
        for name in names if number % 2 == 0 else names[::-1]:
            out = workdir / f"pairs-{name}"
            shutil.rmtree(out, ignore_errors=True)
            command, env = commands[name]
            step = measure(f"pairs-{number}-{name}", command, cities, out, logs, False, env=env)
            figures[name] = figure(step)
        yield figures


def run_pairs_ab(cities: int, seed: int, workdir: Path, jobs: bool, rounds: int) -> str:
    """(a) and (b) only, one after the other, `rounds` times, the order swapped each round:
    the median of the rounds' a/b (wall per city). A single run's (a) and (b) are minutes
    apart, and this shared machine's other tenants move one of them and not the other."""
    survey = write_survey(workdir / f"survey-{cities}.xlsx", cities, seed, load_profile())
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    auto = "auto" if jobs else None
    commands = {
        "a": (baseline_command(survey, workdir / "pairs-a"), None),
        "b": (build_command(survey, workdir / "pairs-b", force=True, jobs=auto), None),
    }
    lines = [
        machine_line(cities, seed),
        f"(a) and (b) alone, {rounds} rounds, the order swapped each round",
    ]
    ratios = []
    for number, ms in enumerate(
        _paired(rounds, commands, cities, workdir, logs, lambda step: step.ms_per_city)
    ):
        ratios.append(ms["a"] / ms["b"])
        lines.append(
            f"  round {number + 1}: (a) {ms['a']:.1f} ms, (b) {ms['b']:.1f} ms of wall per"
            f" city: a/b {ratios[-1]:.2f}x"
        )
    median = statistics.median(ratios)
    verdict = "PASS" if median >= TARGET_SPEEDUP else "FAIL"
    lines.append(
        f"a/b, median of {rounds}: {median:.2f}x (from {min(ratios):.2f}x to"
        f" {max(ratios):.2f}x); target >= {TARGET_SPEEDUP:g}x: {verdict}"
    )
    return "\n".join(lines)


def run_sweep(
    sizes: Sequence[int], seed: int, workdir: Path, jobs: bool, plan_only: bool = False
) -> list[Step]:
    """Step (b) alone at each size, each on its own survey and output folder; with
    plan_only, its main process alone, the PDFs stubs (run_plan_only)."""
    steps = []
    for cities in sizes:
        survey = write_survey(workdir / f"survey-{cities}.xlsx", cities, seed, load_profile())
        outdir = workdir / f"build-{cities}"
        if plan_only:
            command = plan_command(survey, outdir)
        else:
            command = build_command(survey, outdir, force=True, jobs="auto" if jobs else None)
        logs = workdir / "logs"
        steps.append(measure(f"b-build-{cities}", command, cities, outdir, logs, not plan_only))
    return steps


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with BASELINE_MODE first, step (a) or (a0) alone) and print
    the report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [BASELINE_MODE]:
        if len(argv) not in (3, 4) or argv[3:] not in ([], [NO_HB_SUBSET]):
            sys.exit(f"usage: batch.py {BASELINE_MODE} SURVEY OUT [{NO_HB_SUBSET}]")
        run_baseline(Path(argv[1]), Path(argv[2]), harfbuzz_subset=NO_HB_SUBSET not in argv)
        return 0
    if argv[:1] == [HTML_MODE]:
        if len(argv) != 4 or argv[3] not in ("yardstick", "bundled"):
            sys.exit(f"usage: batch.py {HTML_MODE} SURVEY OUT.json yardstick|bundled")
        write_html(Path(argv[1]), Path(argv[2]), argv[3])
        return 0
    if argv[:1] == [PLAN_MODE]:
        if len(argv) != 3:
            sys.exit(f"usage: batch.py {PLAN_MODE} SURVEY OUT")
        run_plan_only(Path(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == [FLOOR_MODE]:
        if len(argv) != 4:
            sys.exit(f"usage: batch.py {FLOOR_MODE} SURVEY OUT CITY-NUMBER")
        run_floor(Path(argv[1]), Path(argv[2]), int(argv[3]))
        return 0
    args = parse_args(argv)
    jobs = supports_jobs()
    with tempfile.TemporaryDirectory(prefix="snapshotpdf-bench-") as scratch:
        workdir: Path = args.keep.resolve() if args.keep else Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.memory_sweep:
            sizes = args.sweep_sizes
            what = "planning (stub PDFs)" if args.plan_only else "building"
            print(
                f"memory sweep: {what} {sizes[0]} then {sizes[1]} cities ...",
                file=sys.stderr,
                flush=True,
            )
            steps = run_sweep(sizes, args.seed, workdir, jobs, args.plan_only)
            report = format_sweep(steps, args.seed, jobs, args.plan_only)
        elif args.pairs_ab:
            print(f"paired (a)/(b): {args.pairs_ab} rounds ...", file=sys.stderr, flush=True)
            report = run_pairs_ab(args.cities, args.seed, workdir, jobs, args.pairs_ab)
        elif args.pairs:
            print(f"paired benchmark: {args.pairs} rounds ...", file=sys.stderr, flush=True)
            report = run_pairs(args.cities, args.seed, workdir, jobs, args.against, args.pairs)
        else:
            against = None if args.against.lower() == "none" else args.against
            names = "(a), (a0), (b1), (b1@REV), (b)-(e)" if args.a0 else "(a), (b1)-(e)"
            print(f"benchmark: {names} on {args.cities} cities ...", file=sys.stderr, flush=True)
            run = run_main(args.cities, args.seed, workdir, jobs, a0=args.a0, against=against)
            report = format_report(run, args.seed)
    print(report)
    if args.keep:
        print(f"kept: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
