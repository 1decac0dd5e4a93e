"""The terminal: the only place that shows what the library reports. Problems and notices
go to stderr as `error: ...` / `warning: ...` lines; steps unless --quiet; progress as a
rich bar on a terminal, as a line every few seconds elsewhere (CI logs, files), not at all
with --quiet. Every value from a survey is made safe for the terminal first: control and
bidi characters are shown as escapes, and rich never reads survey text as markup.
"""

from __future__ import annotations

import errno
import os
import sys
import time
import traceback
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import typer

from snapshotpdf.budget import TooLong
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import Problem, Severity
from snapshotpdf.reporter import Outcome, Reporter

_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_safe(text: str) -> str:
    """Text as it may reach a terminal: control characters (escape sequences, carriage
    returns, bell), line separators and bidi controls are shown as \\x.. / \\u....
    escapes; newlines, and joiners that scripts need, stay."""
    out = []
    for ch in text:
        unsafe = unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS or ch in "\u2028\u2029"
        if ch == "\n" or not unsafe:
            out.append(ch)
        elif ch in _BIDI_CONTROLS or ord(ch) > 0xFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\x{ord(ch):02x}")
    return "".join(out)


class TerminalReporter(Reporter):
    """Shows a run on stderr. quiet: only problems (and, from the command, the summary).
    doing, things: how its progress is named ("rendering", "12/100 snapshots"); always_last:
    without a terminal, the last progress line is said even when no line came before it
    (a run shorter than a line's interval: check says nothing then)."""

    def __init__(
        self,
        quiet: bool = False,
        stream: TextIO | None = None,
        doing: str = "rendering",
        things: str = "snapshots",
        always_last: bool = True,
    ) -> None:
        self.quiet = quiet
        self.stream = stream
        self.doing = doing
        self.bar: _Bar | None = None
        self.lines = _ProgressLines(self, things, always_last)

    def _print(self, text: str) -> None:
        safe = terminal_safe(text)
        if self.bar is not None:
            self.bar.print(safe)
        else:
            print(safe, file=self.stream or sys.stderr, flush=True)

    def problem(self, problem: Problem) -> None:
        self._print(str(problem))

    def notice(self, severity: Severity, message: str) -> None:
        self._print(f"{severity.value}: {message}")

    def step(self, message: str) -> None:
        if not self.quiet:
            self._print(message)

    def progress(self, done: int, total: int, label: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(done, total, terminal_safe(label))
        else:
            self.lines(done, total, label)

    @contextmanager
    def live(self) -> Iterator[TerminalReporter]:
        """Show progress as a bar while the block runs, when stderr is a terminal."""
        stream = self.stream or sys.stderr
        if self.quiet or not stream.isatty():
            yield self
            return
        with _Bar.shown(stream, self.doing) as bar:
            self.bar = bar
            try:
                yield self
            finally:
                self.bar = None


class _ProgressLines:
    """A line every few seconds (and at the end): readable in CI logs and files."""

    def __init__(
        self,
        reporter: TerminalReporter,
        things: str = "snapshots",
        always_last: bool = True,
        every: float = 5.0,
    ) -> None:
        self.reporter = reporter
        self.things = things
        self.always_last = always_last
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        if done >= total and not self.always_last and self.last == self.started:
            return  # a short run: no line came before this last one
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        left = (total - done) / rate if rate else 0.0
        self.reporter.step(
            f"{done}/{total} {self.things}, {rate:.1f}/s, about {left:.0f} s left ({label})"
        )


class _Bar:
    """A rich progress bar: count, rate, time left, the city just done. Lines printed
    meanwhile appear above it. Survey text is passed as plain text, never as markup."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task = progress.add_task("rendering", total=None, rate="", city="")
        self.started = time.monotonic()

    @classmethod
    @contextmanager
    def shown(cls, stream: TextIO, doing: str = "rendering") -> Iterator[_Bar]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn(doing, markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}", markup=False),
            TimeRemainingColumn(),
            TextColumn("{task.fields[city]}", markup=False),
        )
        with Progress(*columns, console=Console(file=stream)) as progress:
            yield cls(progress)

    def update(self, done: int, total: int, label: str) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(
            self.task, completed=done, total=total, rate=f"{rate:.1f}/s", city=label, refresh=True
        )

    def print(self, text: str) -> None:
        from rich.text import Text

        self.progress.console.print(Text(text), soft_wrap=True)


def finish(outcome: Outcome, strict: bool = False) -> None:
    """The command's last word: its summary line on stderr, then its exit code."""
    typer.echo(terminal_safe(outcome.summary()), err=True)
    raise typer.Exit(outcome.exit_code(strict))


# The exit code of a command stopped by Ctrl-C (SIGINT), as shells give it: 128 + 2.
INTERRUPTED = 130


# Set, a failure snapshotpdf did not foresee also prints its traceback (for a bug report).
DEBUG = "SNAPSHOTPDF_DEBUG"


@contextmanager
def reported_errors(
    interrupted: str = "it stopped before its end; run the same command again",
) -> Iterator[None]:
    """A SnapshotError raised in the block becomes one "error: ..." line (with its hint) on
    stderr and the error's exit code: never a traceback. Ctrl-C becomes one "interrupted:"
    line saying what the command kept and how to go on (interrupted), and exit code 130;
    an OSError no step turned into a SnapshotError, one "error:" line naming the path."""
    try:
        yield
    except SnapshotError as exc:
        typer.echo(f"error: {terminal_safe(str(exc))}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except TooLong as exc:  # a layout that loops (budget.py): the limit it ran past
        typer.echo(f"error: {terminal_safe(str(exc))}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(f"interrupted: {interrupted}", err=True)
        raise typer.Exit(INTERRUPTED) from None
    except OSError as exc:  # a path the system refuses (a name too long): never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {terminal_safe(where)}{exc.strerror or exc}", err=True)
        if exc.errno == errno.ENAMETOOLONG:
            typer.echo("  hint: a file or folder name has at most 255 bytes", err=True)
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort):  # the command's own way out, with its exit code
        raise
    except MemoryError:
        typer.echo("error: the machine ran out of memory", err=True)
        typer.echo("  hint: close other programs, or build fewer cities at once (--city)", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # a mistake of snapshotpdf's own: one line, never a traceback
        if os.environ.get(DEBUG):
            traceback.print_exc()
        typer.echo(
            f"error: snapshotpdf failed unexpectedly ({type(exc).__name__}:"
            f" {terminal_safe(str(exc))[:300]})",
            err=True,
        )
        typer.echo(
            f"  hint: this is a bug; run again with {DEBUG}=1 to see where, and report it",
            err=True,
        )
        raise typer.Exit(2) from None
