"""A city's content is not made again to learn that it has not changed.

To know whether a city's PDF is current, a build makes the city's HTML, checks that every
character of it prints (batch/check.py) and fingerprints it (manifest.fingerprint): most of
what a re-run spends on a city that did not change. OUTDIR/.snapshotpdf-contents.jsonl keeps,
for each city the last build found printable, a digest of everything its HTML is made from
(its `inputs`: the city's record as read, in the language it is printed in; the survey-wide
figures; the build's context, manifest.build_context: the layout and font files, paper,
variant, author, the snapshotpdf and WeasyPrint versions; snapshotpdf's own files; the
versions of the libraries that make HTML) beside the fingerprint that HTML had. A city whose
inputs are the same has the same HTML, so the same fingerprint, and prints: the build
takes that fingerprint as it is, and makes the city's HTML only to render it.

The file is JSON lines, a city at a time, so no more than one is held while it is written:

    {"schema": 1, "base": BASE}                 the digest of what every city shares
    ["FILE.pdf", INPUTS, FINGERPRINT]          for each city, in the order they were found
    {"end": COUNT}

A memo is used only for a city whose manifest entry has that fingerprint (the PDF the
manifest describes was made from it). One that is not exactly this file (another schema or
base, a line cut short, a count that does not match) is ignored, as if it were not there:
every city's HTML is then made.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from snapshotpdf.batch import digest, manifest
from snapshotpdf.batch.lines import LineWriter, Unreadable, json_line, open_regular, read_line
from snapshotpdf.batch.typedjson import to_json
from snapshotpdf.models import CityRecord, SurveyFigures

MEMO = ".snapshotpdf-contents.jsonl"
SCHEMA = 1
# What makes a city's HTML besides snapshotpdf itself, the layout and the record: the
# template engine, the languages' numbers and lists, the fonts' metrics (copy-fitting).
LIBRARIES = ("jinja2", "markupsafe", "babel", "fonttools", "tinycss2", "anyascii")
_HEX = frozenset("0123456789abcdef")


class Memo:
    """The fingerprints of the cities whose inputs the last build saw (found: by file name,
    those whose manifest entry has that fingerprint), and this build's, written as they
    are noted and kept once the build is done (save)."""

    def __init__(self, outdir: Path, context: str, figures: SurveyFigures, layout: str) -> None:
        base = hashlib.sha256()
        base.update(f"schema {SCHEMA}\0{context}\0layout {layout}\0".encode())
        base.update(f"{digest.library_versions(LIBRARIES)}\0{figures!r}\0".encode())
        try:
            digest.update_with_own_files(base, digest.own_files())
            self.base: str | None = base.hexdigest()
        except OSError:
            self.base = None  # nothing to go by: every city's HTML is made
        self.outdir = outdir
        self.found: dict[str, bytes] = {}  # file name -> the inputs' digest
        self.writer: LineWriter | None = None
        self.noted = 0

    def load(self, entries: dict[str, manifest.Entry]) -> None:
        """The last build's memo, of the cities whose entry (entries: the manifest as the
        last build left it) still has the fingerprint noted."""
        file = open_regular(self.outdir / MEMO) if self.base else None
        if file is None:
            return
        found: dict[str, bytes] = {}
        with file:
            try:
                head = json.loads(read_line(file))
                if head != {"schema": SCHEMA, "base": self.base}:
                    return
                count = 0
                while True:
                    line = json.loads(read_line(file))
                    if isinstance(line, dict):
                        if line != {"end": count} or file.read(1):
                            return
                        break
                    name, inputs, fingerprint = _triple(line)
                    count += 1
                    entry = entries.get(name)
                    if entry is not None and entry.fingerprint == fingerprint and entry.sha256:
                        found[entry.file] = bytes.fromhex(inputs)
            except (OSError, ValueError, TypeError, KeyError, RecursionError):
                return
        self.found = found

    def inputs(self, record: CityRecord) -> bytes | None:
        """The digest of what the city's HTML is made from (record: as it is printed, its
        language chosen); None when it has none (no base, a value without JSON form)."""
        if self.base is None:
            return None
        try:
            text = json.dumps(to_json(record), ensure_ascii=False, allow_nan=False)
        except (ValueError, TypeError):
            return None
        return hashlib.sha256(f"{self.base}\0{text}".encode()).digest()

    def fingerprint(
        self, name: str, inputs: bytes | None, entries: dict[str, manifest.Entry]
    ) -> str | None:
        """The fingerprint of the city's content, when the last build saw the same inputs
        and its PDF is the one the manifest describes; else None (make its HTML)."""
        if inputs is None or self.found.get(name) != inputs:
            return None
        entry = entries.get(name)
        return entry.fingerprint if entry is not None else None

    def note(self, name: str, inputs: bytes | None, fingerprint: str) -> None:
        """A city found printable, with the fingerprint its inputs gave."""
        self.found.pop(name, None)  # what is left at the end: cities this build did not see
        if inputs is not None:
            self._write(name, inputs, fingerprint)

    def _write(self, name: str, inputs: bytes, fingerprint: str) -> None:
        if self.base is None:
            return
        if self.writer is None:
            self.writer = LineWriter(self.outdir / MEMO)
            self.writer.write({"schema": SCHEMA, "base": self.base})
        self.writer.write_line(json_line([name, inputs.hex(), fingerprint]))
        self.noted += 1

    def save(self, entries: dict[str, manifest.Entry]) -> None:
        """This build's memo into place, with what the last one knew of the cities this
        build did not see (not selected with --city; entries: the manifest as saved)."""
        for name, inputs in self.found.items():
            entry = entries.get(name)
            if entry is not None and entry.fingerprint and entry.sha256:
                self._write(name, inputs, entry.fingerprint)
        self.found = {}
        if self.writer is not None:
            self.writer.write({"end": self.noted})
            self.writer.commit()

    def close(self) -> None:
        """A build that did not finish: this build's memo is not kept."""
        if self.writer is not None:
            self.writer.abandon()


def _triple(line: object) -> tuple[str, str, str]:
    """[file, inputs, fingerprint], each a text (the two digests in hex)."""
    if not isinstance(line, list) or len(line) != 3 or not all(isinstance(v, str) for v in line):
        raise Unreadable("not a city's line")
    name, inputs, fingerprint = line
    if len(inputs) != 64 or not _HEX.issuperset(inputs):
        raise Unreadable("not a digest")
    return name, inputs, fingerprint
