"""What may go into a message's headers: addresses, names, subjects. The survey's check
(survey/values.py) holds a contact e-mail to the same rule as `mail`, so a row `check` calls
valid is one `mail` can send to.

Every value that reaches a header is checked here first. A line break or any other control
character is refused, never folded away, so no answer in a survey or a contacts file can add
a header (``Bcc:``) or a recipient. The same holds for the text an RFC 2047 encoded word
(``=?utf-8?q?...?=``) decodes to: the e-mail library decodes such words when it sets a header,
so ``=?utf-8?q?Ana=0D=0ABcc:_x@evil.example?=`` is refused as the line break it hides.
Addresses are checked with email-validator.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import unicodedata

from snapshotpdf import limits

# Explicit bidirectional formatting characters: they can make an address read as another.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMES = {"\r": "a carriage return", "\n": "a line break", "\t": "a tab", "\x00": "a NUL byte"}
# An RFC 2047 encoded word, read as leniently as the e-mail library reads one (whitespace
# inside, no whitespace around, a language after the charset): =?charset?B|Q?text?=
_ENCODED_WORD = re.compile(r"=\?([^?]*)\?([bBqQ])\?(.*?)\?=", re.DOTALL)
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def unsafe_character(text: str) -> str | None:
    """Describe the first character of text that must never reach a header, or None: in the
    text as it is, or in what any RFC 2047 encoded word in it decodes to."""
    found = _unsafe_raw(text)
    if found:
        return found
    for decoded in _decoded_forms(text):
        found = _unsafe_raw(decoded)
        if found:
            return f"an encoded word (=?...?=) that decodes to {found}"
    return None


def _unsafe_raw(text: str) -> str | None:
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp") or char in _BIDI:
            name = _NAMES.get(char) or f"the control character {unicodedata.name(char, '')}"
            return f"{name.rstrip()} (U+{ord(char):04X})"
    return None


def printable(text: str) -> str:
    """text as it may be printed on one line (the table, a message about a city): each
    character unsafe_character would find as a \\x.. / \\u.... escape, so that a name read
    from manifest.json or a contacts file can neither break a line nor hide one."""
    out = []
    for char in text:
        if _unsafe_raw(char):
            out.append(f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _decoded_forms(text: str) -> list[str]:
    """Every reading of the encoded words in text: each word alone (in its charset and as
    Latin-1, so a byte is seen whatever the charset claims), and the whole text as the
    e-mail library's header parsers read it."""
    if "=?" not in text:
        return []
    forms: list[str] = []
    for match in _ENCODED_WORD.finditer(text):
        charset, encoding, payload = match.groups()
        data = _decode_payload(encoding, payload)
        forms.append(data.decode("latin-1"))
        with contextlib.suppress(LookupError, ValueError):  # an unknown charset
            forms.append(data.decode(charset.partition("*")[0] or "ascii", "replace"))
    forms.extend(_library_readings(text))
    return forms


def _decode_payload(encoding: str, payload: str) -> bytes:
    raw = payload.encode("utf-8", "surrogateescape")
    if encoding in "qQ":
        return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw.replace(b"_", b" "))
    compact = re.sub(rb"\s+", b"", raw)
    try:
        return base64.b64decode(compact + b"=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        return b""


def _library_readings(text: str) -> list[str]:
    """text as the e-mail library decodes it: as an unstructured header (Subject), as a
    display name (To), and through email.header.decode_header."""
    from email import policy
    from email.header import decode_header, make_header

    readings: list[str] = []
    for name, value in (("subject", text), ("to", f"{text} <a@b.example>")):
        try:
            header = policy.default.header_factory(name, value)
        except Exception:  # a value this parser cannot read: the other readings hold
            continue
        readings.append(str(header))
        for address in getattr(header, "addresses", ()):
            readings.append(address.display_name)
    with contextlib.suppress(Exception):  # an undecodable word: the readings above hold
        readings.append(str(make_header(decode_header(text))))
    return readings


def check_header_value(value: str, what: str) -> None:
    """Raise ValueError when value holds a line break or another control character."""
    found = unsafe_character(value)
    if found:
        raise ValueError(f"{what} {shown(value)} contains {found}, which is never put in a header")


def name_too_long(name: str) -> str | None:
    """Why a display name is refused for its length, or None."""
    if len(name) > limits.MAX_HEADER_NAME_CHARS:
        limit = limits.MAX_HEADER_NAME_CHARS
        return f"is {len(name)} characters long; a name in a header may have at most {limit}"
    return None


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message, cut short when long."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


def normalise_address(text: str) -> str:
    """An address as it is sent (its domain in ASCII), or ValueError saying what is wrong.
    Deliverability is not checked (no DNS); special-use domains such as .test are refused."""
    from email_validator import EmailNotValidError, validate_email

    check_header_value(text, "the address")
    try:
        info = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{text!r} is not an e-mail address: {exc}") from None
    return info.ascii_email or info.normalized


def split_addresses(cell: str) -> list[str]:
    """Several addresses in one cell, separated by ';' (blank parts ignored). Only spaces are
    trimmed: any other whitespace stays, to be refused by the checks above."""
    return [part.strip(" ") for part in cell.split(";") if part.strip(" ")]
