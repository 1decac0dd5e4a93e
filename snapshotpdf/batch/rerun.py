"""A build with nothing changed is replayed, not redone.

Every build that finishes leaves OUTDIR/.snapshotpdf-rerun.json: a digest of everything the
build was made from (the survey's file name and bytes, SOURCE_DATE_EPOCH, the profile, the
settings, the layout and font files, snapshotpdf's own files, its libraries' versions;
never a file's time, nor a path as it was typed: relative, absolute or through a link, the
same file is the same input; the dates of PDFs built without SOURCE_DATE_EPOCH are in the
manifest, and a replay happens only when every PDF is the one recorded), the sha256 of
every PDF, and
what a second build from the same inputs would say and write (its problems, summary line,
exit code, manifest.json and report.json, these two compressed: pack), worked out by the
build's own code.

`snapshotpdf build` without --force looks here first. When the digest and every PDF still
match, it writes those two files and says those problems, without reading the survey or
importing pandas or WeasyPrint: start-up is the whole cost. Anything else, or any doubt (a
missing or unreadable file, another schema), runs the whole build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from snapshotpdf import files, limits
from snapshotpdf.batch import digest, manifest
from snapshotpdf.batch.report import REPORT
from snapshotpdf.batch.settings import Settings, source_date
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import Severity
from snapshotpdf.reporter import Reporter

STATE = ".snapshotpdf-rerun.json"
# WeasyPrint's and snapshotpdf's versions are in manifest.build_context already.
SCHEMA = 2
# What reads the survey, names its files, makes the HTML (numbers and lists in each
# language, copy-fitting's font metrics) and the PDF, besides snapshotpdf and WeasyPrint.
LIBRARIES = (
    "pydyf",
    "tinycss2",
    "pandas",
    "openpyxl",
    "defusedxml",
    "jinja2",
    "markupsafe",
    "babel",
    "fonttools",
    "pillow",
    "anyascii",
    "sudachipy",
    "sudachidict-core",
    "pypinyin",
)


@dataclass(frozen=True)
class Replay:
    """What a build says and writes: the outcome a replay repeats."""

    problems: list[tuple[str, str]]  # (severity, the problem as printed)
    summary: str
    exit_code: int
    manifest: str  # manifest.json's text, packed (pack)
    report: str  # report.json's text, packed
    pdfs: dict[str, str]  # file name -> sha256


def pack(pieces: Iterable[str]) -> str:
    """A JSON text made a piece at a time (batch/jsontext.py), compressed as it comes:
    ASCII that a JSON string holds as it is, a fraction of the text's size, and never the
    whole text in memory."""
    compressor = zlib.compressobj()
    packed = [compressor.compress(piece.encode("utf-8")) for piece in pieces]
    packed.append(compressor.flush())
    return base64.b64encode(b"".join(packed)).decode("ascii")


def unpack(packed: str) -> bytes:
    return zlib.decompress(base64.b64decode(packed.encode("ascii"), validate=True))


def inputs_digest(settings: Settings) -> str | None:
    """A digest of everything a build's output depends on; None when it cannot be taken
    (the build then runs and reports the problem itself)."""
    from snapshotpdf.render.layout import load_layout

    # The files by what they are, however their paths were typed (relative, absolute, via
    # a link): what a build says names a survey by its file name alone, so that is kept.
    survey = settings.inputs.survey_path
    profile = settings.inputs.profile
    try:
        layout = load_layout(settings.inputs.layout)
        asked = (
            f"survey {survey.name}",
            f"source date {source_date()}",
            f"cities {settings.cities!r}",
            f"profile {profile.resolve() if profile else None}",
            f"sheet {settings.inputs.sheet!r}",
            f"layout {layout.name} {[str(folder.resolve()) for folder in layout.folders]}",
            f"strict {settings.strict}",
            f"variant {settings.variant}",
            f"author {settings.author!r}",
            f"language {settings.language!r}",
            *(f"{name} {_version(name)}" for name in LIBRARIES),
        )
        found = hashlib.sha256(manifest.build_context(layout.files(), settings.paper).encode())
        found.update("\0".join(asked).encode())
        found.update(b"\0survey\0")
        digest.update_with_file(found, survey)  # a regular file, never a pipe or a device
        if profile:
            found.update(b"\0profile\0")
            digest.update_with_file(found, profile, limits.MAX_PROFILE_BYTES)
        digest.update_with_own_files(found, _own_files())
        return found.hexdigest()
    except (OSError, SnapshotError):
        return None


def record(settings: Settings, digest: str | None, outcome: Replay | None) -> None:
    """Leave what a re-run may replay (nothing when this build could not be digested or a
    re-run would have work to do)."""
    if digest is None or outcome is None:
        forget(settings.outdir)
        return
    state = {"schema": SCHEMA, "inputs": digest, "outcome": asdict(outcome)}
    files.write_atomic(settings.outdir / STATE, json.dumps(state, ensure_ascii=False).encode())


def forget(outdir: Path) -> None:
    """A build is about to change the outputs: what was recorded no longer holds."""
    try:
        (outdir / STATE).unlink(missing_ok=True)
    except OSError as exc:
        raise files.write_error(outdir / STATE, exc) from None


def replay(settings: Settings, reporter: Reporter) -> Replay | None:
    """Repeat the last build's outcome when nothing it depends on changed; None otherwise."""
    if settings.force or not (settings.outdir / STATE).is_file():
        return None
    with files.output_lock(settings.outdir):  # a build into the same folder changes it all
        recorded = _recorded(settings)
        if recorded is None:
            return None
        outcome, manifest_text, report_text = recorded
        files.clean_stale_temporaries(settings.outdir, [manifest.MANIFEST, REPORT, STATE])
        files.write_atomic(settings.outdir / manifest.MANIFEST, manifest_text)
        files.write_atomic(settings.outdir / REPORT, report_text)
    reporter.step(
        f"Nothing changed since the last build: {len(outcome.pdfs)} PDF(s) in {settings.outdir}"
        " are current (--force rebuilds them)"
    )
    for severity, message in outcome.problems:
        reporter.notice(Severity(severity), message.removeprefix(f"{severity}: "))
    return outcome


def _recorded(settings: Settings) -> tuple[Replay, bytes, bytes] | None:
    """The outcome recorded, with the manifest.json and report.json it writes."""
    try:
        state = json.loads((settings.outdir / STATE).read_text(encoding="utf-8"))
        if not isinstance(state, dict) or state.get("schema") != SCHEMA:
            return None
        if state.get("inputs") != inputs_digest(settings):
            return None
        raw = state["outcome"]
        outcome = Replay(**raw | {"problems": [tuple(p) for p in raw["problems"]]})
        for name, sha256 in outcome.pdfs.items():
            if manifest.sha256_file(settings.outdir / name) != sha256:
                return None
        return outcome, unpack(outcome.manifest), unpack(outcome.report)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None


def _own_files() -> list[Path]:
    """snapshotpdf's code and bundled data files (profiles, vocabulary): an edited checkout
    must not replay what older code built."""
    return digest.own_files()


def _version(name: str) -> str:
    return digest.version_of(name)
