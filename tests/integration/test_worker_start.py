"""A worker whose renderer cannot start (a layout that fails only where it is rendered:
an icon fontTools could not read made every worker exit with a traceback on the terminal
and every city 'renderer process died'): each city it is given fails with the reason."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from snapshotpdf.batch import workers
from snapshotpdf.models import CityRecord, Location, SurveyFigures


def test_a_renderer_that_cannot_start_fails_each_city_with_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", tempfile.gettempdir())
    monkeypatch.setenv("TMPDIR", tempfile.gettempdir())
    parent, child = multiprocessing.Pipe()
    lima = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")
    parent.send(workers.Job(7, lima, SurveyFigures(1, {}), "a4", None))
    parent.send(None)  # then stop
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        workers._worker_main(child, str(tmp_path / "no-layout"), str(tmp_path), "screen")
    finally:
        signal.signal(signal.SIGINT, interrupt)
    result = parent.recv()
    assert result.index == 7 and result.pdf is None
    assert result.error.startswith("the renderer could not start: LayoutError: no layout")


def test_a_script_without_a_main_guard_builds_with_workers_and_runs_once(tmp_path: Path) -> None:
    """A worker does not run the parent's main module again (workers._without_main_module):
    a library user's script that builds at its top level, with no `if __name__ ==
    "__main__"` guard, runs once and its workers render, instead of each worker running the
    script again (multiprocessing's bootstrapping error, and the build lost)."""
    runs = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from snapshotpdf.batch import workers\n"
        "from snapshotpdf.models import CityRecord, Location, SurveyFigures\n"
        f"with open({str(runs)!r}, 'a') as runs:\n"
        "    runs.write('run\\n')\n"
        "lima = CityRecord(source=Location('s.xlsx', 'Responses', 2), city='Lima',"
        " country='Peru')\n"
        "jobs = [workers.Job(i, lima, SurveyFigures(1, {}), 'a4', None) for i in range(2)]\n"
        "with workers.Renderers('snapshot', 1) as renderers:\n"
        "    done = list(renderers.run(jobs))\n"
        "print(sorted((r.index, r.error, r.pdf.pages) for r in done))\n",
        encoding="utf-8",
    )
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[(0, None, 1), (1, None, 1)]"
    assert runs.read_text() == "run\n"


def _lima_jobs(count: int) -> list[workers.Job]:
    lima = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")
    return [workers.Job(i, lima, SurveyFigures(1, {}), "a4", None) for i in range(count)]


@pytest.mark.skipif(
    workers._context().get_start_method() != "forkserver", reason="workers are spawned here"
)
def test_a_forked_worker_takes_the_build_environment_not_the_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers fork from a server that keeps the environment of its own start: a variable
    the build sets later still reaches them (here the crash hook, which kills the worker
    that renders Lima), and the worker's death is told with its signal, as a spawned
    one's."""
    with workers.Renderers("snapshot", 1) as renderers:  # the server is up from here on
        first = list(renderers.run(_lima_jobs(1)))
    assert first[0].error is None and first[0].pdf.pages == 1
    monkeypatch.setenv(workers.CRASH_HOOK, "Lima")
    with workers.Renderers("snapshot", 1) as renderers:
        crashed = list(renderers.run(_lima_jobs(1)))
    assert crashed[0].error == "the renderer process died (killed by signal 9)"


def test_a_worker_keeps_its_own_fonts_and_takes_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """workers._take_environment: the build's variables, set and unset as in the build; the
    fontconfig file stays the process's own (the bundled fonts), or unset until the renderer
    loads, whatever the build's says."""
    monkeypatch.setattr(os, "environ", {})  # a plain copy: nothing reaches the C library
    os.environ.update({"FONTCONFIG_FILE": "/ours/fonts.conf", "SERVER_ONLY": "1"})
    workers._take_environment({"BUILD": "yes", "FONTCONFIG_FILE": "/theirs/fonts.conf"})
    assert dict(os.environ) == {"BUILD": "yes", "FONTCONFIG_FILE": "/ours/fonts.conf"}
    os.environ.clear()
    workers._take_environment({"BUILD": "yes", "FONTCONFIG_FILE": "/theirs/fonts.conf"})
    assert dict(os.environ) == {"BUILD": "yes"}


def test_a_worker_renders_its_next_city_while_the_last_one_is_handed_on() -> None:
    """A finished worker is given its next city before its outcome goes to the caller (who
    writes the PDF and records it): it does not wait for that."""
    with workers.Renderers("snapshot", 1) as renderers:
        outcomes = renderers.run(_lima_jobs(2))
        first = next(outcomes)
        assert renderers.pool is not None
        held = [worker.job.index for worker in renderers.pool.workers if worker.job]
        rest = list(outcomes)
    assert (first.index, held, [outcome.index for outcome in rest]) == (0, [1], [1])
    assert first.error is None and rest[0].error is None


def _server_start(hint: str, scratch: Path) -> subprocess.CompletedProcess[str]:
    """What a fork server does as it starts (imports batch/preload.py) with SERVER_WARMS
    set to hint, in a Python of its own (TMPDIR: scratch) that then says what it holds,
    and exits."""
    check = (
        "import gc\n"
        "import snapshotpdf.batch.preload\n"
        "from snapshotpdf.batch import workers\n"
        "warm = [(key[0], sorted(r.makers)) for key, r in workers._WARM.items()]\n"
        "print(warm, gc.get_freeze_count() > 0)\n"
    )
    env = {**os.environ, workers.SERVER_WARMS: hint, "TMPDIR": str(scratch)}
    return subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, env=env
    )


def test_a_fork_server_warms_the_builds_renderer_and_exits_quietly(tmp_path: Path) -> None:
    """The server warms the renderer its workers are forked with, sets it aside from the
    collector, and at its exit lets it go while Python is whole: its fonts' temporary
    folders are removed, without a word ("Exception ignored in FontConfiguration.__del__"
    would reach the build's terminal, and the folders stay)."""
    done = _server_start('["snapshot", "print"]', tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('snapshot', ['print'])] True"
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("hint", ["", "not json", '["no-such-layout", "screen"]', "[1, 2]"])
def test_a_fork_server_with_nothing_it_can_warm_starts_all_the_same(
    hint: str, tmp_path: Path
) -> None:
    done = _server_start(hint, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True" and done.stderr == ""
