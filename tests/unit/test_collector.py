"""The garbage collector while rendering (batch/workers.py): what the process held before
the first city is frozen (rendering_collector); the collector does not run while a city is
made, and looks once after it (city_collector); both are undone after, whatever happened
inside."""

from __future__ import annotations

import gc

import pytest

from snapshotpdf.batch.workers import city_collector, rendering_collector


def test_what_exists_before_the_first_city_is_frozen_until_the_end() -> None:
    assert gc.get_freeze_count() == 0
    with rendering_collector():
        assert gc.get_freeze_count() > 0  # the objects made so far are set aside
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # garbage made while rendering is still collected
    assert gc.get_freeze_count() == 0


def test_a_city_is_made_without_collecting_and_its_cycles_are_collected_after() -> None:
    assert gc.isenabled()
    found: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            found.append(info["collected"])

    gc.collect()
    gc.callbacks.append(seen)
    try:
        with city_collector():
            assert not gc.isenabled()
            for _ in range(50_000):  # far past the collector's own threshold
                cycle: list[object] = []
                cycle.append(cycle)
            del cycle
            assert found == []  # nothing collected while the city is made
    finally:
        gc.callbacks.remove(seen)
    assert gc.isenabled()
    assert found and sum(found) >= 50_000  # every cycle the city left, found after it


def test_the_collector_is_put_back_after_a_failure() -> None:
    with pytest.raises(RuntimeError), rendering_collector():
        raise RuntimeError("a city failed")
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), city_collector():
        raise RuntimeError("a city failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with city_collector():
            pass
        assert not gc.isenabled()  # as it was before
    finally:
        gc.enable()
