"""What a build or a booklet did: one result type for both, with every data row accounted
for (written, unchanged, not selected, skipped, failed or blank) and every problem found.
Problems are kept here and told to the run's reporter as they are found. Of each city, a
build keeps only what its run report says (Done), never the city's record, so that what it
holds grows by little more than a file name per city."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import CityRecord, Location, Problem, Severity
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.validate import Validation


@dataclass(frozen=True, slots=True)
class Done:
    """A city a build is done with (its PDF written, unchanged or failed): its row, its name
    and its PDF's file name in the output folder."""

    row: int
    city: str
    file: str

    @classmethod
    def of(cls, record: CityRecord, file: str) -> Done:
        return cls(record.source.row, record.city, file)


@dataclass
class BuildResult:
    reporter: Reporter = field(default_factory=Reporter, repr=False, compare=False)
    data_rows: int = 0
    blank_rows: int = 0
    written: list[Done] = field(default_factory=list)
    unchanged: list[Done] = field(default_factory=list)
    not_selected: int = 0
    skipped: int = 0  # rows with an error: not rendered
    failed: list[tuple[Done, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # For the run report (report.json): what was asked, and what the export held.
    settings: Settings | None = None
    validation: Validation | None = None
    # A booklet: the file, its pages, and the page each city starts on.
    booklet: Path | None = None
    pages: int = 0
    starts: list[tuple[CityRecord, int]] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def report(
        self,
        severity: Severity,
        location: Location,
        message: str,
        record: CityRecord | None = None,
    ) -> None:
        """Keep a problem and tell the reporter."""
        self.add(Problem(severity, location, message, city=record.city if record else None))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.reporter.problem(problem)

    def exit_code(self, strict: bool = False) -> int:
        if self.skipped or self.failed or any(p.severity is Severity.ERROR for p in self.problems):
            return 1
        return 1 if strict and self.warnings else 0

    def summary(self) -> str:
        if self.booklet is not None:
            parts = [f"{len(self.starts)} cities on {self.pages} pages in {self.booklet}"]
        else:
            parts = [f"{len(self.written)} PDF(s) written"]
            if self.unchanged:
                parts.append(f"{len(self.unchanged)} unchanged")
            if self.not_selected:
                parts.append(f"{self.not_selected} not selected")
        if self.skipped:
            parts.append(f"{self.skipped} row(s) skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.blank_rows:
            parts.append(f"{self.blank_rows} blank row(s)")
        parts.append(f"{len(self.warnings)} warning(s)")
        return f"{self.data_rows} data row(s): " + ", ".join(parts)
