"""outputs/manifest.json: what each build wrote, so a re-run can skip what has not changed
(and so delivery can check that a file is the one the build made).

A city's fingerprint covers everything that shapes its PDF: its HTML (which holds the
record and exactly the survey-wide figures it prints), the layout and font files, the
paper, and the versions of snapshotpdf and WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

from snapshotpdf.assets import fonts_dir
from snapshotpdf.files import write_atomic
from snapshotpdf.version import __version__

MANIFEST = "manifest.json"
SCHEMA = 1


@dataclass(frozen=True)
class Entry:
    city: str
    country: str
    file: str
    status: str  # built, unchanged, failed, skipped (a row with an error: no file)
    sha256: str | None = None
    pages: int | None = None
    fingerprint: str | None = None
    warnings: list[str] = field(default_factory=list)
    row: int | None = None  # the survey row, for skipped rows


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_context(layout_files: list[Path], paper: str) -> str:
    """What every city of one build shares: versions, paper, layout and font files."""
    return "\0".join(
        (
            f"snapshotpdf {__version__}",
            f"weasyprint {version('weasyprint')}",
            f"paper {paper}",
            _files_digest(layout_files),
            _files_digest(sorted(fonts_dir().glob("*"))),
        )
    )


def fingerprint(html: str, context: str) -> str:
    """One city's fingerprint: its HTML within the build's shared context."""
    return hashlib.sha256(f"{context}\0{html}".encode()).hexdigest()


def load(outdir: Path) -> dict[str, Entry]:
    """The previous build's entries by file name; empty when there is none or it is unreadable."""
    try:
        raw = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
        if raw.get("schema") != SCHEMA:
            return {}
        return {e["file"]: Entry(**e) for e in raw["cities"] if e["status"] != "skipped"}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def is_current(outdir: Path, previous: Entry | None, print_: str) -> bool:
    """True when the file on disk is the one a build with this fingerprint wrote."""
    if previous is None or previous.fingerprint != print_ or previous.sha256 is None:
        return False
    path = outdir / previous.file
    return path.is_file() and sha256_file(path) == previous.sha256


def text(entries: list[Entry], survey: str) -> str:
    """The manifest's JSON text."""
    document = {
        "schema": SCHEMA,
        "snapshotpdf": __version__,
        "survey": survey,
        "cities": [asdict(e) for e in sorted(entries, key=lambda e: (e.file, e.row or 0))],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def save(outdir: Path, entries: list[Entry], survey: str) -> None:
    write_atomic(outdir / MANIFEST, text(entries, survey).encode("utf-8"))
