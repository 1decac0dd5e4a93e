"""User layouts for tests: a folder holding only what it changes, extending the bundled one."""

from __future__ import annotations

from pathlib import Path


def user_layout(folder: Path, toml: str = "", files: dict[str, str | bytes] | None = None) -> Path:
    """A layout folder at folder with layout.toml's text (when given) and more files by
    their path inside it; everything else comes from the bundled layout it extends."""
    folder.mkdir(parents=True, exist_ok=True)
    if toml:
        (folder / "layout.toml").write_text(toml, "utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return folder
