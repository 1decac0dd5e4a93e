"""A worker whose renderer cannot start (a layout that fails only where it is rendered:
an icon fontTools could not read made every worker exit with a traceback on the terminal
and every city 'renderer process died'): each city it is given fails with the reason."""

from __future__ import annotations

import multiprocessing
import signal
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
