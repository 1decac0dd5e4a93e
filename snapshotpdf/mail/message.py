"""One city's message: subject and body from the layout's mail templates, the PDF attached.

The templates live in the layout folder, ``mail/subject.LANG.txt``, ``mail/body.LANG.txt`` and
``mail/body.LANG.html`` (Jinja2; the HTML one autoescaped), one set per language; a city's
message is in its snapshot's language, or the layout's default language where mail/ has no
templates for it. Header values are checked before they
are set (snapshotpdf.mail.addresses): nothing is folded away silently. The message is then
read back as a mail program would read it: exactly the headers set here, exactly the
intended recipients in To, no header line longer than RFC 5322 allows; anything else and
the message is refused, never sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from snapshotpdf.addresses import check_header_value, name_too_long, shown
from snapshotpdf.mail.addresses import DeliveryError
from snapshotpdf.mail.contacts import Recipient
from snapshotpdf.render.catalog import best_language, choose_language
from snapshotpdf.render.diagnose import template_errors

KINDS = ("subject.{}.txt", "body.{}.txt", "body.{}.html")
# Every header compose sets, and no other: read back, the message must carry exactly these.
HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "mime-version",
    "content-type",
    "content-language",
)
MAX_LINE = 998  # octets in a header line (RFC 5322, 2.1.1), the line end aside


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str


class MailTemplates:
    """The layout's mail/ folder, loaded through one Jinja2 environment. A city's message is
    in the language of its snapshot (render.catalog.choose_language: --lang, the contact's
    language, the profile's), in the layout's default language where mail/ has no
    templates for it (missing() says which)."""

    def __init__(
        self,
        layout: str = "snapshot",
        override: str | None = None,
        profile_language: str | None = None,
    ) -> None:
        from functools import partial

        from jinja2 import FunctionLoader, StrictUndefined, select_autoescape

        from snapshotpdf.render.layout import load_layout, template_source
        from snapshotpdf.render.sandbox import ImmutableLayoutSandbox

        loaded = load_layout(layout)
        self.catalogs = loaded.languages
        self.folder = loaded.folder / "mail"
        self.folders = loaded.folders
        self.default = loaded.default_language
        self.override = override
        self.profile_language = profile_language
        self.languages = mail_languages(loaded.folders)
        if self.default not in self.languages:
            raise DeliveryError(
                f"layout {layout!r} has no mail templates for its language {self.default!r}",
                hint=f"add {', '.join(k.format(self.default) for k in KINDS)} to {self.folder}",
            )
        if override and best_language(override, self.catalogs, "") == "":
            raise DeliveryError(
                f"--lang {override}: the layout {layout!r} has no catalog for it",
                hint=f"languages: {', '.join(self.catalogs)} (docs/languages.md)",
            )
        # Sandboxed: a layout's templates come from anyone and may not reach into Python.
        self.env = ImmutableLayoutSandbox(
            # mail/NAME of the layout's folders, never a file outside them
            loader=FunctionLoader(partial(template_source, loaded.folders, under="mail/")),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def language_for(self, wanted: str | None) -> str:
        """The language of a city whose contact asks for wanted: its snapshot's language,
        whose mail templates the message is written with when mail/ has them."""
        return choose_language(
            self.catalogs,
            self.default,
            override=self.override,
            own=wanted,
            profile=self.profile_language,
        )

    def missing(self, wanted: str | None) -> str | None:
        """The city's language when mail/ lacks its templates (its message is then in the
        default language), else None."""
        language = self.language_for(wanted)
        return None if language in self.languages else language

    def render(self, wanted: str | None, context: dict[str, Any]) -> Rendered:
        language = self.language_for(wanted)
        if language not in self.languages:
            language = self.default
        context = {**context, "listed": lambda items: listed(items, language)}
        with template_errors(
            self.folders, f"the {language!r} mail templates", f"the {language!r} mail message"
        ):
            subject, text, html = (
                self.env.get_template(kind.format(language)).render(context) for kind in KINDS
            )
        # A subject template is one line; only its own final newline is dropped.
        subject = subject.removesuffix("\n").removesuffix("\r")
        return Rendered(language, subject, text, html)


def listed(items: list[str], language: str) -> str:
    """Names as one phrase in the message's language: "Ana and Luis", "Ana, Luis y Marta"
    (CLDR's list patterns); plain text, which the HTML template escapes."""
    from babel.lists import format_list

    from snapshotpdf.render.wording import cldr

    return str(format_list(list(items), locale=cldr(language)))


def mail_languages(layout_folders: Sequence[Path]) -> list[str]:
    """The languages the layout's mail/ folders (its own, then the one it extends) have
    all three templates for."""
    folders = [folder / "mail" for folder in layout_folders]
    names = {p.name.split(".")[1] for folder in folders for p in folder.glob("subject.*.txt")}
    return sorted(
        name
        for name in names
        if all(any((f / kind.format(name)).is_file() for f in folders) for kind in KINDS)
    )


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def message_id(sender: str | None, stem: str) -> str:
    """A fresh Message-ID in the sender's domain (no host name leaks into it)."""
    domain = sender.rpartition("@")[2] if sender else "snapshotpdf.invalid"
    return make_msgid(idstring=stem, domain=domain)


def compose(
    *,
    sender: Recipient,
    recipients: tuple[Recipient, ...],
    rendered: Rendered,
    attachment: Attachment,
    msgid: str,
    date: datetime,
) -> bytes:
    """The message as it is sent (CRLF line ends). Raises ValueError naming the first unsafe
    header value (the caller says which city's message it is)."""
    check_header_value(rendered.subject, "the subject")
    check_header_value(sender.address, "the sender")
    check_header_value(sender.name or "", "the sender's name")
    check_header_value(msgid, "the Message-ID")
    for recipient in recipients:
        check_header_value(recipient.address, "the address")
        check_header_value(recipient.name or "", "the name")
    for name in [sender.name or "", *(r.name or "" for r in recipients)]:
        too_long = name_too_long(name)
        if too_long:
            raise ValueError(f"the name {shown(name)} {too_long}")
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=sender.name or "", addr_spec=sender.address)
    message["To"] = tuple(
        Address(display_name=r.name or "", addr_spec=r.address) for r in recipients
    )
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msgid
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message.add_attachment(
        attachment.data, maintype="application", subtype="pdf", filename=attachment.name
    )
    message["Content-Language"] = rendered.language  # after the parts: they reset Content-*
    payload = message.as_bytes()
    check_sent_headers(payload, sender, recipients, rendered.subject)
    return payload


def check_sent_headers(
    payload: bytes,
    sender: Recipient,
    recipients: tuple[Recipient, ...],
    subject: str,
) -> None:
    """Read the message back as a mail program would: exactly the headers compose sets, each
    once; From and To holding exactly the intended addresses (and names); the subject as
    written; no header line too long to send. Raises ValueError saying what is wrong."""
    head = payload.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if len(line) > MAX_LINE:
            start = line[:40].decode("ascii", "replace")
            raise ValueError(
                f"a header line would be {len(line)} characters long, more than the"
                f" {MAX_LINE} a message may have (it starts {start!r}); shorten the name or"
                " subject"
            )
    parsed = BytesParser(policy=policy.default).parsebytes(head + b"\r\n\r\n", headersonly=True)
    names = sorted(key.lower() for key in parsed)
    if names != sorted(HEADERS):
        extra = sorted({n for n in names if n not in HEADERS or names.count(n) > 1})
        missing = sorted(set(HEADERS) - set(names))
        raise ValueError(
            f"read back, the message would carry the headers {', '.join(names)}"
            f" (unexpected: {', '.join(extra) or 'none'}; missing: {', '.join(missing) or 'none'});"
            " a name, address or subject holds something that becomes a header"
        )
    for field, wanted in (("From", (sender,)), ("To", recipients)):
        got = parsed[field].addresses
        if [a.addr_spec.casefold() for a in got] != [r.address.casefold() for r in wanted]:
            raise ValueError(
                f"read back, {field} would be {shown(str(parsed[field]), 200)}, not the"
                f" intended {', '.join(r.address for r in wanted)}; a name holds something read"
                " as an address"
            )
        for address, recipient in zip(got, wanted, strict=True):
            if _words(address.display_name) != _words(recipient.name or ""):
                raise ValueError(
                    f"read back, the name {shown(recipient.name or '')} would read"
                    f" {shown(address.display_name)} (an encoded word =?...?= in it?)"
                )
    if _words(str(parsed["Subject"])) != _words(subject):
        raise ValueError(
            f"read back, the subject would be {shown(str(parsed['Subject']))}, not"
            f" {shown(subject)} as written (an encoded word =?...?= in it?)"
        )


def _words(text: str) -> str:
    """text without its whitespace: folding long non-ASCII text into encoded words may add
    or drop a space between them (the e-mail library's doing), which changes no meaning."""
    return "".join(text.split())


def write_eml(folder: Path, stem: str, payload: bytes) -> Path:
    from snapshotpdf.files import write_atomic

    path = folder / f"{stem}.eml"
    write_atomic(path, payload)
    return path
