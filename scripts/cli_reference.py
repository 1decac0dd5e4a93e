"""Write docs/cli.md, the command-line reference, from the commands' own --help.

Run: .venv/bin/python scripts/cli_reference.py            (or `make docs`)
     .venv/bin/python scripts/cli_reference.py --check    (`make lint`: exit 1 if stale)

The help is rendered the same way on every machine: 100 columns, no colour, no terminal
(Typer reads some of these settings when it is imported, so they are set before that).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # generated.py, beside us
from generated import COMMAND, ROOT, write_or_check  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"
WIDTH = 100
ENV = {
    "COLUMNS": str(WIDTH),
    "LINES": "50",
    "TERMINAL_WIDTH": str(WIDTH),
    "TERM": "dumb",
    "NO_COLOR": "1",
    "_TYPER_FORCE_DISABLE_TERMINAL": "1",
}
# Settings that would make rich (under Typer) colour or size the help differently.
UNSET = ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "CLICOLOR_FORCE", "JUPYTER_COLUMNS")

os.environ.update(ENV)
for _name in UNSET:
    os.environ.pop(_name, None)
sys.path.insert(0, str(ROOT))

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from snapshotpdf.cli.app import app  # noqa: E402

PROG = "snapshotpdf"


def commands() -> list[list[str]]:
    """Every command path, the root first, then each command and its sub-commands in the
    order the app registers them: [], ["build"], ..., ["profile"], ["profile", "init"]."""
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        if hasattr(command, "list_commands"):  # a group (Typer's own Click, or Click's)
            ctx = command.context_class(command, info_name=PROG)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])

    walk(root, [])
    return found


def help_text(path: list[str]) -> str:
    """One command's --help, as a user at a 100-column terminal without colour sees it."""
    result = CliRunner().invoke(
        app, [*path, "--help"], env={**ENV, **dict.fromkeys(UNSET)}, prog_name=PROG
    )
    if result.exit_code != 0:
        raise SystemExit(f"{PROG} {' '.join(path)} --help failed:\n{result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def reference() -> str:
    """docs/cli.md's text."""
    parts = [
        "# Command-line reference",
        "",
        f"Generated from each command's `--help` by `{COMMAND}` (scripts/cli_reference.py);"
        " do not edit by hand. `make lint` fails when this file is out of date.",
        "",
    ]
    paths = commands()
    parts.append("Commands:")
    parts.append("")
    for path in paths:
        name = " ".join([PROG, *path])
        anchor = name.replace(" ", "-")
        parts.append(f"- [`{name}`](#{anchor})")
    parts.append("")
    for path in paths:
        parts += [f"## {' '.join([PROG, *path])}", "", "```text", help_text(path), "```", ""]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    return write_or_check(__file__, TARGET, reference(), "the commands' --help", argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
