"""Helpers shared by the tests: where things are, PDF text, respondents (write_survey is
support/workbook.py's, here too for short imports)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from support.workbook import write_survey as write_survey

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"


def raw_text(path: Path) -> str:
    """The PDF's text in content order, as pdftotext -raw gives it (pages end with \f)."""
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pdf_text(path: Path) -> str:
    """The PDF's text in content order (pdftotext -raw), whitespace folded to single spaces.
    A line broken after a dash inside a word ("2020–" / "2023") is joined back."""
    out = re.sub(r"(?<=\w[–-])\n", "", raw_text(path))
    return " ".join(out.split())


def minimal_city(city: str, country: str, **answers: object) -> dict[str, object]:
    """A respondent who answered the compared questions and little else."""
    return {
        "city": city,
        "country": country,
        "formal_strategy": "Yes",
        "dedicated_funding": "No",
        "approach": "Both",
        **answers,
    }


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
