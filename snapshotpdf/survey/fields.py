"""The fields of a city record a profile may feed: each field's name, what kind of answer it
takes and, for multiple-choice fields, its vocabulary question; and the kinds of answer a
profile's own fields ([extra]) may take. The catalogue alone: the parsers are in
normalise.py, the columns in a profile."""

from __future__ import annotations

from dataclasses import dataclass

from snapshotpdf.limits import MAX_PRIORITY_AREAS
from snapshotpdf.survey.vocabulary import POLICY_AREAS

REQUIRED_FIELDS = ("city", "country")
DATA_SUFFICIENCY = "data_sufficiency"  # read by its own loop: one yes/no per policy area


@dataclass(frozen=True)
class Field:
    """How one record field is read. kind: name, text, paragraphs, term, population,
    website, yes_no, email, language, number, date, list (one value), one (one option) or
    many (several)."""

    kind: str
    question: str | None = None  # the vocabulary question of an option field
    limit: int | None = None  # the most options printed

    @property
    def many(self) -> bool:
        return self.kind == "many"


def _one(question: str) -> Field:
    return Field("one", question)


def _many(question: str, limit: int | None = None) -> Field:
    return Field("many", question, limit)


FIELDS: dict[str, Field] = {
    "city": Field("name"),
    "country": Field("name"),
    "mayor": Field("text"),
    "term": Field("term"),
    "innovation_lead": Field("text"),
    "population": Field("population"),
    "website": Field("website"),
    "org_structure": Field("paragraphs"),
    "staff_profiles": _many("staff_profiles"),
    "spotlight": Field("paragraphs"),
    "formal_strategy": Field("yes_no"),
    "innovation_associations": _many("innovation_associations"),
    "approach": _one("approach"),
    "priority_areas": _many(POLICY_AREAS, limit=MAX_PRIORITY_AREAS),
    "partners_innovation": _many("partners"),
    "partners_data": _many("partners"),
    "dedicated_funding": Field("yes_no"),
    "funding_sources": _many("funding_sources"),
    "funding_directed": _many("funding_directed"),
    "innovation_helps": _many("innovation_helps"),
    "success_factors": _many("success_factors"),
    "role_of_data": _one("role_of_data"),
    "data_uses": _many("data_uses"),
    "data_challenges": _many("data_challenges"),
    "open_data": _one("open_data"),
    "contact_email": Field("email"),
    "language": Field("language"),
}


@dataclass(frozen=True)
class ExtraKind:
    """A kind of answer a profile's own field may take ([extra] NAME = { type = KIND })."""

    value: str  # what a template gets (Python type), None aside
    about: str  # what is read, for the docs


# The kinds of answer an own field may take, the first the default. Each is read by the
# parser of the record field kind of the same name (normalise.py).
EXTRA_KINDS: dict[str, ExtraKind] = {
    "text": ExtraKind(
        "str",
        "one line of text, white space folded; a longer answer than limits.MAX_LINE_CHARS"
        " is cut, with a warning",
    ),
    "paragraphs": ExtraKind(
        "str",
        "free text that keeps its paragraphs and line breaks (as the spotlight); cut at"
        " limits.MAX_ANSWER_CHARS, with a warning",
    ),
    "number": ExtraKind(
        "int | float",
        "a number: a number cell, or text such as 12, -3.5, 4,5 or 1,234,567 (a whole"
        " number is an int)",
    ),
    "yes_no": ExtraKind(
        "bool", "Yes or No, and the texts the profile's [answers.yes_no] maps to them"
    ),
    "date": ExtraKind(
        "datetime.date", "a date cell, or text written as the year first: 2024-02-20"
    ),
    "list": ExtraKind(
        "tuple[str, ...]",
        "several texts in one cell, split on its separator (the profile's list_separator"
        " unless the field gives one); each one line",
    ),
}
DEFAULT_EXTRA_KIND = next(iter(EXTRA_KINDS))
