"""Typed records passed between the pipeline stages. All frozen: stages never mutate.

The fields a template can print carry a short doc of their own, `field(metadata=doc(...))`:
docs/templates.md, the template reference, is made from them (scripts/template_reference.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from snapshotpdf.assets import sample_survey

DOC = "doc"  # the metadata key of a field's doc


def doc(text: str) -> dict[str, str]:
    """A field's doc, as its metadata: `name: str = field(metadata=doc("..."))`."""
    return {DOC: text}


def date_text(created: datetime) -> str:
    """A PDF's date as it carries it, as a template is given it and as the manifest keeps
    it: ISO 8601 to the second."""
    return created.isoformat(timespec="seconds")


class Severity(StrEnum):
    ERROR = "error"  # the row is skipped
    WARNING = "warning"  # the row is kept, the named value is dropped


@dataclass(frozen=True)
class Location:
    """Where a value sits, as the user sees it in Excel (row 1 is the first header row)."""

    file: str = field(metadata=doc("the survey file's name"))
    sheet: str | None = field(metadata=doc("the sheet, for a workbook"))
    row: int = field(metadata=doc("the row, as Excel numbers it"))
    column: str | None = field(default=None, metadata=doc('the column letter, e.g. "C"'))
    header: str | None = field(default=None, metadata=doc("the column's header"))

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        if self.row:  # 0: not a row of the survey (an option, a layout's file)
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
    """The mayor's term of office, in years."""

    start: int = field(metadata=doc("the year it began"))
    end: int | None = field(default=None, metadata=doc("the year it ends; None when not given"))


@dataclass(frozen=True)
class Population:
    """The city's population, and the year of that figure."""

    count: int = field(metadata=doc("inhabitants"))
    year: int | None = field(default=None, metadata=doc("the year of the figure, if given"))


TYPED = "typed:"  # the option key of an answer that matched no option: TYPED + the text


@dataclass(frozen=True)
class OwnOption:
    """An option with its own wording, which the layout's locale does not hold: one a
    survey profile adds ([answers.QUESTION.KEY]), or an answer that matched no option,
    printed as the city typed it (key TYPED + the text)."""

    question: str = field(metadata=doc("the vocabulary question (staff_profiles, ...)"))
    key: str = field(metadata=doc("the option key the record's field holds"))
    label: str = field(metadata=doc("its wording as a list item, or under its icon"))
    in_sentence: str = field(metadata=doc("its wording inside a sentence"))
    icon: str | None = field(
        default=None, metadata=doc("a policy area's icon (icons/NAME.svg of the layout)")
    )

    @property
    def typed(self) -> bool:
        """An answer that matched no option, printed as typed."""
        return self.key.startswith(TYPED)


# What an answer to a profile's own field ([extra]) is, by its type (survey/fields.py).
ExtraValue = str | int | float | bool | date | tuple[str, ...] | None


def _read_only(self: object, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError("a record's extra answers are read-only")


class ExtraAnswers(dict[str, ExtraValue]):
    """The answers to a survey profile's own fields ([extra]), by the name the profile
    gives each: every field it names is here, None where the city gave no answer (or one
    that was dropped, with a warning). Read-only; a template reads `record.extra.NAME`."""

    __slots__ = ()

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __init__(
        self, answers: Mapping[str, ExtraValue] | Iterable[tuple[str, ExtraValue]] = ()
    ) -> None:
        super().__init__(answers)  # pairs too: dataclasses.asdict copies it from them

    def __reduce__(self) -> tuple[type[ExtraAnswers], tuple[dict[str, ExtraValue]]]:
        return ExtraAnswers, (dict(self),)  # pickled (RecordSpool, workers) without setitem

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __repr__(self) -> str:
        return f"ExtraAnswers({dict.__repr__(self)})"


@dataclass(frozen=True)
class CityRecord:
    """One survey respondent, normalised. Option answers are canonical keys (vocabulary.toml)."""

    source: Location = field(metadata=doc("where the row is: file, sheet, row"))
    city: str = field(metadata=doc("the city's name, as typed"))
    country: str = field(metadata=doc("the country's name, as typed"))
    mayor: str | None = field(default=None, metadata=doc("the mayor's name"))
    term: Term | None = field(default=None, metadata=doc("the mayor's term of office"))
    innovation_lead: str | None = field(
        default=None, metadata=doc("who leads innovation: one person, or several")
    )
    population: Population | None = field(
        default=None, metadata=doc("inhabitants, and the year of the figure")
    )
    website: str | None = field(default=None, metadata=doc("an http(s) link, checked"))
    org_structure: str | None = field(
        default=None, metadata=doc("the organisational structure: free text in paragraphs")
    )
    staff_profiles: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: the skills and profiles of the staff")
    )
    spotlight: str | None = field(
        default=None, metadata=doc("the city's spotlight story: free text in paragraphs")
    )
    formal_strategy: bool | None = field(
        default=None, metadata=doc("whether the city has a formal innovation strategy")
    )
    innovation_associations: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what the city associates innovation with")
    )
    approach: str | None = field(
        default=None, metadata=doc("option key: how the city approaches innovation")
    )
    priority_areas: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: the priority policy areas, in the city's order")
    )
    partners_innovation: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: who the city innovates with")
    )
    partners_data: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: who the city works on data with")
    )
    dedicated_funding: bool | None = field(
        default=None, metadata=doc("whether innovation has funding of its own")
    )
    funding_sources: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: where that funding comes from")
    )
    funding_directed: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what the funding goes to")
    )
    innovation_helps: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what innovation helps the city do")
    )
    success_factors: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what makes innovation succeed")
    )
    role_of_data: str | None = field(
        default=None, metadata=doc("option key: how large a role data plays")
    )
    data_uses: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what the city uses data for")
    )
    data_challenges: tuple[str, ...] = field(
        default=(), metadata=doc("option keys: what makes using data hard")
    )
    open_data: str | None = field(
        default=None, metadata=doc("option key: whether and where the city publishes data")
    )
    data_sufficiency: tuple[tuple[str, bool], ...] = field(
        default=(), metadata=doc("(policy area, sufficient) for each area answered")
    )
    own_options: tuple[OwnOption, ...] = field(
        default=(), metadata=doc("the wording of the options above that no catalog has")
    )
    contact_email: str | None = field(
        default=None, metadata=doc("who receives the snapshot by e-mail")
    )
    language: str | None = field(
        default=None, metadata=doc("the language code the row asks for (es, pt-br)")
    )
    extra: ExtraAnswers = field(
        default_factory=ExtraAnswers,
        metadata=doc("the answers to the profile's own fields ([extra]), by name"),
    )


@dataclass(frozen=True)
class Share:
    """How many valid respondents gave the same answer as this city."""

    count: int = field(metadata=doc("the cities that gave this city's answer, itself included"))
    total: int = field(metadata=doc("the cities that answered the question"))

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
