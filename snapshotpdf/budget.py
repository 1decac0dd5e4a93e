"""A time budget for work that data or a layout could make endless: a layout template's
loops in loops (each bounded, their product not), or WeasyPrint laying out what a hostile
stylesheet asks. The limit itself is limits.MAX_RENDER_SECONDS."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from snapshotpdf import limits


class TooLong(BaseException):
    """The work ran past its time budget (time_budget). Not an Exception: whatever the
    code it stops catches, it goes on to the budget's owner."""


_ARMED = threading.Event()  # a budget is running (in the main thread: the only one armed)


@contextlib.contextmanager
def time_budget(seconds: float, says: str) -> Iterator[None]:
    """TooLong(says) is raised in the block once it has run for `seconds`, wherever it is,
    at its next line of Python. Only a process's main thread can be told so (a signal): in
    another thread, as in the previewer's, the block has no budget. Inside a running
    budget, the outer one holds; a process whose own alarm is set (a test runner's
    timeout) keeps it, and the block has no budget of its own."""
    if (
        threading.current_thread() is not threading.main_thread()
        or _ARMED.is_set()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def expired(_signal: int, _frame: object) -> None:
        raise TooLong(says)

    previous = signal.signal(signal.SIGALRM, expired)
    _ARMED.set()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _ARMED.clear()


def render_budget(what: str) -> contextlib.AbstractContextManager[None]:
    """The budget of making one snapshot, or one page of a layout's own (a booklet's
    cover): limits.MAX_RENDER_SECONDS, read when the budget starts."""
    seconds = limits.MAX_RENDER_SECONDS
    return time_budget(
        seconds,
        f"{what} took longer than {seconds:g} s to make (limits.MAX_RENDER_SECONDS): the"
        " layout's template or stylesheets may loop for too long; check the layout with"
        " `snapshotpdf layout check`",
    )
