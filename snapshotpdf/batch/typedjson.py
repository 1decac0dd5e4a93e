"""Frozen records (models.py's dataclasses) to JSON and back, exactly: what a cache keeps
of a survey it read (batch/cache.py), in a file it never has to trust.

to_json gives plain JSON values (a dataclass as an object of its fields, a tuple as a
list, a date as {"$date": "2024-02-20"}); decoder(T) makes a function that turns such a
value back into a T, checking every field's type as its annotation says and refusing
anything else (a missing or unknown field, a string where a number belongs) with
TypedJsonError. Nothing is ever evaluated or unpickled.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from snapshotpdf.models import ExtraAnswers, ExtraValue

_DATE = "$date"
_DATETIME = "$datetime"


class TypedJsonError(ValueError):
    """A JSON value is not what its type says, or a value has no JSON form here."""


def to_json(value: object) -> object:
    """value as plain JSON values (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, str | bool | int):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypedJsonError(f"{value!r} has no JSON form")
        return value
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, tuple | list | frozenset):
        items = sorted(value) if isinstance(value, frozenset) else value
        return [to_json(item) for item in items]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypedJsonError("a mapping with keys that are not text has no JSON form")
        return {key: to_json(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypedJsonError(f"a {type(value).__name__} has no JSON form")


Decoder = Callable[[object], Any]


@functools.cache
def decoder(hint: Any) -> Decoder:
    """A function from to_json's value of a `hint` back to the value; TypedJsonError when
    the JSON is not one. Types: None, bool, int, float, str, enums, date, datetime,
    tuple[T, ...], tuple[A, B], frozenset[T], list[T], dict[str, T], unions of these,
    ExtraAnswers, and dataclasses whose fields are of these types."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is type(None) or hint is None:
        return _exactly(type(None))
    if hint in (str, bool):
        return _exactly(hint)
    if hint is int:
        return _exactly(int)
    if hint is float:
        return _float
    if hint is date:
        return _tagged(_DATE, date.fromisoformat, date)
    if hint is datetime:
        return _tagged(_DATETIME, datetime.fromisoformat, datetime)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if hint is ExtraAnswers:
        answers = decoder(dict[str, ExtraValue])
        return lambda raw: ExtraAnswers(answers(raw))
    if origin in (types.UnionType, typing.Union):
        return _union(tuple(decoder(arg) for arg in args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(decoder(args[0]), tuple)
        return _fixed(tuple(decoder(arg) for arg in args))
    if origin in (list, frozenset):
        return _sequence(decoder(args[0]), origin)
    if origin is dict and args[0] is str:
        return _mapping(decoder(args[1]))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    raise TypedJsonError(f"no JSON form for {hint!r}")


def _fail(raw: object, what: str) -> typing.NoReturn:
    shown = repr(raw)
    raise TypedJsonError(f"{shown[:60]} is not {what}")


def _exactly(kind: type) -> Decoder:
    def decode(raw: object) -> object:
        if type(raw) is not kind:  # bool is not int here, nor int bool
            _fail(raw, kind.__name__)
        return raw

    return decode


def _float(raw: object) -> float:
    if type(raw) is not float or not math.isfinite(raw):
        _fail(raw, "a float")
    return raw


def _tagged(tag: str, parse: Callable[[str], date], kind: type) -> Decoder:
    def decode(raw: object) -> object:
        if not isinstance(raw, dict) or len(raw) != 1 or not isinstance(raw.get(tag), str):
            _fail(raw, kind.__name__)
        value = parse(raw[tag])  # a ValueError for a text that is not one
        if type(value) is not kind:
            _fail(raw, kind.__name__)
        return value

    return decode


def _enum(kind: type[Enum]) -> Decoder:
    def decode(raw: object) -> object:
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            _fail(raw, kind.__name__)
        return kind(raw)  # a ValueError for a value it has not

    return decode


def _union(members: tuple[Decoder, ...]) -> Decoder:
    def decode(raw: object) -> object:
        for member in members:
            try:
                return member(raw)
            except (TypedJsonError, ValueError, TypeError):
                continue
        _fail(raw, "any of its types")

    return decode


def _sequence(item: Decoder, kind: Callable[[Any], Any]) -> Decoder:
    def decode(raw: object) -> object:
        if not isinstance(raw, list):
            _fail(raw, "a list")
        return kind(item(value) for value in raw)

    return decode


def _fixed(items: tuple[Decoder, ...]) -> Decoder:
    def decode(raw: object) -> object:
        if not isinstance(raw, list) or len(raw) != len(items):
            _fail(raw, f"a list of {len(items)}")
        return tuple(item(value) for item, value in zip(items, raw, strict=True))

    return decode


def _mapping(item: Decoder) -> Decoder:
    def decode(raw: object) -> object:
        if not isinstance(raw, dict):
            _fail(raw, "an object")
        return {key: item(value) for key, value in raw.items()}

    return decode


def _dataclass(kind: type) -> Decoder:
    hints = typing.get_type_hints(kind)
    names = tuple(f.name for f in dataclasses.fields(kind) if f.init)
    if len(names) != len(dataclasses.fields(kind)):
        raise TypedJsonError(f"{kind.__name__} has fields it is not made with")
    fields = tuple((name, decoder(hints[name])) for name in names)
    expected = set(names)

    def decode(raw: object) -> object:
        if not isinstance(raw, dict) or raw.keys() != expected:
            _fail(raw, f"a {kind.__name__}")
        return kind(**{name: field(raw[name]) for name, field in fields})

    return decode
