"""Typed records passed between the pipeline stages. All frozen: stages never mutate."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from snapshotpdf.assets import sample_survey


class Severity(StrEnum):
    ERROR = "error"  # the row is skipped
    WARNING = "warning"  # the row is kept, the named value is dropped


@dataclass(frozen=True)
class Location:
    """Where a value sits, as the user sees it in Excel (row 1 is the first header row)."""

    file: str
    sheet: str | None
    row: int
    column: str | None = None  # column letter, e.g. "C"
    header: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
            if self.header:
                where += f" ({self.header!r})"
        return where


@dataclass(frozen=True)
class Problem:
    severity: Severity
    location: Location
    message: str
    value: str | None = None
    city: str | None = None

    def __str__(self) -> str:
        text = f"{self.severity.value}: {self.location}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        return text


@dataclass(frozen=True)
class RawRow:
    """One data row of the export: header -> cell value, with where each cell sits."""

    location: Location  # row-level location (no column)
    cells: dict[str, object]
    columns: dict[str, str]  # header -> column letter

    def cell_location(self, header: str) -> Location:
        loc = self.location
        return Location(loc.file, loc.sheet, loc.row, self.columns.get(header), header)


@dataclass(frozen=True)
class Term:
    start: int
    end: int | None = None


@dataclass(frozen=True)
class Population:
    count: int
    year: int | None = None


TYPED = "typed:"  # the option key of an answer that matched no option: TYPED + the text


@dataclass(frozen=True)
class OwnOption:
    """An option with its own wording, which the layout's locale does not hold: one a
    survey profile adds ([answers.QUESTION.KEY]), or an answer that matched no option,
    printed as the city typed it (key TYPED + the text)."""

    question: str  # the vocabulary question (staff_profiles, policy_areas, ...)
    key: str
    label: str  # as a list item, or under its icon
    in_sentence: str  # inside a sentence
    icon: str | None = None  # a policy area's icon (icons/NAME.svg of the layout)

    @property
    def typed(self) -> bool:
        return self.key.startswith(TYPED)


@dataclass(frozen=True)
class CityRecord:
    """One survey respondent, normalised. Option answers are canonical keys (vocabulary.toml)."""

    source: Location
    city: str
    country: str
    mayor: str | None = None
    term: Term | None = None
    innovation_lead: str | None = None
    population: Population | None = None
    website: str | None = None
    org_structure: str | None = None
    staff_profiles: tuple[str, ...] = ()
    spotlight: str | None = None
    formal_strategy: bool | None = None
    innovation_associations: tuple[str, ...] = ()
    approach: str | None = None
    priority_areas: tuple[str, ...] = ()
    partners_innovation: tuple[str, ...] = ()
    partners_data: tuple[str, ...] = ()
    dedicated_funding: bool | None = None
    funding_sources: tuple[str, ...] = ()
    funding_directed: tuple[str, ...] = ()
    innovation_helps: tuple[str, ...] = ()
    success_factors: tuple[str, ...] = ()
    role_of_data: str | None = None
    data_uses: tuple[str, ...] = ()
    data_challenges: tuple[str, ...] = ()
    open_data: str | None = None
    data_sufficiency: tuple[tuple[str, bool], ...] = ()  # (policy area, sufficient) answered
    own_options: tuple[OwnOption, ...] = ()  # the wording of the options above no locale has
    contact_email: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Share:
    """How many valid respondents gave the same answer as this city."""

    count: int
    total: int

    @property
    def percent(self) -> int:
        """Whole percent, halves rounded up (13/16 = 81.25 -> 81; 1/8 = 12.5 -> 13)."""
        return (200 * self.count + self.total) // (2 * self.total)


@dataclass(frozen=True)
class SurveyFigures:
    """Survey-wide answer counts over every valid row of the export."""

    respondents: int
    answers: dict[str, dict[object, int]] = field(default_factory=dict)

    def share(self, question: str, answer: object) -> Share | None:
        counts = self.answers.get(question, {})
        total = sum(counts.values())
        if answer is None or total == 0 or counts.get(answer, 0) == 0:
            return None
        return Share(counts[answer], total)


@dataclass(frozen=True)
class Inputs:
    """Which survey, read with which profile and sheet, shown with which layout: what every
    command (build, check, booklet, mail) works from."""

    survey: Path | None = None  # None: the bundled sample
    profile: Path | None = None  # None: the sample's profile
    sheet: str | None = None  # None: the profile's, else the first
    layout: str = "snapshot"

    @property
    def survey_path(self) -> Path:
        return self.survey or sample_survey()
