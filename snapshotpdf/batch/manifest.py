"""outputs/manifest.json: what each build wrote, so a re-run can skip what has not changed
(and so delivery can check that a file is the one the build made).

A city's fingerprint covers everything that shapes its PDF: its HTML (which holds the
record and exactly the survey-wide figures it prints), the layout and font files, the
paper, and the versions of snapshotpdf and WeasyPrint; never a date or a file time, so a
survey saved again unchanged rebuilds nothing. The date a PDF carries is kept beside it
(`created`): SOURCE_DATE_EPOCH when set, else when the city's content last changed.

The manifest describes what the last build's survey holds: a city no longer among its
valid records is listed as `removed` (its PDF moved into OUTDIR/removed/, no sha256), so
`mail` can never send it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from snapshotpdf.assets import fonts_dir
from snapshotpdf.batch import jsontext
from snapshotpdf.batch.digest import version_of
from snapshotpdf.files import write_atomic
from snapshotpdf.version import __version__

MANIFEST = "manifest.json"
REMOVED = "removed"  # OUTDIR/removed/: the PDFs of cities no longer in the survey
SCHEMA = 1


@dataclass(frozen=True, slots=True)  # one per city, held for the whole build: kept small
class Entry:
    city: str
    country: str
    file: str
    status: str  # built, unchanged, failed, skipped (a row with an error: no file), removed
    sha256: str | None = None
    pages: int | None = None
    fingerprint: str | None = None
    warnings: list[str] = field(default_factory=list)
    row: int | None = None  # the survey row, for skipped rows
    created: str | None = None  # the date the PDF carries (ISO 8601), for built, unchanged


_KEYS = tuple(f.name for f in fields(Entry))  # an entry as a dict, as asdict() but cheaper


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The digests taken in this process, by the files' names and states (path, inode, size,
# modification time): a build takes that of the bundled fonts (tens of MB) three times
# (the replay's digest, its own, its fingerprints' context). A few sets of files only.
_DIGESTS: dict[tuple[tuple[str, int, int, int], ...], str] = {}
_KEEP_DIGESTS = 8


def _files_digest(files: list[Path]) -> str:
    state = []
    for path in files:
        info = path.stat()
        state.append((str(path.absolute()), info.st_ino, info.st_size, info.st_mtime_ns))
    key = tuple(state)
    if (known := _DIGESTS.get(key)) is not None:
        return known
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    found = _DIGESTS[key] = digest.hexdigest()
    while len(_DIGESTS) > _KEEP_DIGESTS:
        del _DIGESTS[next(iter(_DIGESTS))]
    return found


def build_context(layout_files: list[Path], paper: str) -> str:
    """What every city of one build shares: versions, paper, layout and font files."""
    return "\0".join(
        (
            f"snapshotpdf {__version__}",
            f"weasyprint {version_of('weasyprint')}",
            f"paper {paper}",
            _files_digest(layout_files),
            _files_digest(sorted(fonts_dir().glob("*"))),
        )
    )


def fingerprint(html: str, context: str) -> str:
    """One city's fingerprint: its HTML within the build's shared context."""
    return hashlib.sha256(f"{context}\0{html}".encode()).hexdigest()


def load(
    outdir: Path, removed: bool = False, warn: Callable[[str], None] | None = None
) -> dict[str, Entry]:
    """The previous build's entries by file name (skipped rows aside, and removed cities
    unless removed=True); empty when there is none or it is unreadable. warn is told when
    there is a manifest.json that is not one (not JSON, not an object, entries missing)."""
    path = outdir / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise TypeError(f"the JSON holds {type(raw).__name__}, not an object")
        if raw.get("schema") != SCHEMA:
            return {}
        wanted = {"skipped"} if removed else {"skipped", "removed"}
        return {e["file"]: _entry(e) for e in raw["cities"] if e["status"] not in wanted}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if warn is not None:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            warn(
                f"{path} is not a manifest snapshotpdf can read ({reason}): it is ignored,"
                " every PDF is rendered again and it is written anew"
            )
        return {}


def _entry(raw: dict[str, object]) -> Entry:
    """An entry as the manifest lists it, its texts that many entries share held once."""
    shared = {
        k: sys.intern(v)
        for k in ("country", "status", "created")
        if isinstance(v := raw.get(k), str)
    }
    return Entry(**(raw | shared))  # type: ignore[arg-type]


def is_current(outdir: Path, previous: Entry | None, print_: str, created: str) -> bool:
    """True when the file on disk is the one a build with this fingerprint and date wrote."""
    if previous is None or previous.fingerprint != print_ or previous.sha256 is None:
        return False
    if previous.created != created:
        return False
    path = outdir / previous.file
    return path.is_file() and sha256_file(path) == previous.sha256


def pieces(entries: Iterable[Entry], survey: str) -> Iterator[str]:
    """The manifest's JSON text, an entry at a time (jsontext.pieces)."""
    document: dict[str, object] = {"schema": SCHEMA, "snapshotpdf": __version__, "survey": survey}
    ordered = sorted(entries, key=lambda e: (e.file, e.row or 0))
    return jsontext.pieces(document, "cities", ({k: getattr(e, k) for k in _KEYS} for e in ordered))


def text(entries: Iterable[Entry], survey: str) -> str:
    """The manifest's JSON text."""
    return "".join(pieces(entries, survey))


def save(outdir: Path, entries: Iterable[Entry], survey: str) -> None:
    write_atomic(outdir / MANIFEST, jsontext.encode(pieces(entries, survey)))
