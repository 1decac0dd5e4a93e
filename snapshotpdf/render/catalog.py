"""A layout's message catalogs (locales/LANG.toml): every fixed word of its documents and
messages, one TOML file per language.

The layout's default language (English) is the source. A language's catalog is the source
with the language's own strings laid over it, key path by key path: a string the language
lacks is printed from the source and listed as untranslated, so a catalog's completeness is
what it translates of what the source holds. A plural string is a table of CLDR plural
categories (zero, one, two, few, many, other; "other" is required), so a language has the
forms it needs. A translated string may use only the placeholders of its source string; one
that uses another is set aside (printed from the source) and said so. docs/languages.md.

A language code from data (a survey cell, a contacts file) only ever picks one of the
layout's catalogs (best_language): it never becomes part of a path.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from snapshotpdf.errors import LayoutError
from snapshotpdf.limits import MAX_CATALOG_BYTES
from snapshotpdf.render import wording
from snapshotpdf.render.settings import merge

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# A catalog's own table, never taken from the source: how the language writes what CLDR
# would otherwise format (a year range: "{start}–{end}").
FORMATS = "formats"


@dataclass(frozen=True)
class Catalog:
    """The strings one language prints: its own, else the source's."""

    language: str  # the catalog's name: en, es, pt-br
    strings: dict[str, Any]  # every key of the source, translated where the language has it
    missing: tuple[str, ...]  # the key paths printed from the source (vision.heading, ...)
    total: int  # the source's strings (a plural table or a list counts as one)
    problems: tuple[str, ...] = ()  # translations set aside, and why
    formats: Mapping[str, str] | None = None  # [formats]: the language's own number formats

    @property
    def translated(self) -> int:
        return self.total - len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    def format(self, name: str) -> str | None:
        """The catalog's own pattern for a CLDR format ([formats] NAME), if it has one."""
        return (self.formats or {}).get(name)


def is_plural(value: object) -> bool:
    """A plural string: a table of CLDR plural categories holding "other"."""
    return (
        isinstance(value, dict)
        and "other" in value
        and all(key in PLURAL_CATEGORIES and isinstance(v, str) for key, v in value.items())
    )


def best_language(wanted: str | None, available: Sequence[str], default: str) -> str:
    """wanted where it is available (pt-br), else its base language (pt), else default:
    the one fallback rule for the snapshot's wording and the e-mail's templates."""
    for candidate in (wanted, (wanted or "").split("-")[0]):
        if candidate and candidate in available:
            return candidate
    return default


def choose_language(
    available: Sequence[str],
    default: str,
    *,
    override: str | None = None,
    own: str | None = None,
    profile: str | None = None,
) -> str:
    """The language a city's snapshot and message are in, the first of these that has a
    catalog: --lang (override), the city's own language (the survey's or the contacts
    file's language column), the survey profile's default language; else the layout's
    default. The one rule for build, booklet and mail."""
    for wanted in (override, own, profile):
        found = best_language(wanted, available, "")
        if found:
            return found
    return default


CATALOGS = "locales"  # the layout's subfolder of catalogs, locales/LANG.toml
# The only markup a catalog's strings may hold: the answer's bold, emphasis, a line break.
MARKUP = frozenset({"<strong>", "</strong>", "<em>", "</em>", "<br>", "<br/>", "<br />"})
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>?")  # what an HTML parser reads as a tag


def catalog_names(folders: tuple[Path, ...]) -> tuple[str, ...]:
    """The languages the layout (with the layouts it extends) has a catalog for: their
    locales/*.toml."""
    return _catalog_names(folders)


@cache
def _catalog_names(folders: tuple[Path, ...]) -> tuple[str, ...]:
    return tuple(
        sorted({path.stem for folder in folders for path in (folder / CATALOGS).glob("*.toml")})
    )


@cache
def load_catalog(source: tuple[Path, ...], files: tuple[Path, ...], language: str) -> Catalog:
    """The catalog of language from its files over the source language's. Each is given as
    the files of the layout's folders that have it, the most basic first (a layout that
    extends another lays each of its catalogs over the other's: it holds only the strings
    it changes); render/layout.py finds them, inside the layout's folders only."""
    base = _read(source)
    own = base if files == source else _read(files)
    merged: dict[str, Any] = {}
    missing: list[str] = []
    problems: list[str] = []
    total = _merge(base, own, merged, "", missing, problems)
    formats = own.get(FORMATS, {})
    if not isinstance(formats, dict) or not all(isinstance(v, str) for v in formats.values()):
        raise LayoutError(f"{files[-1]}: [{FORMATS}] must be a table of patterns")
    return Catalog(language, merged, tuple(missing), total, tuple(problems), dict(formats))


def _read(files: tuple[Path, ...]) -> dict[str, Any]:
    """A language's catalog: each layer's file of it (the most basic first) laid over the
    ones before."""
    table: dict[str, Any] = {}
    mistakes: list[str] = []
    shapes: list[str] = []
    for path in files:
        with path.open("rb") as f:
            data = f.read(MAX_CATALOG_BYTES + 1)
        if len(data) > MAX_CATALOG_BYTES:
            raise LayoutError(
                f"{path}: more than the {MAX_CATALOG_BYTES:,} bytes a catalog may have"
                " (limits.MAX_CATALOG_BYTES)",
                hint="a catalog holds the words of the snapshot and its e-mail only",
            )
        try:
            layer = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LayoutError(f"{path} is not valid TOML: {exc}") from None
        except RecursionError:
            raise LayoutError(f"{path}: nests its tables too deeply to be read") from None
        mistakes += _template_mistakes(layer, path, "")
        shapes += _shape_mistakes(table, layer, path, "")
        table = merge(table, layer)
    if mistakes:
        raise LayoutError(
            f"{len(mistakes)} mistake(s) in catalog strings:\n  " + "\n  ".join(mistakes),
            hint="a placeholder is a name alone in braces, {city}, a brace is written twice,"
            " {{ or }}, and the only markup is <strong>, <em> and <br> (docs/languages.md)",
        )
    if shapes:
        raise LayoutError(
            f"{len(shapes)} catalog string(s) unlike the string they replace:\n  "
            + "\n  ".join(shapes),
            hint="give each key as the bundled catalog does (docs/languages.md)",
        )
    return table


def _shape_mistakes(
    base: Mapping[str, Any], layer: Mapping[str, Any], path: Path, prefix: str
) -> Iterator[str]:
    """Each value of a catalog file laid over the layers before it (a layout's en.toml over
    the bundled one) that is not the kind of value it replaces (a table for a table of
    strings, a string or a plural table for a string), as "FILE: KEY: why"."""
    for key, theirs in layer.items():
        if key not in base:
            continue  # a string of the layout's own, for its own template
        source, where = base[key], f"{prefix}{key}"
        if isinstance(source, dict) and not is_plural(source):
            if isinstance(theirs, dict):
                yield from _shape_mistakes(source, theirs, path, f"{where}.")
            else:
                yield f"{path}: {where}: expected a table, found {_kind(theirs)}"
        elif reason := _unlike(source, theirs):
            yield f"{path}: {where}: {reason}"


def _template_mistakes(value: object, path: Path, key: str) -> Iterator[str]:
    """Each string of a catalog (tables, plural forms and lists walked) whose braces are
    not {name} placeholders (wording.placeholders), or with markup other than MARKUP (a
    link, an image, a script: a catalog's sentences are printed as markup), as "FILE: KEY:
    why"."""
    if isinstance(value, str):
        try:
            wording.placeholders(value)
        except ValueError as exc:
            yield f"{path}: {key}: {exc}"
        for tag in _TAG.findall(value):
            if tag.lower() not in MARKUP:
                yield f"{path}: {key}: {tag[:80]} is markup a catalog may not hold"
    elif isinstance(value, dict):
        for name, inner in value.items():
            yield from _template_mistakes(inner, path, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _template_mistakes(inner, path, f"{key}[{index}]")


def _merge(
    base: Mapping[str, Any],
    own: Mapping[str, Any],
    into: dict[str, Any],
    prefix: str,
    missing: list[str],
    problems: list[str],
) -> int:
    """Lay own over base into `into`, key path by key path; the number of strings."""
    total = 0
    for key, source in base.items():
        if not prefix and key == FORMATS:
            continue
        path = f"{prefix}{key}"
        theirs = own.get(key)
        if isinstance(source, dict) and not is_plural(source):
            into[key] = {}
            nested = theirs if isinstance(theirs, dict) else {}
            total += _merge(source, nested, into[key], f"{path}.", missing, problems)
            continue
        total += 1
        reason = None if theirs is None else _unfit(source, theirs)
        if theirs is None or reason:
            into[key] = source
            missing.append(path)
            if reason:
                problems.append(f"{path}: {reason}")
        else:
            into[key] = theirs
    return total


def _unfit(source: object, theirs: object) -> str | None:
    """Why a translation cannot stand in for its source string; None when it can."""
    reason = _unlike(source, theirs)
    if reason or not isinstance(source, str | dict):
        return reason
    allowed = _placeholders(source)
    used = _placeholders(theirs)
    if used is None:
        return "it is not a valid template (a lone { or }?)"
    if allowed is not None and not used <= allowed:
        extra = ", ".join(f"{{{name}}}" for name in sorted(used - allowed))
        return f"{extra} is not a placeholder of the source string"
    return None


def _unlike(source: object, theirs: object) -> str | None:
    """Why theirs is not the kind of value source is (a string or a plural table for
    either; else the same type, a list of tables with the same keys); None when it is."""
    if isinstance(source, str | dict) and isinstance(theirs, str | dict):
        if isinstance(theirs, dict) and not is_plural(theirs):
            return "a plural table has CLDR categories (zero, one, two, few, many) and other"
        return None
    if isinstance(source, str | dict) or type(source) is not type(theirs):
        return f"expected {_kind(source)}, found {_kind(theirs)}"
    if isinstance(source, list) and source and isinstance(source[0], dict):
        keys = set(source[0])
        if not all(isinstance(item, dict) and set(item) == keys for item in theirs):  # type: ignore[attr-defined]
            return f"each entry has the keys {', '.join(sorted(keys))}"
    return None


def _kind(value: object) -> str:
    """A TOML value's kind, as a designer reads it."""
    if isinstance(value, dict):
        return "a plural table" if is_plural(value) else "a table"
    kinds = {bool: "true or false", str: "a string", int: "a number", float: "a number"}
    return kinds.get(type(value), "a list" if isinstance(value, list) else type(value).__name__)


def _placeholders(value: object) -> set[str] | None:
    """The {names} a string (or every form of a plural table) uses; None: not a template."""
    texts = list(value.values()) if isinstance(value, dict) else [value]
    try:
        return set().union(*(wording.placeholders(str(text)) for text in texts))
    except ValueError:
        return None


def untranslated_message(catalog: Catalog, source: str) -> str:
    """What a run says of a catalog that lacks strings: each one, once."""
    name = wording.cldr(source).english_name or source
    text = (
        f"catalog {catalog.language} lacks {len(catalog.missing)} of {catalog.total} strings,"
        f" printed in {name} instead: {', '.join(catalog.missing)}"
    )
    if catalog.problems:
        text += "; set aside: " + "; ".join(catalog.problems)
    return text
