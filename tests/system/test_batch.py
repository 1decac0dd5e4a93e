"""Parallel batches: a crash costs one city, a killed build resumes, output is stable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
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
    assert sorted(d.city for d in result.written) == [
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
    assert [d.city for d in again.written] == ["Beta"] and again.exit_code() == 0


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


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The survey and what one uninterrupted build makes of it (rendered in this process:
    the bytes workers make, test_workers_and_in_process_give_the_same_bytes)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    survey = write_survey(folder / "survey.xlsx", CITIES)
    _build_here(survey, folder / "out")
    return survey, folder / "out"


def _build_here(survey: Path, outdir: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
        done = build(Settings(inputs=Inputs(survey=survey), outdir=outdir, jobs=0))
    assert done.exit_code() == 0, [str(p) for p in done.problems]


# A build in its own process group, killed (with its workers) at a chosen moment: after
# KILL_AFTER PDFs, told by the build's own reporter; or in the middle of the KILL_SAVE-th save
# of manifest.json, with the file half written under its temporary name. Nothing is timed.
KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from snapshotpdf import files
from snapshotpdf.batch import build as build_module, manifest
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import Inputs
from snapshotpdf.reporter import Reporter

survey, outdir, after, save = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def die():
    os.killpg(os.getpgrp(), signal.SIGKILL)

class KillAfter(Reporter):
    def progress(self, done, total, label):
        if done == after:
            die()

saves = []

def half_then_die(path, data):
    saves.append(path)
    if not save or len(saves) < save:
        return files.write_atomic(path, data)
    (path.parent / f".{path.name}.killed.tmp").write_bytes(data[: len(data) // 2])
    die()

manifest.write_atomic = half_then_die
build_module._ManifestSaver.INTERVAL = 0.0  # a save after every city
settings = Settings(inputs=Inputs(survey=Path(survey)), outdir=outdir, jobs=2)
build_module.build(settings, KillAfter())
"""


def _killed_build(survey: Path, outdir: Path, after: int = 0, save: int = 0) -> None:
    args = [str(survey), str(outdir), str(after), str(save)]
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, *args],
        start_new_session=True,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, err.decode(errors="replace")


def _resumes_to(survey: Path, outdir: Path, reference: Path) -> None:
    """Every PDF under a final name is whole; one more build gives the uninterrupted result.
    (That build runs here, as the uninterrupted one did; the killed one had workers.)"""
    for pdf in outdir.glob("*.pdf"):
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    _build_here(survey, outdir)
    assert not list(outdir.glob(".*.tmp"))
    names = sorted(p.name for p in reference.glob("*.pdf"))
    assert len(names) == len(CITIES)
    assert sorted(p.name for p in outdir.glob("*.pdf")) == names
    for name in names:
        assert (outdir / name).read_bytes() == (reference / name).read_bytes(), name
    assert _listed(outdir) == _listed(reference)


def _listed(outdir: Path) -> dict[str, tuple[object, ...]]:
    """What manifest.json says of each file (its status aside: built or unchanged)."""
    cities = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))["cities"]
    return {e["file"]: (e["sha256"], e["fingerprint"], e["pages"]) for e in cities}


@pytest.mark.parametrize("after", [1, 4])
def test_a_build_killed_after_k_pdfs_resumes_to_the_same_result(
    uninterrupted: tuple[Path, Path], tmp_path: Path, after: int
) -> None:
    survey, reference = uninterrupted
    outdir = tmp_path / "killed"
    _killed_build(survey, outdir, after=after)
    assert len(list(outdir.glob("*.pdf"))) == after  # the kill came right after the k-th
    _resumes_to(survey, outdir, reference)


@pytest.mark.parametrize("save", [1, 3])
def test_a_build_killed_while_saving_its_manifest_resumes_to_the_same_result(
    uninterrupted: tuple[Path, Path], tmp_path: Path, save: int
) -> None:
    survey, reference = uninterrupted
    outdir = tmp_path / "killed"
    _killed_build(survey, outdir, save=save)
    assert list(outdir.glob(".manifest.json.*.tmp"))  # it died mid-write
    listed = outdir / "manifest.json"
    if save == 1:
        assert not listed.exists()
    else:  # the last whole save is still there, and says what it said
        cities = json.loads(listed.read_text(encoding="utf-8"))["cities"]
        assert len(cities) == save - 1
    _resumes_to(survey, outdir, reference)
