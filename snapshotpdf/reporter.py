"""How the library tells its user what happens: it never prints. Every long-running call takes
a Reporter and tells it of problems, steps and progress; only cli/ turns those into terminal
output (cli/output.py). The base class ignores everything, so a caller that does not care
(mail reading the survey for its contacts, a test) passes Reporter() or a Recorder.

Results come back as values that share one protocol, Outcome: a summary line, an exit code
and the problems found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from snapshotpdf.models import Problem, Severity


class Reporter:
    """Told what a run is doing. Subclass it and override what you show."""

    def problem(self, problem: Problem) -> None:
        """A problem with a place in the input: a cell, a row, a file."""

    def notice(self, severity: Severity, message: str) -> None:
        """A problem of the run as a whole (a missing library, a renderer warning about
        the booklet's cover): no cell to name."""

    def step(self, message: str) -> None:
        """A stage of the run begins, or one piece of work is done (shown unless quiet)."""

    def detail(self, message: str) -> None:
        """A detail for the curious (one PDF written): shown only when asked for."""

    def progress(self, done: int, total: int, label: str) -> None:
        """done of total pieces of work are finished; label names the last one."""


@dataclass
class Recorder(Reporter):
    """Keeps everything it is told, in order: for tests, and for callers that report later."""

    problems: list[Problem] = field(default_factory=list)
    notices: list[tuple[Severity, str]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    progressed: list[tuple[int, int, str]] = field(default_factory=list)

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def notice(self, severity: Severity, message: str) -> None:
        self.notices.append((severity, message))

    def step(self, message: str) -> None:
        self.steps.append(message)

    def detail(self, message: str) -> None:
        self.details.append(message)

    def progress(self, done: int, total: int, label: str) -> None:
        self.progressed.append((done, total, label))


class Outcome(Protocol):
    """What every command's result offers the command line."""

    @property
    def problems(self) -> list[Problem]: ...

    def summary(self) -> str: ...

    def exit_code(self, strict: bool = False) -> int: ...
