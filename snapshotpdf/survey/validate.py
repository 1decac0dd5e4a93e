"""Survey file + profile -> the valid city records and every problem, with every data row
accounted for: valid, skipped (with its reason) or blank. Shared by `build` and `check`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from snapshotpdf.errors import ProfileError
from snapshotpdf.files import slug
from snapshotpdf.models import CityRecord, Problem, Severity
from snapshotpdf.survey.columns import bind
from snapshotpdf.survey.fields import REQUIRED_FIELDS
from snapshotpdf.survey.normalise import normalise_row
from snapshotpdf.survey.profile import Profile, load_profile
from snapshotpdf.survey.read import SurveyTable, read_survey


@dataclass
class Validation:
    table: SurveyTable
    profile: Profile  # bound to the table's columns
    records: list[CityRecord] = field(default_factory=list)  # valid rows, in file order
    problems: list[Problem] = field(default_factory=list)  # file, header, then rows in order
    skipped: dict[int, str] = field(default_factory=dict)  # Excel row -> why it is skipped

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
    """Read the survey with its profile and check every row; raise SnapshotError only when
    nothing can be done (unreadable file, bad profile, no city or country column)."""
    profile = load_profile(profile_path)
    table = read_survey(survey, sheet or profile.sheet, profile.header_rows)
    return validate_table(table, profile)


def validate_table(table: SurveyTable, profile: Profile) -> Validation:
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
    result = Validation(table, bound, problems=[*table.problems, *header_problems])
    seen: dict[str, CityRecord] = {}
    for row in table.rows:
        record, problems = normalise_row(row, bound)
        result.problems.extend(problems)
        if record is None:
            first = next(p for p in problems if p.severity is Severity.ERROR)
            result.skipped[row.location.row] = first.message
            continue
        key = slug(record.country, record.city)
        if key in seen:
            message = (
                f"{record.city}, {record.country} is already in row {seen[key].source.row}"
                f" (both would be {key}.pdf); this row is skipped: remove or rename it"
            )
            city = bound.sources["city"].columns[0][0]
            result.problems.append(
                Problem(Severity.ERROR, row.cell_location(city), message, record.city, record.city)
            )
            result.skipped[row.location.row] = message
            continue
        seen[key] = record
        result.records.append(record)
    result.table = table.without_rows()
    return result
