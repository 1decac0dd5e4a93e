"""Batch speed benchmark: plain WeasyPrint vs `snapshotpdf build` vs an unchanged re-run.

Run:  .venv/bin/python benchmarks/batch.py [--cities N] [--seed S] [--keep DIR] [--no-a0]
                                           [--memory-sweep [--plan-only]]

One run writes a synthetic survey of N cities (the bundled sample profile's columns, valid
answers from snapshotpdf's vocabulary) and times, each in its own fresh process:

  (a)  baseline  one process renders every city's snapshotpdf HTML with plain WeasyPrint,
                 with libharfbuzz-subset0 (as after `make setup`, which installs it)
  (a0) baseline  exactly (a), but WeasyPrint cannot use HarfBuzz's subsetter and subsets
                 fonts with fontTools (as on a clean machine before `make setup`); --no-a0
                 skips it
  (b)  build     `snapshotpdf build SURVEY -o OUT --force -q [--jobs auto]`
  (c)  re-run    the same build again, nothing changed (the manifest lets it skip every city)

--memory-sweep runs only (b), at 100 and 1000 cities, and compares the peak memory of one
worker process and of the main process at both sizes; with --plan-only, every PDF is a stub
made at once in the build's own process, so the sweep measures the main process alone, in
minutes even at 10000 cities. See benchmarks/README.md for what each figure means.

This is a benchmark, not a test: pytest never collects it and nothing imports it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from snapshotpdf.assets import package_file
from snapshotpdf.models import Inputs
from snapshotpdf.survey import vocabulary
from snapshotpdf.version import __version__

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.workbook import write_xlsx  # noqa: E402  (the repository's one .xlsx writer)

PROFILE_FILE = package_file("survey/profiles/sample.toml")
SNAPSHOT_PAGES = 2  # the snapshot layout's length (layout.toml: pages)
BASELINE_MODE = "_baseline"  # hidden first argument: run step (a) or (a0) in this process
FLOOR_MODE = "_floor"  # hidden first argument: run step (e), the one-city floor, in this process
PLAN_MODE = "_plan"  # hidden first argument: a build with stub PDFs, its main process alone
EDIT = " This sentence was added to measure a one-edit rebuild."  # (d): one city's spotlight
NO_HB_SUBSET = "--no-harfbuzz-subset"  # after BASELINE_MODE SURVEY OUT: step (a0), not (a)
SUBSETTING_LINE = "font subsetting:"  # what the baseline prints: which subsetter ran
LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0

# Targets from the issue.
TARGET_SPEEDUP = 3.0  # (b) at least 3x faster than plain WeasyPrint: checked vs (a) and (a0)
TARGET_RERUN_SHARE = 0.02  # (c) under 2% of (b)
TARGET_MEMORY_DRIFT = 0.10  # per-worker peak at 1000 cities within 10% of that at 100
TARGET_EDIT_OVER_FLOOR = 1.3  # (d) one edited city rebuilt within 1.3x the floor (e)

# The measuring wrapper: runs one step as its child, then reports the step's wall time, the
# CPU time of all its processes and the largest peak RSS among them (RUSAGE_CHILDREN of this
# fresh process holds only this step; ru_maxrss is in KiB on Linux). Args: RESULT_JSON CMD...
WRAPPER = """\
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - start
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


def answers(rng: random.Random, profile: Profile, question: str, low: int, high: int) -> str:
    """low to high distinct options of a question, as the sample export writes them."""
    keys = rng.sample(vocabulary.options(question), rng.randint(low, high))
    return profile.separator.join(vocabulary.sample_answer(question, k) for k in keys)


def one_answer(rng: random.Random, question: str) -> str:
    """One option of a single-choice question, as the sample export writes it."""
    return vocabulary.sample_answer(question, rng.choice(vocabulary.options(question)))


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


def run_baseline(survey: Path, outdir: Path, harfbuzz_subset: bool = True) -> int:
    """Render every city's snapshotpdf HTML with plain WeasyPrint, default options.

    Deliberately plain, as WeasyPrint's documentation shows @font-face use: a new
    FontConfiguration and stylesheet per city (so the bundled fonts are loaded each time),
    no shared URL fetcher or image cache, nothing re-rendered when a city overflows.
    snapshotpdf.render.pdf is never imported here (it would pin fontconfig to the bundled fonts).

    harfbuzz_subset=True is step (a): WeasyPrint uses libharfbuzz-subset0 when the machine
    has it (it does after `make setup`). False is step (a0): the same, but WeasyPrint
    cannot use that library and subsets fonts with fontTools, as on a clean machine.
    Prints which subsetter ran (SUBSETTING_LINE). Returns the number of PDFs."""
    from snapshotpdf.batch.plan import read
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.batch.settings import creation_date
    from snapshotpdf.render.html import Renderer
    from snapshotpdf.render.layout import load_layout
    from snapshotpdf.survey.figures import survey_figures

    if "snapshotpdf.render.pdf" in sys.modules:
        raise RuntimeError(
            "the baseline must not import snapshotpdf.render.pdf (it pins fontconfig)"
        )
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    subsetting = count_subsetting()
    if not harfbuzz_subset:
        disable_harfbuzz_subset()
    records = read(Inputs(survey=survey), BuildResult())
    figures = survey_figures(records)
    layout = load_layout()
    renderer = Renderer(layout)
    created = creation_date(survey)  # as the build does, so the HTML is the same
    outdir.mkdir(parents=True, exist_ok=True)
    for index, record in enumerate(records):
        html = renderer.html(record, figures, created=created)
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
    return len(records)


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

    class StubRenderer:
        def __init__(self, layout_name: str) -> None:
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
    roles: dict[Process, str] = field(default_factory=dict)  # main, worker, other
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


def _descendants(root: int) -> list[tuple[int, int, int]]:
    """(pid, parent pid, depth) of every process below root; depth 1 = root's children."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_pids().items():
        children.setdefault(parent, []).append(pid)
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


def _role(cmdline: bytes, depth: int) -> str:
    """main: the step's own process; worker: a multiprocessing spawn child of it (the
    resource tracker and helper programs such as gcc, run by ctypes, are other)."""
    if depth == 1:
        return "main"
    return "worker" if depth == 2 and b"spawn_main" in cmdline else "other"


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
        it is left out, so it is neither counted twice nor mistaken for a worker."""
        total = 0
        tree = _descendants(self.root)
        cmdlines = {pid: _cmdline(pid) for pid in {self.root, *(pid for pid, _, _ in tree)}}
        for pid, parent, depth in tree:
            cmdline = cmdlines[pid]
            if not cmdline or cmdline == cmdlines[parent]:
                continue
            status = _status_kib(pid)
            if status is None:
                continue
            hwm, rss = status
            total += rss
            proc = (pid, cmdline)
            self.memory.roles.setdefault(proc, _role(cmdline, depth))
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

    @property
    def ms_per_city(self) -> float:
        return 1000 * self.seconds / max(self.cities, 1)


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


def measure(
    name: str, command: list[str], cities: int, outdir: Path, logs: Path, pages: bool = True
) -> Step:
    """Run command under a fresh wrapper process; its wall time, memory and PDFs (their
    pages counted unless pages is False: --plan-only's stubs have none)."""
    logs.mkdir(parents=True, exist_ok=True)
    result_file = logs / f"{name}.json"
    log_file = logs / f"{name}.log"
    wrapper = [sys.executable, "-c", WRAPPER, str(result_file), *command]
    with log_file.open("w") as log:
        process = subprocess.Popen(wrapper, stdout=log, stderr=subprocess.STDOUT, cwd=logs)
        sampler = TreeSampler(process.pid)
        sampler.start()
        process.wait()
        memory = sampler.stop()
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    output = log_file.read_text(errors="replace")
    if process.returncode != 0 or result.get("returncode") != 0:
        tail = "\n".join(output.splitlines()[-15:])
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
    )


# ----------------------------------------------------------------------------------------
# 2b/2c. The commands
# ----------------------------------------------------------------------------------------


def cli() -> list[str]:
    """The snapshotpdf command line, in the same virtualenv as this script."""
    return [sys.executable, "-m", "snapshotpdf"]


def supports_jobs() -> bool:
    """Whether `snapshotpdf build --help` lists a --jobs option."""
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}
    help_text = subprocess.run(
        [*cli(), "build", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    return "--jobs" in help_text


def build_command(survey: Path, outdir: Path, force: bool, jobs: bool) -> list[str]:
    """`snapshotpdf build` quietly into outdir; --force for (b), --jobs auto when it exists."""
    command = [*cli(), "build", str(survey), "-o", str(outdir), "-q"]
    return command + (["--force"] if force else []) + (["--jobs", "auto"] if jobs else [])


def floor_command(survey: Path, outdir: Path, number: int) -> list[str]:
    """This script in FLOOR_MODE: step (e), in a process of its own."""
    return [sys.executable, str(Path(__file__).resolve()), FLOOR_MODE, str(survey)] + [
        str(outdir),
        str(number),
    ]


def plan_command(survey: Path, outdir: Path) -> list[str]:
    """This script in PLAN_MODE: a build's main process alone (--plan-only)."""
    return [sys.executable, str(Path(__file__).resolve()), PLAN_MODE, str(survey), str(outdir)]


def baseline_command(survey: Path, outdir: Path, harfbuzz_subset: bool = True) -> list[str]:
    """This script in BASELINE_MODE: step (a), or (a0) without HarfBuzz's subsetter, in a
    process of its own."""
    command = [sys.executable, str(Path(__file__).resolve()), BASELINE_MODE]
    return command + [str(survey), str(outdir)] + ([] if harfbuzz_subset else [NO_HB_SUBSET])


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


LABEL_A = "(a)  plain WeasyPrint, with libharfbuzz-subset0 (as after make setup)"
LABEL_A0 = "(a0) plain WeasyPrint, no libharfbuzz-subset0 (as on a clean machine before make setup)"


def subsetting_note(step: Step) -> str:
    """Which subsetter a baseline's fonts went through, as the baseline counted it."""
    if step.subsetting is None:
        return "subsetter not reported"
    counts = ", ".join(f"{name} {count}" for name, count in step.subsetting.items())
    return f"fonts subset by {counts}"


def format_report(steps: dict[str, Step], seed: int, jobs: bool) -> str:
    """The side-by-side table of (a), (a0) when it ran, (b) and (c), ratios and targets."""
    a, a0, b, c = steps["a"], steps.get("a0"), steps["b"], steps["c"]
    d, e = steps["d"], steps["e"]
    columns = [a, *([a0] if a0 else []), b, c, d, e]
    header = [
        "",
        "(a) baseline",
        *(["(a0) no hb-subset"] if a0 else []),
        "(b) build",
        "(c) re-run",
        "(d) one edit",
        "(e) floor",
    ]
    rows = [
        ["wall time (s)", *(f"{s.seconds:.2f}" for s in columns)],
        ["ms per city", *(f"{s.ms_per_city:.1f}" for s in columns)],
        ["CPU time, all processes (s)", *(f"{s.cpu_seconds:.2f}" for s in columns)],
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
    speedup = a.seconds / b.seconds
    share = c.seconds / b.seconds
    skipped = "not run (--no-a0)"
    lines = [
        machine_line(a.cities, seed),
        jobs_note(jobs),
        "",
        table(header, rows),
        "",
        f"{LABEL_A}: {subsetting_note(a)}",
        f"{LABEL_A0}: {subsetting_note(a0) if a0 else skipped}",
    ]
    if a.subsetting and a.subsetting["HarfBuzz"] == 0:
        lines.append(
            "note: (a) did not use HarfBuzz's subsetter either: this machine has no usable"
            " libharfbuzz-subset0 (>= 4.1.0), so (a) is the clean-machine case too"
        )
    lines += [
        "",
        f"a/b  = {speedup:.2f}x   a/c  = {a.seconds / c.seconds:.1f}x",
        (
            f"a0/b = {a0.seconds / b.seconds:.2f}x   a0/c = {a0.seconds / c.seconds:.1f}x"
            if a0
            else f"a0/b, a0/c: {skipped}"
        ),
        f"c/b  = {share:.2%}",
        "",
        f"target: (b) at least {TARGET_SPEEDUP:g}x faster than plain WeasyPrint"
        " (the issue measured its baseline without libharfbuzz-subset0):",
        f"  a/b,  vs (a)  with libharfbuzz-subset0 (as after make setup):      "
        f"{speedup:.2f}x  {verdict(speedup >= TARGET_SPEEDUP)}",
    ]
    if a0:
        speedup0 = a0.seconds / b.seconds
        lines.append(
            f"  a0/b, vs (a0) without libharfbuzz-subset0 (as on a clean machine): "
            f"{speedup0:.2f}x  {verdict(speedup0 >= TARGET_SPEEDUP)}"
        )
    else:
        lines.append(
            f"  a0/b, vs (a0) without libharfbuzz-subset0 (as on a clean machine): {skipped}"
        )
    lines += [
        f"target: (c) under {TARGET_RERUN_SHARE:.0%} of (b): "
        f"{share:.2%}  {verdict(share < TARGET_RERUN_SHARE)}",
        "",
        f"(d) one edited city: {d.seconds:.2f} s = {d.seconds / c.seconds:.1f}x the no-change"
        f" re-run (c), {d.seconds / b.seconds:.1%} of the full build (b)",
        f"target: (d) within {TARGET_EDIT_OVER_FLOOR:g}x the floor (e) (start Python, read the"
        f" survey, import WeasyPrint, render one city cold): {d.seconds / e.seconds:.2f}x"
        f"  {verdict(d.seconds <= TARGET_EDIT_OVER_FLOOR * e.seconds)}",
        "",
        f"(b) said: {b.summary}",
        f"(c) said: {c.summary}",
        f"(d) said: {d.summary}",
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
    if args.plan_only and not args.memory_sweep:
        parser.error("--plan-only goes with --memory-sweep")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: choose a new or empty folder")
    return args


def run_main(cities: int, seed: int, workdir: Path, jobs: bool, a0: bool = True) -> dict[str, Step]:
    """Steps (a), (a0) unless a0 is False, (b) and (c) on one synthetic survey, in that order."""
    survey = write_survey(workdir / f"survey-{cities}.xlsx", cities, seed, load_profile())
    logs, baseline, built = workdir / "logs", workdir / "baseline", workdir / "build"
    steps = {"a": measure("a-baseline", baseline_command(survey, baseline), cities, baseline, logs)}
    if a0:
        plain = workdir / "baseline-no-hb-subset"
        command = baseline_command(survey, plain, harfbuzz_subset=False)
        steps["a0"] = measure("a0-baseline-no-hb-subset", command, cities, plain, logs)
    build = build_command(survey, built, force=True, jobs=jobs)
    steps["b"] = measure("b-build", build, cities, built, logs)
    rerun = build_command(survey, built, force=False, jobs=jobs)
    steps["c"] = measure("c-rerun", rerun, cities, built, logs)
    number = edited_city(cities)
    write_survey(survey, cities, seed, load_profile(), edited=number)  # the same path, edited
    steps["d"] = measure("d-one-edit", rerun, 1, built, logs)  # per city: the one rendered
    floor = workdir / "floor"
    steps["e"] = measure("e-floor", floor_command(survey, floor, number), 1, floor, logs)
    return steps


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
            command = build_command(survey, outdir, force=True, jobs=jobs)
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
        else:
            names = "(a), (a0), (b)-(e)" if args.a0 else "(a), (b)-(e)"
            print(f"benchmark: {names} on {args.cities} cities ...", file=sys.stderr, flush=True)
            steps = run_main(args.cities, args.seed, workdir, jobs, a0=args.a0)
            report = format_report(steps, args.seed, jobs)
    print(report)
    if args.keep:
        print(f"kept: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
