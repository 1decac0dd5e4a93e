"""What the scripts that generate a page of docs/ share: write it, or with --check say
whether the committed page is current (make lint runs them so; make docs writes)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "make docs"


def write_or_check(script: str, target: Path, wanted: str, source: str, argv: list[str]) -> int:
    """Write wanted to target, or with --check compare them: 1 when the page is stale
    (source: what it is generated from, for the message), 2 for another argument."""
    check = "--check" in argv
    if [arg for arg in argv if arg != "--check"]:
        print(f"usage: {Path(script).name} [--check]", file=sys.stderr)
        return 2
    where = target.relative_to(ROOT)
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != wanted:
            print(
                f"{where} is out of date with {source}; run `{COMMAND}`"
                f" (or .venv/bin/python scripts/{Path(script).name}) and commit it",
                file=sys.stderr,
            )
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(wanted, encoding="utf-8")
    print(f"wrote {where}")
    return 0
