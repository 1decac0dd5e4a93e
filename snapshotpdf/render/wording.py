"""How things are said: lists, shares in words, numbers. Pure functions over a locale dict;
the Jinja2 filters of every layout are these functions."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from snapshotpdf.models import Population, Share, Term

Locale = Mapping[str, Any]


def join_list(items: Iterable[object], locale: Locale) -> Markup:
    """ "A", "A and B", "A, B, and C" (serial comma as the locale says); items escaped."""
    parts = [escape(item) for item in items]
    lists = locale["lists"]
    and_word = escape(lists["and"])
    comma = escape(lists["comma"])
    if len(parts) <= 1:
        return Markup("").join(parts)
    if len(parts) == 2:
        return Markup(f"{parts[0]} {and_word} {parts[1]}")
    # Markup: the joint is built from escaped parts and must not be escaped again.
    last_joint = Markup(
        f"{comma.rstrip()} {and_word} " if lists["serial_comma"] else f" {and_word} "
    )
    return Markup(comma.join(parts[:-1]) + last_joint + parts[-1])


SHARE_STYLES = ("figures", "bands")  # a layout's [wording] shares


def share_words(share: Share, locale: Locale, style: str = "figures") -> str:
    """How a share of cities is said before "cities surveyed". "figures", as the published
    snapshots say it: a majority in words ("more than half of"), any other share as its
    figure ("20% of"). "bands": in words always, from the locale's share_bands table."""
    percent = share.percent
    if style == "figures":
        shares = locale["shares"]
        if 2 * share.count > share.total:
            return str(shares["majority"])
        return str(shares["figure"].format(percent=percent))
    for band in locale["share_bands"]:
        if percent <= band["up_to"]:
            return str(band["words"])
    raise ValueError(f"no share band covers {percent}%")


ARTICLES = ("a ", "an ")


def leading_article(text: str) -> tuple[str, str]:
    """("a ", "focus on metrics") for "a focus on metrics": a list's leading indefinite
    article, which the reference prints outside the bold answer; ("", text) without one."""
    for article in ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            return article, text[len(article) :]
    return "", text


def group_digits(number: int, locale: Locale) -> str:
    return f"{number:,}".replace(",", locale["numbers"]["thousands"])


def format_population(population: Population, locale: Locale) -> str:
    """9670000 -> "9.67 million"; under a million, grouped digits: "850,000"."""
    numbers = locale["numbers"]
    if population.count >= 1_000_000:
        millions = f"{population.count / 1_000_000:.2f}".rstrip("0").rstrip(".")
        text = numbers["million"].format(value=millions.replace(".", numbers["decimal"]))
    else:
        text = group_digits(population.count, locale)
    if population.year is None:
        return str(text)
    return str(numbers["population_year"].format(population=text, year=population.year))


def format_term(term: Term, locale: Locale) -> str:
    if term.end is None:
        return str(term.start)
    return str(locale["numbers"]["term"].format(start=term.start, end=term.end))


def fill(template: str, **parts: object) -> Markup:
    """A trusted locale sentence with survey data put in its {placeholders}, escaped."""
    return Markup(template).format(**parts)


def display_url(url: str) -> str:
    """A link as printed: without its scheme or a trailing slash (the link keeps them)."""
    text = url.split("://", 1)[-1]
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
    """A locale's "Page {page} of {pages}" (or "Page {page}") as a CSS content value, its
    placeholders as the page counters."""
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(css_string(literal))
        if name in ("page", "pages"):
            parts.append(Markup(f"counter({name})"))
    return Markup(" ").join(parts)
