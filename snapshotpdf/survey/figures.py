"""All valid records -> survey-wide figures. Pure: no I/O, no wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from snapshotpdf.models import CityRecord, SurveyFigures

# Questions whose answers the snapshot compares with everyone who answered.
COMPARED = ("formal_strategy", "dedicated_funding", "approach")


class Tally:
    """The figures counted a record at a time, so that no record need be kept."""

    def __init__(self) -> None:
        self.respondents = 0
        self.counts: dict[str, Counter[object]] = {question: Counter() for question in COMPARED}

    def add(self, record: CityRecord) -> None:
        self.respondents += 1
        for question, counts in self.counts.items():
            answer = getattr(record, question)
            if answer is not None:  # a blank answer is not counted for that question
                counts[answer] += 1

    def figures(self) -> SurveyFigures:
        answers = {question: dict(counts) for question, counts in self.counts.items()}
        return SurveyFigures(respondents=self.respondents, answers=answers)


def survey_figures(records: Iterable[CityRecord]) -> SurveyFigures:
    """Counts over every valid row of the export (not only the cities being rendered).
    A respondent who left a question blank is not counted for that question."""
    tally = Tally()
    for record in records:
        tally.add(record)
    return tally.figures()
