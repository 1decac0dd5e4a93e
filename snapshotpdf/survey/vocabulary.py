"""Canonical answer options: raw survey answer text -> option key.

The vocabulary (vocabulary.toml) knows the texts every export is likely to use; a survey
profile may add its own ([answers] in the profile, given here as `extra`). Both are compared
the same way (answer_key: NFC, whitespace folded, case folded). One answer or one cell
holding several (split) is matched here and nowhere else.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from snapshotpdf.assets import package_file

POLICY_AREAS = "policy_areas"
NO_PRIORITY = "no_priority"  # the policy-areas answer of a city that prioritises none
OUTCOMES_GRID = "outcomes_grid"  # vocabulary.toml's list of the grid's 15 policy areas
YES_NO = "yes_no"  # the pseudo-question of Yes/No answers, for [answers.yes_no] in a profile
YES_NO_OPTIONS = ("yes", "no")

Extra = Mapping[str, str]  # answer_key(raw text) -> option key, from a profile


def answer_key(text: str) -> str:
    """How answers are compared: NFC, whitespace folded (NBSP included), case folded, no
    space around a slash ("Transport/Mobility" is "Transport / Mobility")."""
    folded = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    return re.sub(r" ?/ ?", "/", folded)


@cache
def _raw() -> dict[str, object]:
    with package_file("survey/vocabulary.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def _table() -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        q: {k: tuple(v) for k, v in opts.items()}
        for q, opts in _raw().items()
        if isinstance(opts, dict)
    }


def questions() -> tuple[str, ...]:
    """The multiple-choice questions of the vocabulary, in its order."""
    return tuple(_table())


def profile_questions() -> tuple[str, ...]:
    """Every question a profile's [answers] may name: the vocabulary's, and yes_no."""
    return (*questions(), YES_NO)


def options(question: str) -> tuple[str, ...]:
    """The option keys of a question, in the vocabulary's order."""
    return YES_NO_OPTIONS if question == YES_NO else tuple(_table()[question])


@cache
def _lookup(question: str) -> dict[str, str]:
    return {answer_key(text): key for key, texts in _table()[question].items() for text in texts}


def match(question: str, text: str, extra: Extra | None = None) -> str | None:
    """The option key a raw answer means (the profile's own texts first), or None when it
    matches no known option."""
    key = answer_key(text)
    if extra and key in extra:
        return extra[key]
    return None if question == YES_NO else _lookup(question).get(key)


def texts(question: str) -> tuple[str, ...]:
    """Every answer text the vocabulary knows for a question."""
    return tuple(text for spellings in _table()[question].values() for text in spellings)


def sample_answer(question: str, key: str) -> str:
    """The answer text the bundled sample writes for an option."""
    return _table()[question][key][0]


def policy_areas() -> tuple[str, ...]:
    """The 15 policy areas of the outcomes grid, in its order (vocabulary.toml's
    outcomes_grid); [policy_areas] has more, which only a priority may name."""
    grid = _raw()[OUTCOMES_GRID]
    assert isinstance(grid, list)
    return tuple(str(area) for area in grid)


@dataclass(frozen=True)
class Split:
    # every answer in the cell's order, each once: (option key, or None when the piece
    # matches no option, the piece as written)
    pieces: tuple[tuple[str | None, str], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The options recognised, in answer order."""
        return tuple(key for key, _text in self.pieces if key is not None)

    @property
    def unknown(self) -> tuple[str, ...]:
        """The pieces that match no option, as written."""
        return tuple(text for key, text in self.pieces if key is None)


def split(question: str, text: str, separator: str, extra: Extra | None = None) -> Split:
    """Several options in one cell, split on the separator but only where no known option
    continues: with ",", "Social Inclusion, Equity, Housing" is two options, not three."""
    pieces = text.split(separator) if separator else [text]
    span = _longest_option(question, separator, extra)
    found: list[tuple[str | None, str]] = []
    seen: set[str] = set()  # option keys, and the answer_key of unknown pieces
    start = 0
    while start < len(pieces):
        end = min(len(pieces), start + span)
        while end > start:  # the longest known option first
            candidate = separator.join(pieces[start:end]).strip()
            key = match(question, candidate, extra) if candidate else None
            if key is not None:
                if key not in seen:
                    seen.add(key)  # keys are lower-case words: never a piece's "?" form
                    found.append((key, candidate))
                break
            end -= 1
        if end == start:
            piece = pieces[start].strip()
            if piece and "?" + answer_key(piece) not in seen:
                seen.add("?" + answer_key(piece))
                found.append((None, piece))
            end = start + 1
        start = end
    return Split(tuple(found))


def _longest_option(question: str, separator: str, extra: Extra | None) -> int:
    """How many separator-split pieces the longest known option spans."""
    known = [] if question == YES_NO else list(texts(question))
    known += list(extra or ())
    return 1 + max((t.count(separator) for t in known if separator), default=0)
