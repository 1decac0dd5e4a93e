"""All valid records -> survey-wide figures. Pure: no I/O, no wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from snapshotpdf.models import CityRecord, SurveyFigures

# Questions whose answers the snapshot compares with everyone who answered.
COMPARED = ("formal_strategy", "dedicated_funding", "approach")


def survey_figures(records: Iterable[CityRecord]) -> SurveyFigures:
    """Counts over every valid row of the export (not only the cities being rendered).
    A respondent who left a question blank is not counted for that question."""
    records = list(records)
    answers: dict[str, dict[object, int]] = {}
    for question in COMPARED:
        counts = Counter(getattr(r, question) for r in records)
        counts.pop(None, None)
        answers[question] = dict(counts)
    return SurveyFigures(respondents=len(records), answers=answers)
