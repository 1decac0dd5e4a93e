"""The garbage collector while rendering (batch/workers.py, rendering_collector): what the
process held before the first city is frozen, the young generation is looked at every
GC_YOUNG new objects, and both are undone after, whatever happened inside."""

from __future__ import annotations

import gc

import pytest

from snapshotpdf.batch.workers import GC_YOUNG, rendering_collector


def test_the_collector_is_set_for_rendering_and_put_back() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with rendering_collector():
        assert gc.get_threshold() == (GC_YOUNG, *before[1:])
        assert gc.get_freeze_count() > 0  # the objects made so far are set aside
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # garbage made while rendering is still collected
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_put_back_after_a_failure() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rendering_collector():
        raise RuntimeError("a city failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
