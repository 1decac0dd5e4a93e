"""The mailing plan: every city of the build, its contacts and its checked PDF, what the
ledger says about it, and what became of it (the table, the summary, OUTDIR/mail/report.json).

Nothing here talks to a server: deliver.py sends what the plan says.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from snapshotpdf import limits
from snapshotpdf.addresses import printable, unsafe_character
from snapshotpdf.batch import manifest
from snapshotpdf.files import choose, size_text, unknown_city_hint
from snapshotpdf.mail.addresses import DeliveryError
from snapshotpdf.mail.contacts import Contact, ContactBook
from snapshotpdf.mail.ledger import DAMAGED
from snapshotpdf.models import Inputs, Severity
from snapshotpdf.reporter import Reporter
from snapshotpdf.version import __version__

if TYPE_CHECKING:
    from snapshotpdf.mail.ledger import Send
    from snapshotpdf.mail.smtp import SmtpSettings

MAIL_DIR = "mail"
REPORT = "report.json"
# Row statuses that leave nothing to do. Anything else makes the exit code 1.
DONE = {"sent", "already sent", "to send"}


@dataclass(frozen=True)
class MailSettings:
    # Which survey (None: the bundled sample, unless a contacts file is given), profile,
    # sheet and layout (whose mail/ folder holds the message templates).
    inputs: Inputs = field(default_factory=Inputs)
    outdir: Path = Path("outputs")
    contacts: Path | None = None  # takes precedence over the survey, city by city
    cities: tuple[str, ...] = ()  # only these (city name or file stem); all when empty
    resend: tuple[str, ...] = ()  # send again even if the ledger says sent or unknown
    sender: str | None = None  # "address" or "Name <address>"; required to send
    send: bool = False
    smtp: SmtpSettings | None = None
    rate: float | None = None  # at most this many messages per minute
    language: str | None = None  # --lang: every message in this language, as build's --lang


def label(city: str, country: str) -> str:
    """A city as every line about it names it: "Lima, Peru", printable."""
    return printable(f"{city}, {country}")


@dataclass
class CityRow:
    """One city of the manifest: what it is sent with, and what became of it."""

    city: str
    country: str
    file: str
    recipients: tuple[str, ...] = ()
    size: int | None = None
    status: str = ""
    note: str = ""
    language: str | None = None
    message_id: str | None = None
    refused: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in DONE and not self.refused and not self.problems


@dataclass
class MailResult:
    dry_run: bool
    mail_dir: Path
    rows: list[CityRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings not tied to one city
    not_selected: int = 0
    stopped: str | None = None  # why the batch stopped (exit code 2)
    reporter: Reporter = field(default_factory=Reporter, repr=False, compare=False)

    def note(self, text: str) -> None:
        """A warning not tied to one city: kept for the report, told to the reporter."""
        self.notes.append(text)
        self.reporter.notice(Severity.WARNING, text)

    def exit_code(self, strict: bool = False) -> int:
        if self.stopped:
            return 2
        return 0 if all(row.ok for row in self.rows) else 1

    def summary(self) -> str:
        counts = Counter(row.status for row in self.rows)
        parts = [f"{n} {status}" for status, n in counts.most_common()]
        if self.not_selected:
            parts.append(f"{self.not_selected} not selected")
        refused = sum(len(row.refused) for row in self.rows)
        if refused:
            parts.append(f"{refused} recipient(s) refused")
        text = f"{len(self.rows)} city(ies): " + (", ".join(parts) or "nothing to do")
        if self.dry_run:
            text = (
                f"dry run, nothing was sent: {text}; review the messages in {self.mail_dir},"
                " then run again with --send"
            )
        return text

    def table(self) -> str:
        """city, recipients, attachment, size, status: one line per city, then the notes."""
        head = ("city", "recipients", "attachment", "size", "status")
        lines = [
            (
                label(row.city, row.country),
                printable(", ".join(row.recipients)) or "-",
                printable(row.file),
                size_text(row.size),
                row.status,
            )
            for row in self.rows
        ]
        widths = [max(len(cells[i]) for cells in [head, *lines]) for i in range(len(head))]
        out = [
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
            for cells in [head, *lines]
        ]
        for row in self.rows:
            where = label(row.city, row.country)
            for text in ([row.note] if row.note else []) + row.problems:
                out.append(f"  {where}: {printable(text)}")
            for address, answer in row.refused.items():
                out.append(f"  {where}: {printable(f'{address} refused: {answer}')}")
        return "\n".join(out) + "\n"


@dataclass
class Plan:
    entry: manifest.Entry
    row: CityRow
    contact: Contact | None
    sha: str = ""


def manifest_entries(outdir: Path) -> list[manifest.Entry]:
    entries = manifest.load(outdir)
    if not entries:
        raise DeliveryError(
            f"no build in {outdir}: {outdir / manifest.MANIFEST} is missing or unreadable",
            hint=f"run snapshotpdf build SURVEY -o {outdir} first",
        )
    return sorted(entries.values(), key=lambda e: e.file)


def pick(
    entries: list[manifest.Entry], names: tuple[str, ...], option: str
) -> list[manifest.Entry]:
    """The cities of the build named by --city or --resend; any other name stops the run."""
    chosen, unknown = choose(entries, names, lambda e: (e.city, Path(e.file).stem))
    if unknown:
        raise DeliveryError(
            f"{option} {', '.join(map(repr, unknown))}: no such city in the build",
            hint=unknown_city_hint(unknown[0], [e.city for e in entries]),
        )
    return chosen


def contact_books(settings: MailSettings, result: MailResult) -> list[ContactBook]:
    """The contacts file first (it takes precedence, city by city), then the survey."""
    from snapshotpdf.mail import contacts

    books: list[ContactBook] = []
    if settings.contacts:
        book = contacts.from_file(settings.contacts)
        for text in book.notes:
            result.note(text)
        books.append(book)
    if settings.inputs.survey or not settings.contacts:
        books.append(_survey_book(settings, result))
    return books


def _survey_book(settings: MailSettings, result: MailResult) -> ContactBook:
    """The survey read by the survey layer, as a build reads it: the same valid records,
    the same normalised answers. Its other problems were the build's to report."""
    from snapshotpdf.mail import contacts
    from snapshotpdf.survey.validate import validate

    inputs = settings.inputs
    checked = validate(inputs.survey_path, inputs.profile, inputs.sheet)
    built_from = _manifest_survey(settings.outdir)
    read_from = inputs.survey.name if inputs.survey else None
    if built_from and read_from and built_from != read_from:
        result.note(
            f"the PDFs in {settings.outdir} were built from {built_from}; the contacts are"
            f" read from {read_from}"
        )
    return contacts.from_survey(checked.records, checked.problems)


def _manifest_survey(outdir: Path) -> str | None:
    try:
        value = json.loads((outdir / manifest.MANIFEST).read_text(encoding="utf-8"))["survey"]
        return str(value)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def plan_cities(
    outdir: Path,
    entries: list[manifest.Entry],
    books: list[ContactBook],
    from_file: bool,
    result: MailResult,
) -> list[Plan]:
    """Each city with its contact and its checked PDF. A PDF that is not the one the build
    recorded stops everything before anything is sent."""
    plans: list[Plan] = []
    mismatched: list[str] = []
    used: set[str] = set()
    for entry in entries:
        row = CityRow(entry.city, entry.country, entry.file)
        result.rows.append(row)
        contact = next((c for c in (b.find(entry.city, entry.country) for b in books) if c), None)
        if contact is not None:
            used.add(contact.source)
        plan = Plan(entry, row, contact)
        plans.append(plan)
        path = outdir / entry.file
        if entry.status not in ("built", "unchanged") or entry.sha256 is None:
            row.status, row.note = "no PDF", f"its build {entry.status}: run build again"
            continue
        try:
            if not path.is_file():
                row.status, row.note = "no PDF", f"{path} is missing: run build again"
                continue
            row.size = path.stat().st_size
            if row.size > limits.MAX_ATTACHMENT_BYTES:
                row.status, row.note = "rejected", attachment_too_large(row.size)
                continue
            plan.sha = manifest.sha256_file(path)
        except OSError as exc:
            row.status = "no PDF"
            row.note = f"cannot read {path} ({exc.strerror or exc}): fix its permissions"
            continue
        if plan.sha != entry.sha256:
            mismatched.append(entry.file)
        found = unsafe_character(entry.city) or unsafe_character(entry.country)
        if found:
            row.status, row.note = "rejected", f"the city or country contains {found}"
        elif contact is None:
            row.status, row.note = "no address", "no contact in the survey or contacts file"
        elif contact.rejected:
            row.status, row.note = "rejected", contact.rejected
        else:
            row.language = contact.language
            row.problems.extend(contact.problems)
            row.recipients = tuple(r.address for r in contact.recipients)
            if row.recipients:
                row.status = "to send"
            else:
                row.status = "no address"
                row.note = (
                    "no valid address" if contact.problems else f"no e-mail in {contact.source}"
                )
    if from_file:
        for contact in books[0].by_key.values():
            if contact.source not in used:
                result.note(
                    f"{contact.source}: {label(contact.city, contact.country)} matches no city"
                    f" in {outdir / manifest.MANIFEST}: the row is not used"
                )
    if mismatched:
        raise DeliveryError(
            f"{', '.join(mismatched)}: not the file(s) the build recorded in"
            f" {outdir / manifest.MANIFEST} (the sha256 differs); nothing was sent",
            hint=f"run snapshotpdf build again into {outdir}, so that each PDF is the one"
            " recorded for its city",
        )
    return plans


def attachment_too_large(size: int) -> str:
    return (
        f"the PDF is {size_text(size)}; a message may carry at most"
        f" {size_text(limits.MAX_ATTACHMENT_BYTES)} (many mail servers refuse more than about"
        " 25 MB): build a smaller one (fewer or smaller images), or send this one another way"
    )


def decide(plans: list[Plan], latest: dict[str, Send], resend: set[str]) -> None:
    """What the ledger says about each city still to send: sent before (same PDF: never
    again; rebuilt since: only with --resend), or interrupted (unknown: only with --resend)."""
    for plan in plans:
        row, last = plan.row, latest.get(plan.entry.file)
        if row.status != "to send" or last is None:
            continue
        again = f"--resend {json.dumps(row.city, ensure_ascii=False)}"
        if plan.entry.file in resend:
            row.note = f"sent again (--resend); last attempt: {last.state} on {last.updated}"
        elif last.state == DAMAGED:
            row.status = "unknown"
            row.note = (
                f"the ledger's record of its last attempt (row {last.id}) is damaged: "
                f"{last.detail}; whether it was sent cannot be told: restore the ledger from a"
                f" backup, or check with its recipients, then {again}"
            )
        elif last.state == "failed":
            row.note = f"the last attempt failed ({last.detail}): sending again"
        elif last.state in ("pending", "unknown"):
            row.status = "unknown"
            row.message_id = last.message_id
            busy = " (or another run is sending it now)" if last.state == "pending" else ""
            row.note = (
                f"a run stopped on {last.updated} while sending it{busy}: the server may"
                f" have it (Message-ID {last.message_id}); check, then {again}"
            )
        elif last.sha256 != plan.sha:
            row.status = "changed"
            row.note = f"sent on {last.updated}, and rebuilt since: {again} sends the new PDF"
        else:
            row.status = "already sent"
            row.message_id = last.message_id
            row.refused = dict(last.refused)
            if set(last.recipients) != set(row.recipients):
                row.note = (
                    f"sent on {last.updated} to {', '.join(last.recipients)}; the contacts"
                    f" changed since: {again} sends it to the current ones"
                )
            row.recipients = last.recipients


def write_report(result: MailResult, settings: MailSettings) -> None:
    from snapshotpdf.files import write_atomic

    document = {
        "snapshotpdf": __version__,
        "schema": 1,
        "command": "mail",
        "mode": "dry run" if result.dry_run else "send",
        "exit_code": result.exit_code(),
        "stopped": result.stopped,
        "counts": dict(Counter(row.status for row in result.rows)),
        "not_selected": result.not_selected,
        "cities": [asdict(row) for row in result.rows],
        "notes": result.notes,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomic(result.mail_dir / REPORT, text.encode("utf-8"))
