"""Canonical answer options: raw survey answer text -> option key (vocabulary.toml)."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache

from snapshotpdf.assets import package_file

POLICY_AREAS = "policy_areas"


def answer_key(text: str) -> str:
    """How answers are compared: NFC, whitespace folded (NBSP included), case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


@cache
def _table() -> dict[str, dict[str, tuple[str, ...]]]:
    with package_file("vocabulary.toml").open("rb") as f:
        raw = tomllib.load(f)
    return {q: {k: tuple(v) for k, v in opts.items()} for q, opts in raw.items()}


def questions() -> tuple[str, ...]:
    return tuple(_table())


def options(question: str) -> tuple[str, ...]:
    """The option keys of a question, in the vocabulary's order."""
    return tuple(_table()[question])


@cache
def _lookup(question: str) -> dict[str, str]:
    return {answer_key(text): key for key, texts in _table()[question].items() for text in texts}


def match(question: str, text: str) -> str | None:
    """The option key a raw answer means, or None when it matches no known option."""
    return _lookup(question).get(answer_key(text))


def texts(question: str) -> tuple[str, ...]:
    """Every answer text the vocabulary knows for a question."""
    return tuple(text for spellings in _table()[question].values() for text in spellings)


def sample_answer(question: str, key: str) -> str:
    """The answer text the bundled sample writes for an option."""
    return _table()[question][key][0]


def policy_areas() -> tuple[str, ...]:
    """The 15 policy areas, in the outcomes grid's order."""
    return options(POLICY_AREAS)
