"""What reaches the terminal: survey text never runs as rich markup or as escape sequences,
and a name that looks like markup cannot crash a build's progress bar."""

from __future__ import annotations

import io

import pytest

from snapshotpdf.cli.output import TerminalReporter, terminal_safe
from snapshotpdf.models import Location, Problem, Severity


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Lima\x1b[31m red", "Lima\\x1b[31m red"),
        ("bell\x07", "bell\\x07"),
        ("carriage\rreturn", "carriage\\x0dreturn"),
        ("A\u202eB", "A\\u202eB"),  # a right-to-left override cannot reorder the line
        ("line\u2028sep", "line\\u2028sep"),
        ("Łódź, 東京, القاهرة", "Łódź, 東京, القاهرة"),
        ("ਪਟਿਆਲਾ\u200d", "ਪਟਿਆਲਾ\u200d"),  # a joiner a script needs stays
        ("two\nlines", "two\nlines"),
    ],
)
def test_terminal_safe_shows_controls_as_escapes(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


@pytest.mark.parametrize("name", ["Lima [/]", "[bold red]Lima", "Lima [link=http://x]y[/link]"])
def test_a_name_that_looks_like_markup_is_shown_as_typed_on_a_terminal(name: str) -> None:
    terminal = FakeTerminal()
    reporter = TerminalReporter(stream=terminal)
    problem = Problem(Severity.WARNING, Location("s.xlsx", None, 2), f"{name}: a warning")
    with reporter.live():
        assert reporter.bar is not None  # the rich bar, as on a real terminal
        reporter.step(f"Step 1 - reading {name}")
        reporter.problem(problem)
        reporter.progress(1, 2, name)
        reporter.progress(2, 2, name)
    shown = terminal.getvalue()
    assert f"{name}: a warning" in shown and f"reading {name}" in shown


def test_quiet_shows_problems_only() -> None:
    terminal = io.StringIO()
    reporter = TerminalReporter(quiet=True, stream=terminal)
    reporter.step("Step 1")
    reporter.progress(1, 1, "Lima")
    reporter.notice(Severity.WARNING, "about the run\x1b[2J")
    assert terminal.getvalue() == "warning: about the run\\x1b[2J\n"
