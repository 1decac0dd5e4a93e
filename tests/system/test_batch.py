"""Parallel batches: a crash costs one city, a killed build resumes, output is stable."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support.helpers import minimal_city, write_survey

from snapshotpdf.batch import workers as batch
from snapshotpdf.batch.build import build
from snapshotpdf.batch.settings import Settings
from snapshotpdf.batch.workers import CRASH_HOOK
from snapshotpdf.models import Inputs

CITIES = [
    minimal_city(name, "Ruritania", mayor=f"Mayor of {name}", spotlight="Word " * 80)
    for name in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta")
]


@pytest.fixture
def survey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_survey(tmp_path / "survey.xlsx", CITIES)


def test_a_crashing_worker_costs_one_city(
    survey: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRASH_HOOK, "Beta")
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out", jobs=2))
    assert sorted(r.city for r, _ in result.written) == [
        "Alpha",
        "Delta",
        "Epsilon",
        "Gamma",
        "Zeta",
    ]
    ((record, reason),) = result.failed
    assert record.city == "Beta" and "renderer process died (killed by signal 9)" in reason
    assert result.exit_code() == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    status = {e["city"]: e["status"] for e in manifest["cities"]}
    assert status["Beta"] == "failed" and status["Alpha"] == "built"

    monkeypatch.delenv(CRASH_HOOK)
    again = build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out", jobs=2))
    assert [r.city for r, _ in again.written] == ["Beta"] and again.exit_code() == 0


def test_workers_and_in_process_give_the_same_bytes(
    survey: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "RECYCLE_AFTER", 2)  # fresh processes mid-batch change nothing
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "serial", jobs=0))
    build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "parallel", jobs=2))
    assert not list(scratch.glob("snapshotpdf-batch-*"))  # the batch's own folder is gone
    names = sorted(p.name for p in (tmp_path / "serial").glob("*.pdf"))
    assert len(names) == len(CITIES)
    for name in names:
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "parallel" / name
        ).read_bytes()


ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def _cli(survey: Path, outdir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snapshotpdf",
        "build",
        str(survey),
        "-o",
        str(outdir),
        "--jobs",
        "2",
        "-q",
    ]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The survey and what one uninterrupted build makes of it."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    survey = write_survey(folder / "survey.xlsx", CITIES)
    subprocess.run(_cli(survey, folder / "out"), check=True, capture_output=True, env=ENV)
    return survey, folder / "out"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_build_killed_at_any_moment_resumes_to_the_same_result(
    uninterrupted: tuple[Path, Path], tmp_path: Path, seed: int
) -> None:
    survey, reference = uninterrupted
    outdir = tmp_path / "killed"
    delay = random.Random(seed).uniform(1.0, 6.0)
    process = subprocess.Popen(
        _cli(survey, outdir),
        start_new_session=True,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, mid-flight
    process.wait()
    for pdf in outdir.glob("*.pdf"):  # whatever is under a final name is whole
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)

    subprocess.run(_cli(survey, outdir), check=True, capture_output=True, env=ENV)
    assert not list(outdir.glob(".*.tmp"))
    names = sorted(p.name for p in reference.glob("*.pdf"))
    assert len(names) == len(CITIES)
    assert sorted(p.name for p in outdir.glob("*.pdf")) == names
    for name in names:
        assert (outdir / name).read_bytes() == (reference / name).read_bytes(), name
