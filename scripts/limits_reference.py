"""Write docs/limits.md, every limit snapshotpdf sets, from snapshotpdf/limits.py itself:
each constant with its value and the comment above it, in the file's order.

Run: .venv/bin/python scripts/limits_reference.py            (or `make docs`)
     .venv/bin/python scripts/limits_reference.py --check    (`make lint`: exit 1 if stale)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # generated.py, beside us
from generated import COMMAND, ROOT, write_or_check  # noqa: E402

SOURCE = ROOT / "snapshotpdf" / "limits.py"
TARGET = ROOT / "docs" / "limits.md"


def limits_table(text: str) -> list[tuple[str, str, str]]:
    """(name, value as written, what it bounds) for each constant: the comment lines just
    above it, shared by the constants a comment introduces together."""
    lines = text.splitlines()
    found = []
    comment = ""
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        above = []
        row = node.lineno - 2
        while row >= 0 and lines[row].startswith("#"):
            above.insert(0, lines[row].lstrip("# ").rstrip())
            row -= 1
        comment = " ".join(above) or comment  # none: the one above its neighbour
        value = ast.get_source_segment(text, node.value) or ""
        found.append((node.targets[0].id, value, comment))
    return found


def page(text: str) -> str:
    doc = ast.get_docstring(ast.parse(text)) or ""
    out = [
        "# Limits",
        "",
        f"<!-- Generated from snapshotpdf/limits.py by `{COMMAND}`: do not edit by hand. -->",
        "",
        doc,
        "",
        "| limit | value | what it bounds |",
        "| --- | --- | --- |",
    ]
    for name, value, comment in limits_table(text):
        out.append(f"| `{name}` | `{value}` | {comment.replace('|', '/')} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    text = SOURCE.read_text(encoding="utf-8")
    sys.exit(write_or_check(__file__, TARGET, page(text), "snapshotpdf/limits.py", sys.argv[1:]))
