"""Approve the current look: render the visual-regression cases into tests/approved/.

    make approve        (or: .venv/bin/python tests/support/approve_images.py)

Run it after a deliberate change of the layout, look at the images it wrote, and commit
them with the change; tests/integration/test_visual.py then holds the new look.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support.visual import approve  # noqa: E402


def main() -> None:
    for path in approve():
        print(
            f"approved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
        )


if __name__ == "__main__":
    main()
