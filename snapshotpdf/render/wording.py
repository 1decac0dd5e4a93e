"""How things are said: lists, plurals, shares in words, numbers, percentages, dates. Pure
functions over a language code (its CLDR data, through Babel) and a catalog's strings; the
Jinja2 filters of every layout are these functions."""

from __future__ import annotations

import contextlib
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from typing import Any

import babel
from babel.dates import format_date as babel_date
from babel.dates import format_interval, format_skeleton
from babel.numbers import format_compact_decimal, format_decimal
from babel.numbers import format_percent as babel_percent
from markupsafe import Markup, escape

from snapshotpdf.models import Population, Share, Term

Strings = Mapping[str, Any]  # a catalog's strings (render/catalog.py)


def cldr(language: str) -> babel.Locale:
    """The CLDR locale of a catalog's language code (en, pt-br); UnknownLocaleError when
    CLDR has none."""
    return _cldr(language)


@cache
def _cldr(language: str) -> babel.Locale:
    return babel.Locale.parse(language.replace("-", "_"))


def direction(language: str) -> str:
    """ "rtl" for a language written right to left (Arabic, Hebrew), else "ltr"."""
    return "rtl" if cldr(language).character_order == "right-to-left" else "ltr"


def text_direction(text: str) -> str | None:
    """ "rtl" or "ltr": the direction most of text's letters are written in, so an English
    paragraph that begins with a Hebrew city's name still reads left to right; on a tie,
    that of its first letter (the Unicode bidi algorithm's rule for a paragraph). None
    when it has no letter of either (digits alone)."""
    counts = {"ltr": 0, "rtl": 0}
    first = None
    for ch in text:
        way = _STRONG.get(unicodedata.bidirectional(ch))
        if way:
            counts[way] += 1
            first = first or way
    if counts["ltr"] == counts["rtl"]:
        return first
    return "ltr" if counts["ltr"] > counts["rtl"] else "rtl"


_STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}
_MARKS = {"ltr": "\u200e", "rtl": "\u200f"}  # LRM, RLM


def isolate(text: str, page_direction: str) -> str:
    """Survey text set inside the page's own sentences: a name written the other way
    (a Hebrew city in an English sentence, or "Lima" in an Arabic one) is held between
    two marks of the page's direction (LRM or RLM), so it cannot pull the punctuation and
    words around it into its direction ("גבעת הזית, ישראל" keeps its comma between the
    two names, in the page's order). Marks, not isolates (FSI ... PDI): the renderer
    honours marks. Text of the page's direction only is returned as it is."""
    other = "rtl" if page_direction == "ltr" else "ltr"
    if any(_STRONG.get(unicodedata.bidirectional(ch)) == other for ch in text):
        mark = _MARKS[page_direction]
        return f"{mark}{text}{mark}"
    return text


def join_list(items: Iterable[object], language: str) -> Markup:
    """ "A", "A and B", "A, B, and C" ("A, B y C", "A, B et C"): the language's CLDR list
    patterns (standard style); items escaped, the patterns too."""
    parts = [escape(item) for item in items]
    if len(parts) <= 1:
        return Markup("").join(parts)
    patterns = cldr(language).list_patterns["standard"]

    def joined(pattern: str, first: Markup, second: Markup) -> Markup:
        return Markup(escape(pattern)).format(first, second)

    if len(parts) == 2:
        return joined(patterns["2"], parts[0], parts[1])
    text = joined(patterns["start"], parts[0], parts[1])
    for part in parts[2:-1]:
        text = joined(patterns["middle"], text, part)
    return joined(patterns["end"], text, parts[-1])


def plural(forms: str | Mapping[str, str], count: int, language: str) -> str:
    """The form of a plural string for count: its CLDR plural category in the language
    ("one", "few", ...), else "other". A plain string has one form for every count."""
    if isinstance(forms, str):
        return forms
    return forms.get(cldr(language).plural_form(count), forms["other"])


def format_number(number: int | float, language: str) -> str:
    """A number with the language's digit grouping and decimal mark: 850,000 / 850.000 /
    850 000; 4.5 / 4,5 (at most three decimals)."""
    return str(format_decimal(number, locale=cldr(language)))


def format_percent(whole: int, language: str) -> str:
    """A whole percent as the language writes it: 81% (en), 81 % (fr, es)."""
    return str(babel_percent(Decimal(whole).scaleb(-2), locale=cldr(language)))


SHARE_STYLES = ("figures", "bands")  # a layout's [wording] shares


def share_words(share: Share, strings: Strings, language: str, style: str = "figures") -> str:
    """How a share of cities is said before "cities surveyed". "figures", as the published
    snapshots say it: a majority in words ("more than half of"), any other share as its
    figure ("20% of"). "bands": in words always, from the catalog's share_bands table."""
    percent = share.percent
    if style == "figures":
        shares = strings["shares"]
        if 2 * share.count > share.total:
            return str(shares["majority"])
        return substitute(str(shares["figure"]), percent=format_percent(percent, language))
    for band in strings["share_bands"]:
        if percent <= band["up_to"]:
            return str(band["words"])
    raise ValueError(f"no share band covers {percent}%")


def leading_article(text: str, articles: Iterable[str] = ("a ", "an ")) -> tuple[str, str]:
    """("a ", "focus on metrics") for "a focus on metrics": a list's leading indefinite
    article (one of the catalog's articles), which the reference prints outside the bold
    answer; ("", text) without one."""
    for article in articles:
        if text.startswith(article) and len(text) > len(article):
            return article, text[len(article) :]
    return "", text


def format_population(population: Population, strings: Strings, language: str) -> str:
    """9670000 -> "9.67 million" ("9,67 millones"): CLDR's long compact form, up to two
    decimals, halves rounded up (1,245,000: "1.25 million"); under a million, grouped
    digits: "850,000". With its year: "(2020)"."""
    if population.count >= 1_000_000:
        with localcontext(rounding=ROUND_HALF_UP):
            text = format_compact_decimal(
                population.count, format_type="long", fraction_digits=2, locale=cldr(language)
            )
    else:
        text = format_number(population.count, language)
    if population.year is None:
        return str(text)
    year = format_year(population.year, language)
    return substitute(str(strings["numbers"]["population_year"]), population=text, year=year)


def format_date(day: date, language: str) -> str:
    """A date written out as the language does: February 20, 2024 (en), 20 février 2024."""
    return str(babel_date(day, format="long", locale=cldr(language)))


def format_year(year: int, language: str) -> str:
    return str(format_skeleton("y", date(year, 1, 1), locale=cldr(language)))


def format_term(term: Term, language: str, pattern: str | None = None) -> str:
    """A term of office: 2019–2022, as CLDR's year interval of the language, or the
    catalog's own pattern ([formats] year_range = "{start}–{end}")."""
    if term.end is None:
        return format_year(term.start, language)
    if pattern is not None:
        return substitute(
            pattern, start=format_year(term.start, language), end=format_year(term.end, language)
        )
    return str(
        format_interval(date(term.start, 1, 1), date(term.end, 1, 1), "y", locale=cldr(language))
    )


def fill(template: str, **parts: object) -> Markup:
    """A catalog sentence (markup) with survey data put in its {name} placeholders,
    escaped; a placeholder is a name alone, never an attribute or a format (substitute)."""
    escaped = {name: escape(value) for name, value in parts.items()}
    return Markup("").join(Markup(piece) for piece in _pieces(str(template), escaped))


def substitute(template: str, **parts: object) -> str:
    """A catalog string with each {name} replaced by str(parts[name]); "{{" and "}}" are
    braces. Only a name alone: a catalog may come from anyone, and str.format would let
    "{city.__class__}" read Python objects and "{percent:>99999999}" pad for ever. Anything
    else in braces is a ValueError (placeholders), a name not given a KeyError."""
    return "".join(_pieces(template, {name: str(value) for name, value in parts.items()}))


def placeholders(template: str) -> set[str]:
    """The {names} a catalog string uses; ValueError saying why when it has braces that
    are not a placeholder (an attribute, an index, a format, a lone brace)."""
    return {name for match in _BRACES.finditer(template) if (name := _placeholder(match))}


# "{{" and "}}" (braces), "{name}", or anything else with a brace in it (a mistake).
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|\{[^{}]*|\}")


def _placeholder(match: re.Match[str]) -> str | None:
    """The name of a {name}; None for a brace written twice; ValueError for anything else."""
    token = match.group(0)
    if token in ("{{", "}}"):
        return None
    name = match.group(1)
    if name is None or not name.isidentifier():
        raise ValueError(f"{token} is not a placeholder (a name alone: no dot, index or format)")
    return name


def _pieces(template: str, values: Mapping[str, str]) -> list[str]:
    """The template's text and the values of its placeholders, in order."""
    pieces: list[str] = []
    start = 0
    for match in _BRACES.finditer(template):
        name = _placeholder(match)
        pieces += [template[start : match.start()], values[name] if name else match.group(0)[0]]
        start = match.end()
    pieces.append(template[start:])
    return pieces


def display_url(url: str) -> str:
    """A link as printed: without its scheme or a trailing slash (the link keeps them), a
    host name in its own script as typed (xn--h1alffa9f.xn--p1ai shows as мэрия.рф)."""
    text = url.split("://", 1)[-1]
    host, slash, rest = text.partition("/")
    if "xn--" in host:
        with contextlib.suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    text = host + slash + rest
    return text[:-1] if text.endswith("/") and text.count("/") == 1 else text


_GREEK_CAPS_DROP = {"\u0301", "\u0300", "\u0342", "\u0313", "\u0314", "\u0345"}


def upper(text: str) -> str:
    """Upper case for any script (Łódź -> ŁÓDŹ, İstanbul -> İSTANBUL). Greek capitals
    drop their accents and breathings, as Greek typesetting does (Καλαμόπολη -> ΚΑΛΑΜΟΠΟΛΗ);
    the diaeresis stays."""
    decomposed = unicodedata.normalize("NFD", text.upper())
    kept: list[str] = []
    base_is_greek = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if base_is_greek and ch in _GREEK_CAPS_DROP:
                continue
        else:
            base_is_greek = "GREEK" in unicodedata.name(ch, "")
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def css_string(text: str) -> Markup:
    """Any text as a quoted CSS string that cannot end the string, rule or <style>. Each
    escape ends with a space, which CSS takes as the escape's end: a real space after it
    ("Trinidad & Tobago") is kept."""
    return Markup('"{}"').format(
        Markup("").join(
            Markup(f"\\{ord(ch):06x} ") if not (ch.isalnum() or ch in " .,:;-_()·/") else ch
            for ch in text
        )
    )


def page_counter(template: str) -> Markup:
    """A catalog's "Page {page} of {pages}" (or "Page {page}") as a CSS content value, its
    placeholders as the page counters."""
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(css_string(literal))
        if name in ("page", "pages"):
            parts.append(Markup(f"counter({name})"))
    return Markup(" ").join(parts)
