"""Who receives each city's snapshot.

From the survey (each record's contact_email and language) or from a contacts file (CSV or
XLSX with the columns city, country, email, name, language; several addresses in one cell
separated by ';'). The contacts file takes precedence, city by city. A contact is matched to a
city by its city and country (case, accents-in-NFC and spacing aside), else by the PDF name
they make, which the build keeps unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from snapshotpdf import limits
from snapshotpdf.addresses import (
    name_too_long,
    normalise_address,
    shown,
    split_addresses,
    unsafe_character,
)
from snapshotpdf.files import slug
from snapshotpdf.mail.addresses import DeliveryError
from snapshotpdf.models import CityRecord, Problem
from snapshotpdf.survey.vocabulary import answer_key

COLUMNS = ("city", "country", "email", "name", "language")
_ALIASES = {
    "e-mail": "email",
    "emails": "email",
    "email address": "email",
    "e-mail address": "email",
}
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")


@dataclass(frozen=True)
class Recipient:
    address: str  # validated; its domain in ASCII
    name: str | None = None  # display name, when the contacts file gives one per address


@dataclass(frozen=True)
class Contact:
    city: str
    country: str
    recipients: tuple[Recipient, ...]
    names: tuple[str, ...]  # whom the message greets
    language: str | None
    source: str  # where the contact was read, as the user sees it ("contacts.csv, row 3")
    problems: tuple[str, ...] = ()  # addresses left out, and why
    rejected: str | None = None  # a value unfit for a header: the city is not sent at all


@dataclass
class ContactBook:
    by_key: dict[str, Contact] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # rows that were ignored, and why

    def find(self, city: str, country: str) -> Contact | None:
        found = self.by_key.get(city_key(city, country))
        if found is None:
            wanted = slug(country, city)
            found = next(
                (c for c in self.by_key.values() if slug(c.country, c.city) == wanted), None
            )
        return found


def city_key(city: str, country: str) -> str:
    """A city as contacts are matched: compared as answers are (case and spacing aside)."""
    return "\0".join(answer_key(p) for p in (city, country))


def language_code(value: str | None) -> str | None:
    """A language tag fit to name a template file (en, pt-br), or None."""
    text = (value or "").strip().lower().replace("_", "-")
    return text if _LANGUAGE.fullmatch(text) else None


def from_survey(records: list[CityRecord], problems: list[Problem]) -> ContactBook:
    """One contact per valid record; the survey's own complaints about an address are kept
    as the reason a city has none."""
    book = ContactBook()
    for record in records:
        source = record.source
        reasons = tuple(
            f"{p.location}: {p.message}" + (f" (found {p.value!r})" if p.value else "")
            for p in problems
            if p.message.startswith("contact email")
            and (p.location.file, p.location.sheet, p.location.row)
            == (source.file, source.sheet, source.row)
        )
        contact = make_contact(
            record.city,
            record.country,
            record.contact_email or "",
            "",
            record.language,
            str(source),
        )
        book.by_key[city_key(record.city, record.country)] = _with_problems(contact, reasons)
    return book


def from_file(path: Path) -> ContactBook:
    """The contacts file, every row checked; a file that cannot be read stops the run."""
    from snapshotpdf.errors import SurveyReadError
    from snapshotpdf.survey.read import is_blank, read_grid

    if not path.is_file():
        raise DeliveryError(f"contacts file not found: {path}")
    try:
        grid = read_grid(path)  # the survey's reader: encodings, delimiters, size limits
    except SurveyReadError as exc:
        message = exc.message.replace("survey export", "contacts file")
        raise DeliveryError(message.replace("survey", "contacts file")) from None
    rows = grid.rows
    header = [str(v).strip().casefold() if not is_blank(v) else "" for v in (rows or [[]])[0]]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        name = _ALIASES.get(name, name)
        if name in COLUMNS and name not in index:
            index[name] = i
    missing = [c for c in ("city", "country", "email") if c not in index]
    if missing:
        raise DeliveryError(
            f"{path.name}: no {', '.join(missing)} column in the first row",
            hint="the first row names the columns: city, country, email, and optionally name,"
            " language (several addresses in one cell separated by ;)",
        )
    book = ContactBook()
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):

        def cell(column: str, row: list[object] = row) -> str:
            i = index.get(column)
            value = row[i] if i is not None and i < len(row) else None
            return "" if is_blank(value) else str(value).strip(" ")

        if all(is_blank(v) for v in row):
            continue
        where = f"{path.name}, row {number}"
        city, country = cell("city"), cell("country")
        if not city or not country:
            book.notes.append(f"{where}: no city or country: the row is ignored")
            continue
        same_pdf = slug(country, city)  # "Sao Paulo" and "São Paulo" are one city
        if same_pdf in first_row:
            book.notes.append(
                f"{where}: {city}, {country} is already in row {first_row[same_pdf]}: this row is"
                " ignored; put all of a city's addresses in one cell, separated by ;"
            )
            continue
        first_row[same_pdf] = number
        contact = make_contact(
            city, country, cell("email"), cell("name"), cell("language") or None, where
        )
        stray = [
            str(v)
            for i, v in enumerate(row)
            if (i >= len(header) or not header[i]) and not is_blank(v)
        ]
        if stray:  # e.g. "a@x; b@y" unquoted in a ;-separated file: the b@y went astray
            contact = _with_problems(
                contact,
                (
                    f"{where}: {', '.join(map(repr, stray))} is in a column without a header,"
                    " so it is not used; if it is an address, put the e-mail cell in quotes",
                ),
            )
        book.by_key[city_key(city, country)] = contact
    return book


def make_contact(
    city: str, country: str, emails: str, names: str, language: str | None, where: str
) -> Contact:
    """A contact with its addresses checked: an invalid one is left out (and said so); a
    value holding a line break or control character (as written, or hidden in an RFC 2047
    encoded word), or a name too long for a header, rejects the whole city."""
    rejected = None
    for what, value in (
        ("the city", city),
        ("the country", country),
        ("the name", names),
        ("the language", language or ""),
        ("the e-mail cell", emails),
    ):
        found = unsafe_character(value)
        if found and rejected is None:
            rejected = (
                f"{where}: {what} {shown(value)} contains {found}; fix it: the city is not sent"
            )
    raw_addresses = split_addresses(emails)
    if len(raw_addresses) > limits.MAX_RECIPIENTS and rejected is None:
        rejected = (
            f"{where}: the e-mail cell holds {len(raw_addresses)} addresses; a city's message"
            f" goes to at most {limits.MAX_RECIPIENTS}: keep those who should receive it"
        )
        raw_addresses = []
    name_list = [n.strip(" ") for n in names.split(";") if n.strip(" ")]
    for name in name_list:
        too_long = name_too_long(name)
        if too_long and rejected is None:
            rejected = (
                f"{where}: the name {shown(name)} {too_long}; shorten it: the city is not sent"
            )
    paired = len(name_list) == len(raw_addresses)
    recipients: list[Recipient] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_addresses):
        try:
            address = normalise_address(raw)
        except ValueError as exc:
            problems.append(f"{where}: {exc}; separate several addresses with ;")
            continue
        if address.casefold() not in seen:
            seen.add(address.casefold())
            recipients.append(Recipient(address, name_list[i] if paired else None))
    # One name per address: the message greets the names of the addresses it goes to (not
    # the name of one left out, or of the same address given twice). Else every name.
    greeted = [r.name for r in recipients if r.name] if paired else name_list
    if not paired and len(name_list) > 1 and raw_addresses:
        problems.append(
            f"{where}: {len(name_list)} names for {len(raw_addresses)} address(es): the message"
            " greets every name and puts none on an address; give one name per address, in"
            " the same order, to pair them"
        )
    return Contact(
        city,
        country,
        tuple(recipients) if rejected is None else (),
        tuple(dict.fromkeys(greeted)),
        language_code(language),
        where,
        tuple(problems),
        rejected,
    )


def _with_problems(contact: Contact, reasons: tuple[str, ...]) -> Contact:
    if not reasons:
        return contact
    return Contact(
        contact.city,
        contact.country,
        contact.recipients,
        contact.names,
        contact.language,
        contact.source,
        contact.problems + reasons,
        contact.rejected,
    )
