"""What may go into a message's headers: addresses, names, subjects.

Every value that reaches a header is checked here first. A line break or any other control
character is refused, never folded away, so no answer in a survey or a contacts file can add
a header (``Bcc:``) or a recipient. Addresses are checked with email-validator.
"""

from __future__ import annotations

import unicodedata

from snapshotpdf.errors import SnapshotError

# Explicit bidirectional formatting characters: they can make an address read as another.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMES = {"\r": "a carriage return", "\n": "a line break", "\t": "a tab", "\x00": "a NUL byte"}


class DeliveryError(SnapshotError):
    """Mailing stops: nothing more is sent (exit code 2). Partial failures are not errors."""


def unsafe_character(text: str) -> str | None:
    """Describe the first character of text that must never reach a header, or None."""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp") or char in _BIDI:
            name = _NAMES.get(char) or f"the control character {unicodedata.name(char, '')}"
            return f"{name.rstrip()} (U+{ord(char):04X})"
    return None


def check_header_value(value: str, what: str) -> None:
    """Raise ValueError when value holds a line break or another control character."""
    found = unsafe_character(value)
    if found:
        raise ValueError(f"{what} {value!r} contains {found}, which is never put in a header")


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
