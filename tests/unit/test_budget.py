"""A time budget (budget.py): the work is stopped where it is once its time is up, the
signal's handler and timer are put back after, an inner budget leaves the outer one in
charge, and another thread than the main one has none."""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import pytest

from snapshotpdf.budget import TooLong, time_budget


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_work_past_its_budget_is_stopped_where_it_is() -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(TooLong, match="the loop"), time_budget(0.05, "the loop"):
        _spin(10)
    assert time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_exception_handler_in_the_work_does_not_keep_it_going() -> None:
    def stubborn() -> None:
        with contextlib.suppress(Exception):  # what a library does with its own errors
            _spin(10)

    with pytest.raises(TooLong), time_budget(0.05, "stubborn"):
        stubborn()


def test_work_within_its_budget_runs_and_nothing_fires_after() -> None:
    with time_budget(0.2, "quick"):
        _spin(0.01)
    _spin(0.3)  # the timer is off: no TooLong now


def test_an_inner_budget_leaves_the_outer_in_charge() -> None:
    with pytest.raises(TooLong, match="outer"), time_budget(0.05, "outer"):
        with time_budget(10, "inner"):
            pass
        _spin(10)


def test_another_thread_has_no_budget() -> None:
    done: list[bool] = []

    def work() -> None:
        with time_budget(0.01, "thread"):
            _spin(0.1)
        done.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert done == [True]


def test_an_alarm_the_process_set_itself_is_kept() -> None:
    fired: list[int] = []
    before = signal.signal(signal.SIGALRM, lambda number, frame: fired.append(number))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with time_budget(0.01, "ours"):
            _spin(0.05)  # past our budget: not ours to stop, the process's alarm holds
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
        _spin(0.3)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
