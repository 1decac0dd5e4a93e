"""Pure parsers for one cell's value. Each returns the parsed value or raises ValueError
with a message that says what was expected; none of them knows about rows or files."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from urllib.parse import urlsplit, urlunsplit

from snapshotpdf import limits
from snapshotpdf.addresses import normalise_address, split_addresses
from snapshotpdf.models import Term

YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}
MISSING = {"n/a", "na", "none", "null", "nan", "-", "–", "—", "?"}
NOT_A_NAME = {"n/a", "null", "-", "–", "—", "?"}  # MISSING but words that may be names
SAFE_SCHEMES = {"http", "https"}

_YEAR = r"(1[89]\d\d|20\d\d|21\d\d)"
_TERM = re.compile(rf"^{_YEAR}\s*(?:[-‐‑‒–—/]|to)\s*{_YEAR}$", re.IGNORECASE)
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$", re.UNICODE)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}")
# Control characters that are not white space (a tab, a line break, a vertical tab or form
# feed are): they show nothing in a spreadsheet, and a font draws an empty box for them.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# A number as typed: a sign, the whole part (its groups of three digits separated by one
# kind of mark, or no mark at all), then a decimal point or comma and the fraction.
_NUMBER = re.compile(
    r"(?P<sign>[-\u2212]?)\s*"
    r"(?P<whole>[1-9][0-9]{0,2}(?P<group>[ .,'’])[0-9]{3}(?:(?P=group)[0-9]{3})*|[0-9]+)"
    r"(?:(?P<point>[.,])(?P<fraction>[0-9]+))?"
)
_DATE = re.compile(
    r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_MULTIPLIERS = {
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "mio": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}


def clean_text(value: object) -> str | None:
    """A cell as one line of text: NFC, all whitespace (NBSP too) folded, control characters
    (which show nothing) left out; None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date | time):
        value = format_date(value)
    text = " ".join(_plain(str(value)).split())
    return contain_bidi(text) if visible(text) else None


def _plain(text: str) -> str:
    """A cell's text in NFC without control characters (which show nothing) or marks past
    limits.MAX_COMBINING_MARKS on one letter."""
    return _fewer_marks(_CONTROLS.sub("", unicodedata.normalize("NFC", text)))


def _fewer_marks(text: str) -> str:
    if text.isascii():
        return text
    kept: list[str] = []
    run = 0
    for ch in text:
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) == "Me" else 0
        if run <= limits.MAX_COMBINING_MARKS:
            kept.append(ch)
    return "".join(kept)


# Characters that show nothing on their own beyond the format and control ones (Cf, Cc):
# the combining grapheme joiner, the variation selectors and the Hangul fillers.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def visible(text: str) -> bool:
    """Whether a text shows anything: a cell of zero-width spaces, joiners, bidi controls or
    a byte-order mark alone is as empty as a blank one (a city named "\u200b" is no city)."""
    return any(
        ch not in _INVISIBLE and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
        for ch in text
    )


_OPENS = {"\u202a", "\u202b", "\u202d", "\u202e"}  # LRE, RLE, LRO, RLO: closed by PDF
_ISOLATES = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI: closed by PDI
_PDF, _PDI = "\u202c", "\u2069"


def contain_bidi(text: str) -> str:
    """Bidi controls typed into an answer stay inside it: every embedding, override or
    isolate it opens is closed at its end, and a closer with nothing to close is dropped,
    so a right-to-left override in a city's name cannot reverse the page's own sentence
    around it. Text without such controls is returned as it is."""
    if not any(ch in _OPENS or ch in _ISOLATES or ch in (_PDF, _PDI) for ch in text):
        return text
    kept: list[str] = []
    stack: list[str] = []
    for ch in text:
        if ch in _OPENS or ch in _ISOLATES:
            stack.append(ch)
        elif ch == _PDF:
            if not stack or stack[-1] not in _OPENS:
                continue
            stack.pop()
        elif ch == _PDI:
            if not any(opened in _ISOLATES for opened in stack):
                continue
            while stack.pop() not in _ISOLATES:
                kept.append(_PDF)  # the embeddings inside the isolate end with it
        kept.append(ch)
    kept.extend(_PDI if opened in _ISOLATES else _PDF for opened in reversed(stack))
    return "".join(kept)


def format_date(value: date | time) -> str:
    """An Excel date or time as ISO text: 2020-05-01, or 2020-05-01 14:30 when it has a time."""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def clean_paragraphs(value: object) -> str | None:
    """Free text that keeps its shape: a blank line between paragraphs ("\\n\\n"), each line
    break inside one kept ("\\n": a line of a list, or of an address), the spaces within a
    line folded. The layout prints numbered or bulleted lines as a list."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = _plain(str(value))
    # A vertical tab or form feed is a line break inside a cell as some programs (FileMaker)
    # export it.
    text = re.sub("\r\n?|[\x0b\x0c]", "\n", text)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = (contain_bidi(" ".join(line.split())) for line in paragraph.split("\n"))
        paragraphs.append("\n".join(line for line in lines if visible(line)))
    joined = "\n\n".join(p for p in paragraphs if p)
    return joined or None


def parse_text(value: object) -> str | None:
    """An answer as text, where "n/a", "None", "-" and the like mean no answer."""
    text = clean_text(value)
    return None if is_missing(text) else text


def parse_paragraphs(value: object) -> str | None:
    text = clean_paragraphs(value)
    return None if is_missing(text) else text


def parse_name(value: object) -> str | None:
    """A city's or country's name. Words that mean "no answer" elsewhere are names here
    (Nan is a city in Thailand; "NA" and "None" may be real answers): only an empty cell
    or a mark that is no name ("n/a", "-", "?") is none."""
    text = clean_text(value)
    return None if text is None or text.casefold() in NOT_A_NAME else text


def parse_language(value: object) -> str | None:
    """A language code (en, es, pt-BR, pt_br -> pt-br). Anything else is refused: the code
    chooses among the layout's translations and must never be a file name or a path."""
    text = parse_text(value)
    if text is None:
        return None
    code = text.replace("_", "-").lower()
    if not _LANGUAGE.fullmatch(code):
        raise ValueError("expected a language code such as en, es or pt-BR")
    return code


def is_missing(text: str | None) -> bool:
    return text is None or text.casefold() in MISSING


def parse_yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = parse_text(value)
    if text is None:
        return None
    folded = text.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueError("expected Yes or No")


def parse_year(value: object) -> int | None:
    if isinstance(value, date):  # a year typed into a date-formatted Excel cell
        value = value.year
    text = parse_text(value)
    if text is None:
        return None
    if re.fullmatch(_YEAR, text):
        return int(text)
    if re.fullmatch(r"[0-9]{4}", text):
        raise ValueError("expected a year from 1800 to 2199, such as 2020")
    raise ValueError("expected a four-digit year such as 2020")


def parse_term(value: object) -> Term | None:
    text = parse_text(value)
    if text is None:
        return None
    if match := _TERM.match(text):
        start, end = int(match[1]), int(match[2])
        if end < start:
            raise ValueError("the term ends before it starts; expected start–end, e.g. 2019–2022")
        return Term(start, end)
    if re.fullmatch(_YEAR, text):
        return Term(int(text))
    raise ValueError("expected a term as start–end years, e.g. 2019-2022")


def parse_population(value: object) -> int | None:
    """9670000, "9,670,000", "9.670.000", "9 670 000", "9.67 million" -> 9670000."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and value > limits.MAX_POPULATION:  # inf too
        value = limits.MAX_POPULATION + 1
    text = None if isinstance(value, int | float) else parse_text(value)
    if text is not None:
        folded = text.casefold()
        if match := re.fullmatch(r"([\d.,]+)\s*([a-z]+)\.?", folded, re.ASCII):
            number, word = _multiplied(match[1]), match[2]
            if word in _MULTIPLIERS and re.fullmatch(r"\d+(\.\d+)?", number, re.ASCII):
                scaled = float(number) * _MULTIPLIERS[word]  # inf for 400 digits: too many
                return parse_population(round(scaled) if math.isfinite(scaled) else scaled)
    try:
        count = parse_number(value)
    except ValueError:
        raise ValueError("expected a number of inhabitants, e.g. 9670000 or 9.67 million") from None
    if count is None:
        return None
    if count <= 0 or (isinstance(count, float) and not count.is_integer()):
        raise ValueError("expected a whole, positive number of inhabitants")
    if count > limits.MAX_POPULATION:
        raise ValueError(
            f"more inhabitants than the world has (at most {limits.MAX_POPULATION:,}): check"
            " that this cell holds the city's population"
        )
    return int(count)


def _multiplied(number: str) -> str:
    """The number before a word such as "thousand" or "million", with a decimal point: a
    comma before groups of three digits separates them, as in a number alone ("9,670
    thousand", "2,500k"); any other comma is a decimal one ("2,5 million")."""
    if re.fullmatch(r"\d{1,3}(,\d{3})+", number, re.ASCII):
        return number.replace(",", "")
    return number.replace(",", ".")


def parse_number(value: object) -> int | float | None:
    """A number: a number cell as it is (a whole one as an int), or text as people write
    it: 12, -3.5, 4,5 (a decimal comma), 1,234,567 or 1.234.567 or 1 234 567 (a point,
    comma, space or apostrophe before each group of three digits)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, found Yes/No")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if not math.isfinite(value):
            raise ValueError("expected a number")
        return int(value) if value.is_integer() else value
    text = parse_text(value)
    if text is None:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None or match["point"] and match["point"] == match["group"]:
        raise ValueError("expected a number, such as 12, 3.5 or 1,234,567")
    sign = -1 if match["sign"] in ("-", "\u2212") else 1
    whole = re.sub(r"\D", "", match["whole"])
    if match["fraction"] is None:
        return sign * int(whole)
    return sign * float(f"{whole}.{match['fraction']}")


def parse_date(value: object) -> date | None:
    """A date: a date cell (without its time of day), or text written year first, as
    2024-02-20 (or 2024/02/20, with a time after it or not). Never 02/03/2024, which reads
    as two different dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        raise ValueError("expected a date, found a time of day")
    text = parse_text(value)
    if text is None:
        return None
    if match := _DATE.fullmatch(text):
        try:
            return date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            raise ValueError(f"{text} is no day of the calendar") from None
    raise ValueError("expected a date written year first, such as 2024-02-20, or a date cell")


def parse_list(value: object, separator: str) -> tuple[str, ...] | None:
    """Several answers in one cell, split on separator, each one line of text ("n/a" and the
    like left out, as blank pieces are); None when none is left."""
    if not isinstance(value, str):
        text = parse_text(value)
        return None if text is None else (text,)
    pieces = value.replace("\r\n", "\n").replace("\r", "\n").split(separator)
    items = tuple(item for item in (parse_text(piece) for piece in pieces) if item is not None)
    return items or None


def parse_website(value: object) -> str | None:
    """An http(s) link; a bare domain gets https://; any other scheme is refused, and so is
    one with a control character anywhere (a link is not cleaned into another)."""
    text = parse_text(value)
    if text is None:
        return None
    if len(text) > limits.MAX_LINE_CHARS:  # cut short, it would lead elsewhere
        raise ValueError(
            f"a web address of {len(text):,} characters (at most {limits.MAX_LINE_CHARS},"
            " limits.MAX_LINE_CHARS); this link was dropped"
        )
    if _CONTROLS.search(str(value)) or any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("not a valid web address; this link was dropped")
    # Before urlsplit: it reads "city.gov:8080/x" as the scheme "city.gov".
    if _DOMAIN.match(text):
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in SAFE_SCHEMES:
        raise ValueError("only http:// and https:// links are printed; this link was dropped")
    if "@" in parts.netloc:  # https://city.gov@elsewhere.example leads to elsewhere.example
        raise ValueError(
            "a web address with a name and @ before its host leads elsewhere than it shows;"
            " this link was dropped"
        )
    try:
        port = parts.port
    except ValueError:  # a port that is no number from 0 to 65535
        port = -1
    if not parts.hostname or port == -1:
        raise ValueError("not a valid web address; this link was dropped")
    if parts.hostname.isascii():
        return text
    try:  # a name in its own script (мэрия.рф): the link holds it as DNS does (xn--)
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("not a valid web address; this link was dropped") from None
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def parse_email(value: object) -> str | None:
    """One or more e-mail addresses, separated by ";", each held to the rule `mail` sends
    by (snapshotpdf/addresses.py): a row `check` calls valid is one `mail` can send to."""
    text = parse_text(value)
    if text is None:
        return None
    parts = split_addresses(text)
    for part in parts:
        try:
            normalise_address(part)
        except ValueError as exc:
            raise ValueError(
                "expected an e-mail address such as innovation@city.gov (several separated by"
                f" semicolons): {exc}"
            ) from None
    return "; ".join(parts) or None
