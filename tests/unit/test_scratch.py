"""Temporary folders: a killed run's are removed by the next run, a running one's never."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from snapshotpdf.files import scratch_folder


def test_folders_of_runs_that_died_are_removed_and_live_ones_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / "snapshotpdf-batch-999999999-x1"  # no such process
    alive = tmp_path / f"snapshotpdf-batch-{os.getppid()}-x2"  # a process that runs
    other = tmp_path / "snapshotpdf-fc-999999999-x3"  # another kind: not this call's
    mine = tmp_path / "someone-elses-999999999"
    for folder in (dead, alive, other, mine):
        folder.mkdir()
    made = scratch_folder("batch")
    assert made.is_dir() and made.name.startswith(f"snapshotpdf-batch-{os.getpid()}-")
    assert not dead.exists()
    assert alive.exists() and other.exists() and mine.exists()
