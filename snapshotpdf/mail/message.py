"""One city's message: subject and body from the layout's mail templates, the PDF attached.

The templates live in the layout folder, ``mail/subject.LANG.txt``, ``mail/body.LANG.txt`` and
``mail/body.LANG.html`` (Jinja2; the HTML one autoescaped), one set per language; a city whose
language has none gets the layout's default language. Header values are checked before they
are set (snapshotpdf.mail.addresses): nothing is folded away silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from snapshotpdf.mail.addresses import DeliveryError, check_header_value
from snapshotpdf.mail.contacts import Recipient

KINDS = ("subject.{}.txt", "body.{}.txt", "body.{}.html")


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str


class MailTemplates:
    """The layout's mail/ folder, loaded through one Jinja2 environment."""

    def __init__(self, layout: str = "snapshot") -> None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        from snapshotpdf.render.layout import load_layout

        loaded = load_layout(layout)
        self.folder = loaded.folder / "mail"
        self.default = str(loaded.config["default_language"])
        self.languages = sorted(
            name.split(".")[1]
            for name in (p.name for p in self.folder.glob("subject.*.txt"))
            if all((self.folder / kind.format(name.split(".")[1])).is_file() for kind in KINDS)
        )
        if self.default not in self.languages:
            raise DeliveryError(
                f"layout {layout!r} has no mail templates for its language {self.default!r}",
                hint=f"add {', '.join(k.format(self.default) for k in KINDS)} to {self.folder}",
            )
        self.env = Environment(
            loader=FileSystemLoader(self.folder),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def language_for(self, wanted: str | None) -> str:
        """The contact's language where a translation exists (pt-br, then pt), else the
        default."""
        for candidate in (wanted, (wanted or "").split("-")[0]):
            if candidate and candidate in self.languages:
                return candidate
        return self.default

    def render(self, wanted: str | None, context: dict[str, Any]) -> Rendered:
        language = self.language_for(wanted)
        subject, text, html = (
            self.env.get_template(kind.format(language)).render(context) for kind in KINDS
        )
        # A subject template is one line; only its own final newline is dropped.
        subject = subject.removesuffix("\n").removesuffix("\r")
        return Rendered(language, subject, text, html)


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
    city: str,
) -> bytes:
    """The message as it is sent (CRLF line ends). Raises ValueError naming the first unsafe
    header value."""
    check_header_value(rendered.subject, f"{city}: the subject")
    check_header_value(sender.address, f"{city}: the sender")
    check_header_value(sender.name or "", f"{city}: the sender's name")
    check_header_value(msgid, f"{city}: the Message-ID")
    for recipient in recipients:
        check_header_value(recipient.address, f"{city}: the address")
        check_header_value(recipient.name or "", f"{city}: the name")
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
    return message.as_bytes()


def write_eml(folder: Path, stem: str, payload: bytes) -> Path:
    from snapshotpdf.files import write_atomic

    path = folder / f"{stem}.eml"
    write_atomic(path, payload)
    return path
