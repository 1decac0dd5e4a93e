"""The documentation tells the truth and holds together: docs/cli.md is what the commands'
--help says, docs/templates.md what the code gives templates, the README stays short, and
every relative link leads somewhere."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from support.helpers import ROOT

DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
# [text](target) and ![alt](target), target without spaces; an optional "title" after it
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def test_the_cli_reference_is_current() -> None:
    # A fresh interpreter: Typer reads its terminal settings when it is first imported.
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_the_template_reference_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "template_reference.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_the_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size <= 6144, f"README.md is {size} bytes; move the detail into docs/"


def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))  # no links inside code blocks
    text = re.sub(r"`[^`\n]*`", "", text)  # nor inside code spans
    return LINK.findall(text)


def anchors(page: Path) -> set[str]:
    """The heading anchors GitHub makes: lower case, punctuation dropped, spaces as -."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_points_to_an_existing_file(page: Path) -> None:
    found = links(page)
    if page == README:
        assert found, "the README links into docs/"
    broken = []
    for target in found:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto: ...
            continue
        path_part, _, fragment = target.partition("#")
        path = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not path.exists():
            broken.append(f"{target} (no {path})")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{target} (no heading #{fragment} in {path.name})")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"


def test_the_readme_image_exists_and_is_small() -> None:
    image = DOCS / "images" / "lima-1.png"
    assert "docs/images/lima-1.png" in README.read_text(encoding="utf-8")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size < 150 * 1024


def test_the_index_lists_every_page_of_the_manual() -> None:
    index = DOCS / "index.md"
    listed = {target.partition("#")[0] for target in links(index)}
    for page in DOCS.glob("*.md"):
        if page != index:
            assert page.name in listed, f"docs/index.md does not link to {page.name}"
