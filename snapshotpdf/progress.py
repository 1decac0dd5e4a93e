"""How a long build shows its progress: a live bar on a terminal, periodic lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from snapshotpdf.batch import ProgressCallback

PROGRESS = logging.getLogger("snapshotpdf.progress")


class LogProgress:
    """A line every few seconds (and at the end): readable in CI logs and files."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int, city: str) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        left = (total - done) / rate if rate else 0.0
        PROGRESS.info(
            "%d/%d snapshots, %.1f/s, about %.0f s left (%s)", done, total, rate, left, city
        )


@contextmanager
def terminal_progress() -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr: count, rate, time left, the city just done. Log lines
    printed meanwhile appear above the bar."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("rendering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[city]}"),
    )
    with Progress(*columns, console=Console(stderr=True), redirect_stderr=True) as bar:
        handlers = [
            h
            for name in ("snapshotpdf.problems", "snapshotpdf.progress")
            for h in logging.getLogger(name).handlers
            if isinstance(h, logging.StreamHandler)
        ]
        streams = [h.setStream(sys.stderr) for h in handlers]  # through rich's redirect
        task = bar.add_task("rendering", total=None, rate="", city="")
        started = time.monotonic()

        def update(done: int, total: int, city: str) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(
                task, completed=done, total=total, rate=f"{rate:.1f}/s", city=city, refresh=True
            )

        try:
            yield update
        finally:
            for handler, stream in zip(handlers, streams, strict=True):
                if stream is not None:
                    handler.setStream(stream)
