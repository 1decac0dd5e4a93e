"""Survey file + profile -> the valid city records and every problem, with every data row
accounted for: valid, skipped (with its reason) or blank. Shared by `build` and `check`.

validate() holds every record at once (check, booklet, mail); validate_stream() gives each
record as its row is read and keeps only what the run report needs of it (a Respondent), so
that `build` holds one row at a time however long the survey; RecordSpool keeps records
on disk between two passes over them.
"""

from __future__ import annotations

import pickle
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from snapshotpdf.errors import ProfileError
from snapshotpdf.files import slug
from snapshotpdf.models import CityRecord, Problem, RawRow, Severity
from snapshotpdf.survey.columns import answers_in_header, bind
from snapshotpdf.survey.fields import REQUIRED_FIELDS
from snapshotpdf.survey.normalise import normalise_row
from snapshotpdf.survey.profile import Profile, load_profile
from snapshotpdf.survey.read import SurveyTable, TableReader, stream_survey


@dataclass(frozen=True, slots=True)
class Respondent:
    """A valid row, as the run report names it: all that is kept of a record not held."""

    row: int  # as Excel numbers it
    city: str
    country: str


@dataclass
class Validation:
    table: SurveyTable
    profile: Profile  # bound to the table's columns
    records: list[CityRecord] = field(default_factory=list)  # valid rows, in file order
    problems: list[Problem] = field(default_factory=list)  # file, header, then rows in order
    skipped: dict[int, str] = field(default_factory=dict)  # Excel row -> why it is skipped
    # Every row found valid, in file order (a row skipped later, by `check` or `build`, is
    # in skipped too): kept when the records themselves are not (validate_stream).
    respondents: list[Respondent] = field(default_factory=list)

    @property
    def data_rows(self) -> int:
        return self.table.data_row_count

    @property
    def blank_rows(self) -> tuple[int, ...]:
        return self.table.blank_rows

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def exit_code(self, strict: bool = False) -> int:
        if self.errors:
            return 1
        return 1 if strict and self.warnings else 0

    def drop_skipped(self) -> None:
        """Leave out of records the rows skipped since they were read (a character no
        font has: batch/check.py's Printable), in one pass."""
        self.records = [r for r in self.records if r.source.row not in self.skipped]

    def summary(self) -> str:
        parts = [f"{len(self.records)} valid"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} row(s) skipped")
        if self.blank_rows:
            parts.append(f"{len(self.blank_rows)} blank row(s)")
        parts.append(f"{len(self.errors)} error(s)")
        parts.append(f"{len(self.warnings)} warning(s)")
        return f"{self.data_rows} data row(s): " + ", ".join(parts)


def validate(
    survey: Path, profile_path: Path | None = None, sheet: str | None = None
) -> Validation:
    """Read the survey with its profile and check every row, holding every valid record;
    raise SnapshotError only when nothing can be done (unreadable file, bad profile, no
    city or country column)."""
    checked, records = validate_stream(survey, profile_path, sheet)
    checked.records = list(records)
    return checked


def validate_stream(
    survey: Path, profile_path: Path | None = None, sheet: str | None = None
) -> tuple[Validation, Iterator[CityRecord]]:
    """validate(), a row at a time: each valid record as its row is read (none kept).
    The validation is complete (problems in order, counts, the table's own problems) once
    the records are exhausted; a profile without the columns every row needs is refused
    at once, before any row is read."""
    profile = load_profile(profile_path)
    reader = stream_survey(survey, sheet or profile.sheet, profile.header_rows)
    return _validate(reader, profile)


def validate_table(table: SurveyTable, profile: Profile) -> Validation:
    """validate() of a table already read (its rows held)."""
    rows = iter(table.rows)
    checked, records = _validate_rows(table, rows, profile)
    checked.records = list(records)
    checked.table = table.without_rows()
    return checked


def _validate(reader: TableReader, profile: Profile) -> tuple[Validation, Iterator[CityRecord]]:
    checked, records = _validate_rows(reader.table, reader.rows(), profile)

    def streamed() -> Iterator[CityRecord]:
        yield from records
        checked.table = reader.table  # its counts and its own problems are known now
        checked.problems[:0] = reader.table.problems

    return checked, streamed()


def _validate_rows(
    table: SurveyTable, rows: Iterator[RawRow], profile: Profile
) -> tuple[Validation, Iterator[CityRecord]]:
    bound, header_problems = bind(profile, table.columns, table.header_location)
    missing = [p for p in header_problems if p.severity is Severity.ERROR]
    if missing:
        raise ProfileError(
            f"{table.file} lacks the column(s) every row needs: "
            + ", ".join(
                repr(profile.sources[f].label) for f in REQUIRED_FIELDS if f not in bound.sources
            )
            + "".join(f"\n  {p.message}" for p in missing),
            hint="pass --profile with a profile that names this export's columns; "
            "`snapshotpdf profile init SURVEY` drafts one",
        )
    misread = answers_in_header(bound, table.columns, table.header_location)
    if misread:
        raise ProfileError(
            f"{table.file}: {misread}",
            hint=f"set header_rows = {table.header_rows - 1} in the profile, or pass --profile"
            " with this export's own (`snapshotpdf profile init SURVEY` drafts one)",
        )
    result = Validation(table, bound, problems=[*table.problems, *header_problems])
    return result, _records(result, rows, bound)


def _records(result: Validation, rows: Iterator[RawRow], bound: Profile) -> Iterator[CityRecord]:
    """Each valid record, its problems and those of the rows before it in result."""
    seen: dict[str, int] = {}  # file stem -> the row it was first found in
    for row in rows:
        record, problems = normalise_row(row, bound)
        result.problems.extend(problems)
        if record is None:
            first = next(p for p in problems if p.severity is Severity.ERROR)
            result.skipped[row.location.row] = first.message
            continue
        key = slug(record.country, record.city)
        if key in seen:
            message = (
                f"{record.city}, {record.country} is already in row {seen[key]}"
                f" (both would be {key}.pdf); this row is skipped: remove or rename it"
            )
            city = bound.sources["city"].columns[0][0]
            result.problems.append(
                Problem(Severity.ERROR, row.cell_location(city), message, record.city, record.city)
            )
            result.skipped[row.location.row] = message
            continue
        seen[key] = record.source.row
        # interned: the build names the city with the same strings in its manifest
        city, country = sys.intern(record.city), sys.intern(record.country)
        result.respondents.append(Respondent(record.source.row, city, country))
        yield record


class RecordSpool:
    """Records put aside in order, then read back in the same order: a second pass over
    the valid records of a survey of any size with one record in memory at a time, and
    without reading the export again (so both passes see the same file, even if it is
    saved again meanwhile). They wait in an unnamed temporary file, gone when the spool is
    closed or the process ends, however it ends. Use as a context manager."""

    def __init__(self) -> None:
        # closed by close(); unnamed, so a killed build leaves nothing behind
        self.file = tempfile.TemporaryFile(prefix="snapshotpdf-records-")  # noqa: SIM115
        self.count = 0

    def __enter__(self) -> RecordSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()

    def add(self, record: CityRecord) -> None:
        pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[CityRecord]:
        """The records in the order they were added (add no more once reading began)."""
        self.file.seek(0)
        for _ in range(self.count):
            record: CityRecord = pickle.load(self.file)  # noqa: S301 - our own file
            yield record
