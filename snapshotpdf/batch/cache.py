"""A survey read once is not read again: what reading and checking it gave is kept in the
output folder, OUTDIR/.snapshotpdf-survey.jsonl, and a later run that would read the very
same survey the very same way reads that instead (no workbook parsed, no openpyxl
imported, every answer already normalised).

The key is a sha256 of everything the result depends on: the survey's file name and bytes
(never its path or time: a survey saved again unchanged, or named another way, is the same
survey), the sheet asked for, the profile's path and bytes (the bundled one's are among
snapshotpdf's files), snapshotpdf's version and its own files, Python's version and those
of the libraries that read and name things (LIBRARIES). Only the last survey read is kept.

The file is JSON lines, written as the rows stream past (memory stays flat in the number
of rows) and moved into place only once every row was read without error and neither the
survey nor the profile changed meanwhile:

    {"schema": 1, "key": KEY}
    {"table": {file, sheet, headers, columns, header_rows}}
    {"p": PROBLEM} | {"s": [ROW, REASON]} | {"r": RECORD}    as reading found them
    {"end": {blank_rows, released, problems, lines, sha256}}

"end" holds what the reader knows only at the end (blank rows, the file's own problems),
how many lines came before it and their sha256. A file that is not exactly this (another
schema or key, a line cut short or too long, a record that is not one, a count or digest
that does not match, anything after "end", a link, a pipe) is ignored, and the survey is
read. Nothing in it is evaluated or unpickled: records are rebuilt field by field, each of
the type it must have (typedjson.py), and a record is written only when that gives it back
unchanged. So a run from the cache says exactly what reading would have said.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from snapshotpdf import limits
from snapshotpdf.batch import digest
from snapshotpdf.batch.lines import LineWriter, Unreadable, json_line, open_regular, read_line
from snapshotpdf.batch.typedjson import Decoder, decoder, to_json
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import CityRecord, Inputs, Problem
from snapshotpdf.survey.columns import Column, bind
from snapshotpdf.survey.profile import load_profile
from snapshotpdf.survey.read import SurveyTable
from snapshotpdf.survey.validate import Respondent, Validation
from snapshotpdf.survey.validate import validate_stream as read_survey
from snapshotpdf.version import __version__

CACHE = ".snapshotpdf-survey.jsonl"
SCHEMA = 1
# What reading a survey depends on besides snapshotpdf itself: the workbook readers, and
# the transliterations that name each city's file (two rows that would share one name).
LIBRARIES = ("openpyxl", "defusedxml", "anyascii", "sudachipy", "sudachidict-core", "pypinyin")
# What reading a file that is not one of ours may raise (Unreadable, TypedJsonError and
# json's errors are ValueErrors).
_Errors = (OSError, ValueError, TypeError, KeyError, RecursionError)
_problem = decoder(Problem)
_record = decoder(CityRecord)
_columns = decoder(tuple[Column, ...])
_rows = decoder(tuple[int, ...])
_problems = decoder(tuple[Problem, ...])
_skip = decoder(tuple[int, str])


def validate_stream(inputs: Inputs, folder: Path | None) -> tuple[Validation, Iterator[CityRecord]]:
    """survey.validate.validate_stream of the inputs, from folder's cache when it holds this
    survey read this way; else the survey is read and, as its rows stream past, the cache
    written. folder None: no cache."""
    if folder is None:
        return read_survey(inputs.survey_path, inputs.profile, inputs.sheet)
    key = survey_key(inputs)
    if key is not None:
        cached = _Cached.open(folder / CACHE, key.text)
        if cached is not None:
            return cached.stream(inputs)
    checked, records = read_survey(inputs.survey_path, inputs.profile, inputs.sheet)
    if key is None:
        return checked, records
    return checked, _write(records, checked, key, folder)


def validate(inputs: Inputs, folder: Path | None) -> Validation:
    """validate_stream, every record held (checked.records)."""
    checked, records = validate_stream(inputs, folder)
    checked.records = list(records)
    return checked


@dataclass(frozen=True)
class Key:
    """The cache key of one reading of a survey, and the stamps of the files it hashed (a
    file saved again while it is read makes no cache)."""

    text: str
    stamps: tuple[tuple[Path, digest.Stamp], ...]

    def unchanged(self) -> bool:
        return all(digest.stamp(path) == stamp for path, stamp in self.stamps)


def survey_key(inputs: Inputs) -> Key | None:
    """The key of reading the inputs' survey; None when a file cannot be hashed (missing,
    not a regular file, larger than any survey may be): reading then says why, or reads
    without a cache."""
    found = hashlib.sha256()
    survey = inputs.survey_path
    found.update(
        "\0".join(
            (
                f"schema {SCHEMA}",
                f"snapshotpdf {__version__}",
                digest.library_versions(LIBRARIES),
                f"survey {survey.name}",
                f"sheet {inputs.sheet!r}",
                f"profile {inputs.profile.resolve() if inputs.profile else '(the sample)'}",
                "",
            )
        ).encode()
    )
    try:
        digest.update_with_own_files(found, digest.own_files())
        stamps = [(survey, digest.update_with_file(found, survey))]
        if inputs.profile is not None:
            found.update(b"\0profile\0")
            most = limits.MAX_PROFILE_BYTES
            stamps.append((inputs.profile, digest.update_with_file(found, inputs.profile, most)))
    except OSError:
        return None
    return Key(found.hexdigest(), tuple(stamps))


# --- reading the cache --------------------------------------------------------------------


@dataclass
class _End:
    blank_rows: tuple[int, ...]
    released: int
    problems: tuple[Problem, ...]


class _Cached:
    """A cache file found whole and of this key (open checks every line of it): its table,
    and its lines streamed again as a validation and its records (stream)."""

    def __init__(self, path: Path, file: IO[bytes], body: int, hashed: Any, table: SurveyTable):
        self.path = path
        self.file = file
        self.body = body  # where the lines after the table start
        self.hashed = hashed  # the sha256 of the lines before them
        self.table = table

    @classmethod
    def open(cls, path: Path, key: str) -> _Cached | None:
        """The cache at path if it is whole and of this key, else None (and closed)."""
        file = open_regular(path)
        if file is None:
            return None
        try:
            hashed = hashlib.sha256()
            head = _line(file, hashed)
            if json.loads(head) != {"schema": SCHEMA, "key": key}:
                raise Unreadable("another schema or key")
            table = _table(json.loads(_line(file, hashed)))
            body = file.tell()
            for _event in _events(file, hashed.copy()):  # every line, before any is used
                pass
            return cls(path, file, body, hashed, table)
        except _Errors:
            file.close()
            return None

    def stream(self, inputs: Inputs) -> tuple[Validation, Iterator[CityRecord]]:
        """What survey.validate.validate_stream gives for the survey this cache read."""
        try:
            profile = load_profile(inputs.profile)
        except BaseException:
            self.file.close()
            raise
        bound, _ = bind(profile, self.table.columns, self.table.header_location)
        checked = Validation(self.table, bound)  # the header's problems are lines too
        return checked, self._records(checked)

    def _records(self, checked: Validation) -> Iterator[CityRecord]:
        with self.file:
            try:
                self.file.seek(self.body)
                for kind, value in _events(self.file, self.hashed.copy()):
                    if kind == "r":
                        assert isinstance(value, CityRecord)
                        # as survey.validate does: names interned, as the manifest's are
                        city, country = sys.intern(value.city), sys.intern(value.country)
                        checked.respondents.append(Respondent(value.source.row, city, country))
                        yield value
                    elif kind == "p":
                        assert isinstance(value, Problem)
                        checked.problems.append(value)
                    elif kind == "s":
                        assert isinstance(value, tuple)
                        checked.skipped[value[0]] = value[1]
                    else:
                        assert isinstance(value, _End)
                        checked.table = replace(
                            self.table,
                            blank_rows=value.blank_rows,
                            released=value.released,
                            problems=value.problems,
                        )
                        checked.problems[:0] = value.problems
            except _Errors as exc:  # it was whole a moment ago
                raise SnapshotError(
                    f"{self.path} changed while it was read ({exc})",
                    hint="run the command again: the survey is then read anew",
                ) from None


def _line(file: IO[bytes], hashed: Any) -> bytes:
    """The next line, fed to hashed."""
    line = read_line(file)
    hashed.update(line)
    return line


def _table(raw: object) -> SurveyTable:
    """The table as its header made it (rows: none yet)."""
    if not isinstance(raw, dict) or raw.keys() != {"table"} or not isinstance(raw["table"], dict):
        raise Unreadable("no table")
    head = raw["table"]
    if head.keys() != {"file", "sheet", "headers", "columns", "header_rows"}:
        raise Unreadable("another table")
    file, sheet, header_rows = head["file"], head["sheet"], head["header_rows"]
    if not isinstance(file, str) or not (sheet is None or isinstance(sheet, str)):
        raise Unreadable("another table")
    if type(header_rows) is not int:
        raise Unreadable("another table")
    headers = decoder(tuple[str, ...])(head["headers"])
    return SurveyTable(file, sheet, headers, (), (), _columns(head["columns"]), header_rows)


def _events(file: IO[bytes], hashed: Any) -> Iterator[tuple[str, object]]:
    """Each line after the table as (kind, value), "end" last (the count and digest of the
    lines before it checked, nothing after it); Unreadable or a decoding error otherwise."""
    lines = 2  # the head and the table
    while True:
        line = read_line(file)
        raw = json.loads(line)
        if not isinstance(raw, dict) or len(raw) != 1:
            raise Unreadable("a line that is not an event")
        ((kind, value),) = raw.items()
        if kind == "end":
            yield kind, _end(value, lines, hashed.hexdigest())
            if file.read(1):
                raise Unreadable("lines after the end")
            return
        hashed.update(line)
        lines += 1
        if kind == "r":
            yield kind, _record(value)
        elif kind == "p":
            yield kind, _problem(value)
        elif kind == "s":
            yield kind, _skip(value)
        else:
            raise Unreadable(f"an event of kind {kind!r}")


def _end(raw: object, lines: int, hashed: str) -> _End:
    if not isinstance(raw, dict):
        raise Unreadable("an end that is not one")
    if raw.keys() != {"blank_rows", "released", "problems", "lines", "sha256"}:
        raise Unreadable("an end that is not one")
    if raw["lines"] != lines or raw["sha256"] != hashed:
        raise Unreadable("lines missing or changed")
    released = raw["released"]
    if type(released) is not int:
        raise Unreadable("an end that is not one")
    return _End(_rows(raw["blank_rows"]), released, _problems(raw["problems"]))


# --- writing it ---------------------------------------------------------------------------


def _write(
    records: Iterator[CityRecord], checked: Validation, key: Key, folder: Path
) -> Iterator[CityRecord]:
    """records, unchanged, written to the cache as they pass: each row's problems and skip
    first, then its record; committed once they are exhausted and the files unchanged."""
    writer = LineWriter(folder / CACHE)
    if not writer.writing:
        yield from records
        return
    try:
        table = checked.table
        writer.write({"schema": SCHEMA, "key": key.text})
        head = {
            "file": table.file,
            "sheet": table.sheet,
            "headers": table.headers,
            "columns": table.columns,
            "header_rows": table.header_rows,
        }
        _put(writer, "table", head, _table_head, table)
        said = _Said(checked)
        for record in records:
            said.write(writer)
            respondent = checked.respondents[-1] if checked.respondents else None
            if respondent != Respondent(record.source.row, record.city, record.country):
                writer.abandon()  # not as this module rebuilds it: no cache
            _put(writer, "r", record, _record)
            yield record
        table = checked.table
        if checked.problems[: len(table.problems)] != list(table.problems):
            writer.abandon()  # not the order this module knows: no cache
        said.written += len(table.problems)  # put first: the reader's, known only now
        said.write(writer)
        if writer.writing:
            try:
                line = json_line(to_json(table.problems))
                problems = _problems(json.loads(line)) == table.problems
            except _Errors:
                problems = False
            end = {
                "blank_rows": list(table.blank_rows),
                "released": table.released,
                "problems": to_json(table.problems) if problems else None,
                "lines": writer.lines,
                "sha256": writer.hashed.hexdigest(),
            }
            if not problems:
                writer.abandon()
            writer.write({"end": end}, hashed=False)
        if key.unchanged():
            writer.commit()
    finally:
        writer.abandon()  # nothing when committed


def _put(
    writer: LineWriter, kind: str, value: object, decode: Decoder, expected: object = None
) -> None:
    """One line {kind: value}, if reading it back (decode) gives the very value (or
    expected, when given); else no cache."""
    if not writer.writing:
        return
    try:
        line = json_line({kind: to_json(value)})
        kept = decode(json.loads(line)[kind]) == (value if expected is None else expected)
    except _Errors:
        kept = False
    if kept:
        writer.write_line(line)
    else:
        writer.abandon()


def _table_head(raw: object) -> SurveyTable:
    return _table({"table": raw})


class _Said:
    """The problems and skipped rows of a validation written so far."""

    def __init__(self, checked: Validation) -> None:
        self.checked = checked
        self.written = 0  # problems
        self.skipped = 0

    def write(self, writer: LineWriter) -> None:
        problems, skipped = self.checked.problems, self.checked.skipped
        for problem in problems[self.written :]:
            _put(writer, "p", problem, _problem)
        self.written = len(problems)
        if len(skipped) > self.skipped:
            new = len(skipped) - self.skipped
            added = [item for _, item in zip(range(new), reversed(skipped.items()), strict=False)]
            for row, reason in reversed(added):
                _put(writer, "s", (row, reason), _skip)
            self.skipped = len(skipped)
