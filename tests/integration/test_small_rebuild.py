"""A rebuild does only what changed: a survey read before is not read again (cache.py), a
city made from the same inputs is not made again to be fingerprinted (memo.py), and a few
stale cities are rendered by one worker forked warm from the fork server (Linux), or,
where workers are spawned, in the build's own process, without starting a worker
(workers.IN_PROCESS_CITIES); more, or a city whose renderer failed before, go to workers."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.helpers import ROOT, minimal_city, write_survey

from snapshotpdf.assets import package_file
from snapshotpdf.batch import cache, digest, memo, plan, rerun, workers
from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import Inputs
from snapshotpdf.reporter import Recorder, Reporter

# Workers started for a few stale cities: one forked warm, or none (rendered here).
FEW = 1 if workers.forked_workers() else 0
NAMES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta")
CITIES = [minimal_city(name, "Ruritania", mayor=f"Mayor of {name}") for name in NAMES]


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture(autouse=True)
def own_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """snapshotpdf's own files as the caches see them: fixed while this checkout may be
    edited (tests/unit/test_survey_cache.py checks that an edit counts)."""
    files = [package_file("version.py")]
    monkeypatch.setattr(digest, "own_files", lambda: files)


class Spy:
    """How often the wrapped functions were called."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.calls: dict[str, int] = {}

    def on(self, owner: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        self.calls[name] = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return original(*args, **kwargs)

        self.monkeypatch.setattr(owner, name, counted)


@pytest.fixture()
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy(monkeypatch)
    found.on(workers._WorkerPool, "_spawn")  # a worker process started
    found.on(plan._Content, "html")  # a city's HTML made to fingerprint it
    found.on(cache, "read_survey")  # the survey's file read (not its cache)
    return found


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One first build of the survey, made once for the module (with the fixed date and
    own files of the tests), which each test gets a copy of."""
    folder = tmp_path_factory.mktemp("pristine")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        files = [package_file("version.py")]
        patch.setattr(digest, "own_files", lambda: files)
        survey = write_survey(folder / "survey.xlsx", CITIES)
        first = build(Settings(inputs=Inputs(survey=survey), outdir=folder / "out", jobs=2))
    assert len(first.written) == len(NAMES) and first.exit_code() == 0
    return folder


@pytest.fixture()
def built(pristine: Path, tmp_path: Path) -> Settings:
    """A survey and the output folder of its first build, this test's own copy."""
    shutil.copytree(pristine, tmp_path, dirs_exist_ok=True)
    return Settings(inputs=Inputs(survey=tmp_path / "survey.xlsx"), outdir=tmp_path / "out", jobs=2)


def edit(settings: Settings, *names: str, **answers: object) -> None:
    assert settings.inputs.survey is not None
    rows = [dict(city, **answers) if city["city"] in names else city for city in CITIES]
    write_survey(settings.inputs.survey, rows)


def pdfs(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.outdir.glob("*.pdf"))}


def test_one_edited_city_is_rendered_by_one_warm_worker_or_here(built: Settings, spy: Spy) -> None:
    edit(built, "Gamma", spotlight="A new sentence about the city's pilots.")
    told = Recorder()
    result = build(built, told)
    assert [d.city for d in result.written] == ["Gamma"] and len(result.unchanged) == 6
    assert spy.calls["_spawn"] == FEW  # one worker forked warm, or none started
    assert spy.calls["html"] == 1  # Gamma's, to fingerprint it; no other city's
    assert spy.calls["read_survey"] == 1  # edited: read anew
    where = "(2 worker process(es))" if FEW else "in this process, or 2 worker process(es)"
    assert any(where in step for step in told.steps)
    assert rerun.replay(built, Reporter()) is not None  # and a re-run replays it


def test_where_workers_are_spawned_one_edited_city_is_rendered_here(
    built: Settings, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a machine without a fork server (macOS, Windows): no worker is started for
    a few cities, whose renders would not pay for its start."""
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("spawn"))
    edit(built, "Gamma", spotlight="A new sentence about the city's pilots.")
    told = Recorder()
    result = build(built, told)
    assert [d.city for d in result.written] == ["Gamma"] and spy.calls["_spawn"] == 0
    assert any("in this process, or 2 worker process(es)" in step for step in told.steps)
    more = NAMES[: workers.IN_PROCESS_CITIES + 1]
    edit(built, *more, mayor="Someone Else")
    assert sorted(d.city for d in build(built).written) == sorted(more)
    assert spy.calls["_spawn"] >= 1


def test_what_a_rebuild_here_makes_is_what_workers_make(
    built: Settings, tmp_path: Path, spy: Spy
) -> None:
    edit(built, "Gamma", "Delta", mayor="Someone Else")
    here = build(built)
    assert sorted(d.city for d in here.written) == ["Delta", "Gamma"]
    assert spy.calls["_spawn"] == FEW
    forced = replace(built, outdir=tmp_path / "forced", force=True)  # a first build: workers
    assert len(build(forced).written) == len(NAMES) and spy.calls["_spawn"] >= 1
    assert pdfs(built) == pdfs(forced)
    for name in ("manifest.json", "report.json"):
        ours, theirs = (json.loads((s.outdir / name).read_text()) for s in (built, forced))
        assert _without_status(ours) == _without_status(theirs), name


def _without_status(document: dict[str, Any]) -> dict[str, Any]:
    """A manifest or run report, what the build did aside (built, unchanged ...), its
    problems in any order (workers say them as their cities come back)."""
    drop = {"status", "exit_code", "counts"}
    cities = [{k: v for k, v in c.items() if k not in drop} for c in document.get("cities", [])]
    rows = [{k: v for k, v in r.items() if k not in drop} for r in document.get("rows", [])]
    problems = sorted(json.dumps(p, sort_keys=True) for p in document.get("problems", []))
    kept = {k: v for k, v in document.items() if k not in drop}
    return kept | {"cities": cities, "rows": rows, "problems": problems}


def test_more_cities_than_pay_for_a_worker_go_to_workers(built: Settings, spy: Spy) -> None:
    stale = NAMES[: workers.IN_PROCESS_CITIES + 1]
    edit(built, *stale, mayor="Someone Else")
    result = build(built)
    assert sorted(d.city for d in result.written) == sorted(stale)
    assert spy.calls["_spawn"] >= 1


def test_a_city_whose_renderer_died_is_rendered_in_a_worker_again(
    built: Settings, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(workers.CRASH_HOOK, "Beta")
    first = build(replace(built, force=True))
    assert [d.city for d, _ in first.failed] == ["Beta"]
    again = build(built)  # the one stale city crashes its renderer again: in a worker
    ((city, reason),) = again.failed
    assert city.city == "Beta" and "renderer process died" in reason
    assert spy.calls["_spawn"] >= 2
    monkeypatch.delenv(workers.CRASH_HOOK)
    assert [d.city for d in build(built).written] == ["Beta"]


def test_a_rebuild_with_nothing_changed_makes_no_html_and_reads_no_survey(
    built: Settings, spy: Spy
) -> None:
    before = pdfs(built)
    result = build(built)
    assert result.written == [] and len(result.unchanged) == len(NAMES)
    assert spy.calls == {"_spawn": 0, "html": 0, "read_survey": 0}
    assert pdfs(built) == before


def test_force_reads_the_survey_from_its_cache(built: Settings, spy: Spy) -> None:
    result = build(replace(built, force=True, jobs=0))  # (workers would change nothing here)
    assert len(result.written) == len(NAMES)
    assert spy.calls["read_survey"] == 0


def test_a_compared_answer_changed_makes_every_city_again(built: Settings, spy: Spy) -> None:
    edit(built, "Alpha", formal_strategy="No")  # every city's share of strategies moves
    result = build(replace(built, jobs=0))
    assert spy.calls["html"] >= len(NAMES)
    assert len(result.written) == len(NAMES)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"schema":1', '"schema":2'),
        lambda text: "\n".join(line[:40] for line in text.splitlines()) + "\n",
        lambda text: text.replace(text.splitlines()[-1], '{"end": 999}'),
    ],
    ids=["empty", "truncated", "schema", "garbled", "count"],
)
def test_a_damaged_memo_is_ignored(built: Settings, spy: Spy, damage: Callable[[str], str]) -> None:
    path = built.outdir / memo.MEMO
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    edit(built, "Gamma", mayor="Someone Else")
    result = build(built)
    assert [d.city for d in result.written] == ["Gamma"]
    assert spy.calls["html"] == len(NAMES)  # each made to know whether it is current


def test_a_memo_that_says_another_fingerprint_is_not_used(built: Settings, spy: Spy) -> None:
    """A city's memo line is used only while the manifest has the PDF of its fingerprint."""
    path = built.outdir / memo.MEMO
    lines = path.read_text(encoding="utf-8").splitlines()
    forged = []
    for line in lines:
        item = json.loads(line)
        if isinstance(item, list):
            item[2] = "0" * 64
        forged.append(json.dumps(item))
    path.write_text("\n".join(forged) + "\n", encoding="utf-8")
    build(built)
    assert spy.calls["html"] == len(NAMES)


def test_a_build_of_some_cities_keeps_the_memo_of_the_others(built: Settings, spy: Spy) -> None:
    edit(built, "Alpha", mayor="Someone Else")
    build(replace(built, cities=("Alpha",)))
    assert spy.calls["html"] == 1
    build(built)  # Alpha current now; the others remembered from the first build
    assert spy.calls["html"] == 1


def test_a_failed_build_leaves_no_temporary_files(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(built, "Gamma", mayor="Someone Else")

    def fail(self: object, jobs: Iterator[object]) -> Iterator[object]:
        for _job in jobs:  # every city found (the memo being written), then the disk is full
            pass
        yield from ()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workers.Renderers, "run", fail)
    with pytest.raises(Exception, match="No space left"):
        build(built)
    assert not [p for p in built.outdir.iterdir() if p.name.endswith(".tmp")]


def test_the_result_of_a_rebuild_is_the_same_as_a_whole_build(
    built: Settings, tmp_path: Path
) -> None:
    """From the cache and the memo, a rebuild says what a build from nothing says (in
    another order: a city's rendering warnings come as it is rendered)."""
    edit(built, "Gamma", website="ftp://gamma.example")  # a warning
    told_rebuild, told_fresh = Recorder(), Recorder()
    rebuilt = build(built, told_rebuild)
    fresh = build(replace(built, outdir=tmp_path / "fresh", jobs=0), told_fresh)
    assert sorted(map(str, rebuilt.problems)) == sorted(map(str, fresh.problems))
    assert sorted(map(str, told_rebuild.problems)) == sorted(map(str, told_fresh.problems))
    assert _counts(rebuilt) == _counts(fresh)


def _counts(result: BuildResult) -> tuple[int, ...]:
    return (result.data_rows, result.blank_rows, result.skipped, len(result.failed))


def test_a_rebuild_that_renders_nothing_imports_neither_a_reader_nor_weasyprint(
    built: Settings,
) -> None:
    """Not a replay (its record is gone), but every city current and the survey cached:
    no workbook reader, no WeasyPrint, no worker."""
    assert built.inputs.survey is not None
    (built.outdir / rerun.STATE).unlink()
    program = (
        "import sys\n"
        "from snapshotpdf.assets import package_file\n"
        "from snapshotpdf.batch import digest, workers\n"
        "from snapshotpdf.cli.app import app\n"
        "digest.own_files = lambda: [package_file('version.py')]  # as the fixture's\n"
        "spawned = []\n"
        "workers._WorkerPool._spawn = lambda self: spawned.append(1)\n"
        "try:\n"
        f"    app(['build', {str(built.inputs.survey)!r}, '-o', {str(built.outdir)!r}, '-q'])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, *(m in sys.modules for m in ('openpyxl', 'weasyprint')), spawned)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=env
    )
    assert run.stdout.split() == ["0", "False", "False", "[]"], run.stderr
    assert "0 PDF(s) written, 7 unchanged" in run.stderr
