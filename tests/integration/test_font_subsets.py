"""Font subsets are named after their own bytes: a press that merges many snapshots into
one job must never meet two different subsets under one name (PDF 1.7, 9.6.4)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pikepdf
from support.pdfcheck import BuildOf


def subsets(path: Path) -> dict[str, str]:
    """Every embedded font of a PDF: its subset name -> a digest of its font file."""
    found: dict[str, str] = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                file = obj.get("/FontFile2") or obj.get("/FontFile3")  # TrueType or CFF
                data = file.read_bytes()
                found[str(obj["/FontName"])] = hashlib.sha256(data).hexdigest()
    return found


def test_one_subset_name_never_names_two_different_subsets(built: BuildOf) -> None:
    contents: dict[str, set[str]] = defaultdict(set)
    files: dict[str, set[str]] = defaultdict(set)
    for variant in ("screen", "print"):
        for path in sorted(built(variant).outdir.glob("*.pdf")):
            for name, digest in subsets(path).items():
                contents[name].add(digest)
                files[name.split("+", 1)[1]].add(digest)
    assert contents
    assert all(len(digests) == 1 for digests in contents.values()), {
        name: len(d) for name, d in contents.items() if len(d) > 1
    }
    # The check means something: the cities' texts need different subsets of Noto Sans.
    assert len(files["Noto-Sans"]) > 1
