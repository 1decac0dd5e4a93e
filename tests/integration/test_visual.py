"""Visual regression: the pages of a few fixture snapshots look as approved.

A failure writes the rendered page and its difference beside each other in a temporary
folder (named in the message). If the change is intended: `make approve`, look, commit."""

from __future__ import annotations

import pytest
from PIL import Image
from support.pdfcheck import BuildOf
from support.visual import (
    CASES,
    MAX_CHANGED_SHARE,
    MAX_MEAN_DIFFERENCE,
    approved_paths,
    case_pdf,
    difference,
    mismatches,
    rasterise,
)


@pytest.mark.parametrize("name", list(CASES))
def test_pages_look_as_approved(built: BuildOf, name: str) -> None:
    approved = approved_paths(name)
    assert approved, f"no approved images for {name}: run make approve"
    pages = rasterise(case_pdf(built, name))
    assert len(pages) == len(approved), f"{name}: {len(pages)} pages, approved {len(approved)}"
    failures = mismatches(zip(pages, approved, strict=True))
    assert not failures, "; ".join(failures) + " (if intended: make approve, look, commit)"


def test_the_approved_images_are_small() -> None:
    images = [p for name in CASES for p in approved_paths(name)]
    assert images
    assert sum(p.stat().st_size for p in images) < 20_000 * len(images)
    for path in images:
        assert Image.open(path).size[0] < 400  # ~40 dpi


def test_the_comparison_sees_a_changed_page() -> None:
    """Not vacuous: another page, or the same page shifted by two pixels, fails."""
    first, second = (Image.open(p).convert("RGB") for p in approved_paths("screen-peru-lima"))
    changed, mean, _ = difference(first, second)
    assert changed > MAX_CHANGED_SHARE or mean > MAX_MEAN_DIFFERENCE
    shifted = Image.new("RGB", first.size, "white")
    shifted.paste(first, (0, 2))
    changed, mean, _ = difference(shifted, first)
    assert changed > MAX_CHANGED_SHARE or mean > MAX_MEAN_DIFFERENCE
