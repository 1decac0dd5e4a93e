"""Raw answer texts -> canonical option keys: one answer, or one cell holding several.

The vocabulary (vocabulary.toml) knows the texts every export is likely to use; a survey
profile may add its own ([answers] in the profile). Both are compared the same way
(vocabulary.answer_key: NFC, whitespace folded, case folded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from snapshotpdf import vocabulary

YES_NO = "yes_no"  # the pseudo-question of Yes/No answers, for [answers.yes_no] in a profile
YES_NO_OPTIONS = ("yes", "no")

Extra = Mapping[str, str]  # answer_key(raw text) -> option key, from a profile


def questions() -> tuple[str, ...]:
    """Every question a profile's [answers] may name."""
    return (*vocabulary.questions(), YES_NO)


def options(question: str) -> tuple[str, ...]:
    return YES_NO_OPTIONS if question == YES_NO else vocabulary.options(question)


def match(question: str, text: str, extra: Extra | None = None) -> str | None:
    """The option key a raw answer means, or None when it matches no known option."""
    key = vocabulary.answer_key(text)
    if extra and key in extra:
        return extra[key]
    return None if question == YES_NO else vocabulary.match(question, text)


@dataclass(frozen=True)
class Split:
    keys: tuple[str, ...]  # the options recognised, in answer order, each once
    unknown: tuple[str, ...]  # the pieces that match no option, as written


def split(question: str, text: str, separator: str, extra: Extra | None = None) -> Split:
    """Several options in one cell, split on the separator but only where no known option
    continues: with ",", "Social Inclusion, Equity, Housing" is two options, not three."""
    pieces = text.split(separator) if separator else [text]
    span = _longest_option(question, separator, extra)
    keys: list[str] = []
    unknown: list[str] = []
    start = 0
    while start < len(pieces):
        end = min(len(pieces), start + span)
        while end > start:  # the longest known option first
            candidate = separator.join(pieces[start:end]).strip()
            key = match(question, candidate, extra) if candidate else None
            if key is not None:
                if key not in keys:
                    keys.append(key)
                break
            end -= 1
        if end == start:
            if piece := pieces[start].strip():
                unknown.append(piece)
            end = start + 1
        start = end
    return Split(tuple(keys), tuple(unknown))


def _longest_option(question: str, separator: str, extra: Extra | None) -> int:
    """How many separator-split pieces the longest known option spans."""
    known = [] if question == YES_NO else list(vocabulary.texts(question))
    known += list(extra or ())
    return 1 + max((t.count(separator) for t in known if separator), default=0)
