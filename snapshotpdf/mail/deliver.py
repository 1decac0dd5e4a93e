"""Deliver: each city's PDF, as the build made it, to that city's contacts, exactly once.

Reads what write.py produced (OUTDIR/manifest.json and the PDFs) and never re-renders:

1. plan (mailplan.py): every city of the manifest, its contacts (contacts.py) and its PDF,
   whose sha256 must be the one the build recorded, else nothing at all is sent;
2. dry run (the default): one .eml per city into OUTDIR/mail/, and a table to review;
3. send: under a lock, with the ledger (ledger.py) committed before the message is
   transmitted and again when the server has answered, the PDF hashed again right before
   it is attached, SMTP failures classified by transport.py: temporary ones retried with
   backoff, permanent ones recorded, fatal ones (login, quota, policy) stop the batch.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.utils import getaddresses, parseaddr
from pathlib import Path

from snapshotpdf import limits
from snapshotpdf.addresses import (
    name_too_long,
    normalise_address,
    printable,
    shown,
    unsafe_character,
)
from snapshotpdf.batch import manifest
from snapshotpdf.files import exclusive_lock, size_text
from snapshotpdf.mail.addresses import DeliveryError
from snapshotpdf.mail.contacts import Recipient
from snapshotpdf.mail.ledger import LEDGER, Ledger
from snapshotpdf.mail.message import (
    KINDS,
    Attachment,
    MailTemplates,
    compose,
    message_id,
    write_eml,
)
from snapshotpdf.mail.plan import (
    MAIL_DIR,
    CityRow,
    MailResult,
    MailSettings,
    Plan,
    attachment_too_large,
    contact_books,
    decide,
    label,
    manifest_entries,
    pick,
    plan_cities,
    write_report,
)
from snapshotpdf.mail.smtp import Kind, SmtpFailure, Transport
from snapshotpdf.models import Severity
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.profile import load_profile

IDLE_LIMIT = 20.0  # seconds: a longer pause between messages (--rate) closes the connection


def run(
    settings: MailSettings,
    reporter: Reporter | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> MailResult:
    """Plan, then write the messages for review (dry run) or send them. A DeliveryError
    before the first message means nothing was sent; one during the batch is in
    result.stopped, with every city's status so far."""
    templates = MailTemplates(
        settings.inputs.layout, settings.language, load_profile(settings.inputs.profile).language
    )
    sender = parse_sender(settings.sender, required=settings.send)
    if settings.send and settings.smtp is None:
        raise DeliveryError("no SMTP server", hint="give --smtp-host (or SNAPSHOTPDF_SMTP_HOST)")
    mail_dir = settings.outdir / MAIL_DIR
    result = MailResult(not settings.send, mail_dir, reporter=reporter or Reporter())
    entries = manifest_entries(settings.outdir)
    selected = pick(entries, settings.cities, "--city") if settings.cities else entries
    resend = {e.file for e in pick(entries, settings.resend, "--resend")}
    result.not_selected = len(entries) - len(selected)
    books = contact_books(settings, result)
    selected, unsafe = _screen_files(settings.outdir, selected)
    plans = plan_cities(settings.outdir, selected, books, settings.contacts is not None, result)
    _refuse_files(plans, unsafe)
    _say_untranslated(plans, templates, result)
    _refuse_linked(mail_dir)
    if settings.send:
        assert sender is not None
        with _send_lock(mail_dir):
            ledger = Ledger(mail_dir / LEDGER)
            try:
                for send in ledger.interrupted():
                    result.note(
                        f"{label(send.city, send.country)}: the last run stopped while sending it"
                        " (no answer from the server): marked unknown"
                    )
                decide(plans, ledger.latest(), resend)
                _send_all(settings, templates, sender, plans, ledger, result, sleep, clock)
            finally:
                ledger.close()
    else:
        ledger_ro = Ledger.open_readonly(mail_dir / LEDGER)
        latest = ledger_ro.latest() if ledger_ro else {}
        decide(plans, latest, resend)
        _clear_eml(mail_dir, entries)
        for plan in plans:
            if plan.row.status in ("to send", "already sent", "unknown", "changed"):
                msgid = ledger_ro.message_id_for(plan.entry.file, plan.sha) if ledger_ro else None
                _write_message(plan, templates, sender or DRY_RUN_SENDER, msgid, mail_dir)
        if ledger_ro:
            ledger_ro.close()
    write_report(result, settings)
    return result


def _say_untranslated(plans: list[Plan], templates: MailTemplates, result: MailResult) -> None:
    """Once per language: the cities whose language has a catalog but no mail templates,
    whose messages are written in the default language."""
    cities: dict[str, list[str]] = {}
    for plan in plans:
        if plan.contact is not None and plan.row.status == "to send":
            language = templates.missing(plan.contact.language)
            if language:
                cities.setdefault(language, []).append(printable(plan.entry.city))
    for language, names in sorted(cities.items()):
        files = ", ".join(kind.format(language) for kind in KINDS)
        result.note(
            f"the layout's mail/ has no {language} templates ({files}): the message to"
            f" {', '.join(names)} is written in {templates.default!r}"
        )


DRY_RUN_SENDER = Recipient("snapshots@sender.invalid", "(your --from address)")


def parse_sender(text: str | None, required: bool) -> Recipient | None:
    """--from: an address, or "Name <address>"."""
    if not text:
        if required:
            raise DeliveryError(
                "no sender address", hint="give --from ADDRESS (or set SNAPSHOTPDF_FROM)"
            )
        return None
    found = unsafe_character(text)
    if found:
        raise DeliveryError(f"--from {text!r} contains {found}")
    addresses = [address for _, address in getaddresses([text]) if address]
    if len(addresses) > 1:
        raise DeliveryError(
            f"--from {shown(text)} holds {len(addresses)} addresses"
            f" ({', '.join(addresses)}); a message has one sender",
            hint='give one: --from ADDRESS or --from "Name <ADDRESS>"',
        )
    name, address = parseaddr(text)
    too_long = name_too_long(name)
    if too_long:
        raise DeliveryError(
            f"--from: the name {name[:40]!r}... {too_long}", hint="give --from a shorter name"
        )
    try:
        return Recipient(normalise_address(address or text), name or None)
    except ValueError as exc:
        raise DeliveryError(f"--from: {exc}") from None


def _send_all(
    settings: MailSettings,
    templates: MailTemplates,
    sender: Recipient,
    plans: list[Plan],
    ledger: Ledger,
    result: MailResult,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> None:
    """Send every city still to send, at most settings.rate a minute (timed by clock,
    waited with sleep: both injectable, so tests need no wall clock)."""
    assert settings.smtp is not None
    transport = Transport(settings.smtp)
    interval = 60.0 / settings.rate if settings.rate else 0.0
    todo = [plan for plan in plans if plan.row.status == "to send"]
    next_start = 0.0
    try:
        for plan in todo:
            wait = next_start - clock()
            if wait > 0:
                if wait > IDLE_LIMIT:  # servers drop idle connections: do it politely first
                    transport.close()
                sleep(wait)
            next_start = clock() + interval
            _send_one(settings, templates, sender, plan, ledger, transport, result, sleep)
    except DeliveryError as exc:
        result.stopped = str(exc)
        for plan in todo:
            if plan.row.status == "to send":
                plan.row.status = "not reached"
    finally:
        transport.close()


def _send_one(
    settings: MailSettings,
    templates: MailTemplates,
    sender: Recipient,
    plan: Plan,
    ledger: Ledger,
    transport: Transport,
    result: MailResult,
    sleep: Callable[[float], None],
) -> None:
    """Check, compose and send one city's message, retrying what may be retried."""
    smtp = settings.smtp
    assert smtp is not None
    entry, row = plan.entry, plan.row
    where = label(entry.city, entry.country)
    try:
        data = read_attachment(settings.outdir, entry.file)
    except ValueError as exc:
        row.status, row.note = "rejected", str(exc)
        return
    except OSError as exc:
        row.status, row.note = "stopped", f"cannot read {entry.file}"
        raise DeliveryError(f"cannot read {entry.file} for {where}: {exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    if sha != entry.sha256:  # rewritten since the plan: never attach what is not recorded
        row.status = "stopped"
        row.note = f"{entry.file} is not the PDF the build recorded for this city"
        raise DeliveryError(
            f"{entry.file} changed during the run: it is not the PDF the build recorded for"
            f" {where} in {manifest.MANIFEST}; the batch stops here",
            hint="run build again, then mail --send again to send the rest",
        )
    msgid = ledger.message_id_for(entry.file, sha) or message_id(sender.address, _stem(entry))
    try:
        payload = _message(plan, templates, sender, Attachment(entry.file, data), msgid)
    except ValueError as exc:
        row.status, row.note = "rejected", str(exc)
        return
    write_eml(result.mail_dir, _stem(entry), payload)
    row.message_id = msgid
    attempt = 0
    while True:
        pending = _Pending(ledger, entry, row.recipients, msgid, sha)
        try:
            accepted = transport.send(
                sender.address,
                row.recipients,
                payload,
                pending,
                last_try=attempt >= smtp.retries,
            )
        except SmtpFailure as failure:
            if not _failed(failure, pending, row, attempt, smtp.retries, result.reporter):
                return
            delay = min(smtp.backoff * 2**attempt, limits.MAX_SMTP_BACKOFF)
            result.reporter.notice(
                Severity.WARNING, f"{where}: {failure.text}; trying again in {delay:.1f} s"
            )
            sleep(delay)
            attempt += 1
            continue
        assert pending.id is not None
        ledger.finish(pending.id, "sent", accepted.reply, accepted.refused)
        row.status, row.refused = "sent", accepted.refused
        taken = [r for r in row.recipients if r not in accepted.refused]
        refusals = "".join(f"; {a} refused: {why}" for a, why in accepted.refused.items())
        result.reporter.step(f"{where}: sent to {', '.join(taken)} ({accepted.reply}){refusals}")
        return


class _Pending:
    """The ledger row of the attempt in flight, committed by the transport right before the
    message is transmitted (never earlier: a pending row means it may have gone out)."""

    def __init__(
        self,
        ledger: Ledger,
        entry: manifest.Entry,
        recipients: tuple[str, ...],
        msgid: str,
        sha: str,
    ) -> None:
        self.ledger, self.entry, self.recipients, self.msgid, self.sha = (
            ledger,
            entry,
            recipients,
            msgid,
            sha,
        )
        self.id: int | None = None

    def __call__(self) -> None:
        e = self.entry
        self.id = self.ledger.begin(
            e.file, e.city, e.country, self.recipients, self.msgid, self.sha
        )

    def failed(self, detail: str) -> None:
        """The attempt failed: the server said no (or nothing was transmitted)."""
        if self.id is not None:
            self.ledger.finish(self.id, "failed", detail)
        else:
            e = self.entry
            self.ledger.record(
                e.file, e.city, e.country, self.recipients, self.msgid, self.sha, "failed", detail
            )


def _failed(
    failure: SmtpFailure,
    pending: _Pending,
    row: CityRow,
    attempt: int,
    retries: int,
    reporter: Reporter,
) -> bool:
    """Record a failed attempt; True when it is to be tried again. Raises DeliveryError when
    the batch must stop (login, quota, policy, a server that cannot be reached)."""
    where = label(row.city, row.country)
    if failure.kind is Kind.UNKNOWN:
        assert pending.id is not None
        pending.ledger.finish(pending.id, "unknown", failure.text)
        again = json.dumps(row.city, ensure_ascii=False)
        row.status = "unknown"
        row.note = f"{failure.text}: it may have arrived; check, then --resend {again}"
        reporter.notice(Severity.WARNING, f"{where}: {row.note}")
        return False
    session = failure.stage in ("connect", "auth")  # not this city's doing: not recorded
    if pending.id is not None or not session:
        pending.failed(failure.text)
    if failure.kind is Kind.TEMPORARY and attempt < retries:
        return True
    if failure.kind is Kind.FATAL or session:
        row.status, row.note = "stopped", failure.text
        raise DeliveryError(
            f"stopped at {where}: {failure.text}",
            hint="what was sent is in the ledger; fix this, then run mail --send again to"
            " send the rest",
        ) from None
    row.status, row.note = "failed", failure.text
    reporter.notice(Severity.WARNING, f"{where}: not sent: {failure.text}")
    return False


def _message(
    plan: Plan,
    templates: MailTemplates,
    sender: Recipient,
    attachment: Attachment,
    msgid: str,
) -> bytes:
    entry, contact = plan.entry, plan.contact
    assert contact is not None
    context = {
        "city": entry.city,
        "country": entry.country,
        "names": list(contact.names),
        "file": entry.file,
        "pages": entry.pages,
        "size": size_text(len(attachment.data)),
    }
    rendered = templates.render(contact.language, context)
    plan.row.language = rendered.language
    return compose(  # its ValueError becomes the row's note, printed after the city
        sender=sender,
        recipients=contact.recipients,
        rendered=rendered,
        attachment=attachment,
        msgid=msgid,
        date=datetime.now(UTC),
    )


def _write_message(
    plan: Plan,
    templates: MailTemplates,
    sender: Recipient,
    msgid: str | None,
    mail_dir: Path,
) -> None:
    """Dry run: the message as it would be sent, for review."""
    entry, row = plan.entry, plan.row
    try:
        data = read_attachment(mail_dir.parent, entry.file)
    except ValueError as exc:
        row.status, row.note = "rejected", str(exc)
        return
    except OSError as exc:
        row.status, row.note = "no PDF", f"cannot read {entry.file}: {exc.strerror or exc}"
        return
    msgid = msgid or message_id(sender.address, _stem(entry))
    try:
        payload = _message(plan, templates, sender, Attachment(entry.file, data), msgid)
    except ValueError as exc:
        row.status, row.note = "rejected", str(exc)
        return
    write_eml(mail_dir, _stem(entry), payload)


def _stem(entry: manifest.Entry) -> str:
    return Path(entry.file).stem


def _refuse_linked(mail_dir: Path) -> None:
    """OUTDIR/mail must be a real folder: through a link, the ledger, the lock and the .eml
    files would be another folder's."""
    if mail_dir.is_symlink():
        raise DeliveryError(
            f"{mail_dir} is a symbolic link: mail keeps its ledger and writes and removes its"
            " .eml files only in a real folder",
            hint=f"remove the link {mail_dir} (mail creates the folder), or use another --outdir",
        )


def _clear_eml(mail_dir: Path, entries: list[manifest.Entry]) -> None:
    """Before a dry run writes its messages: remove the .eml files an earlier run wrote for
    the cities of this build (a stale one would be reviewed as current), and nothing else. A
    user's own .eml stays; a symbolic link is never followed, nor removed."""
    if not mail_dir.is_dir():
        return
    ours = {f"{_stem(e)}.eml" for e in entries if _plain_name(e.file) is None}
    for name in sorted(ours):
        path = mail_dir / name
        try:
            if stat.S_ISREG(path.lstat().st_mode):  # lstat: a link is not followed
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # a name too long for the file system (refused, never written)
            if exc.errno != errno.ENAMETOOLONG:
                raise DeliveryError(
                    f"cannot remove the earlier message {path} ({exc.strerror or exc})",
                    hint=f"fix the permissions of {mail_dir}, then run mail again",
                ) from None


def _plain_name(name: str) -> str | None:
    """Why name is not a plain file name of a PDF in OUTDIR, or None."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return "it is not a plain file name in the output folder"
    if Path(name).is_absolute() or Path(name).name != name:
        return "it is not a plain file name in the output folder"
    if not name.lower().endswith(".pdf"):
        return "it is not a .pdf file"
    return None


def attachment_path(outdir: Path, name: str) -> Path:
    """The PDF the manifest names, which must be a plain file name, a regular file (not a
    symbolic link) directly in outdir. Raises ValueError saying why it is refused."""
    why = _plain_name(name)
    path = outdir / name
    try:
        if why is None and path.is_symlink():
            why = "it is a symbolic link"
        if why is None and path.exists() and path.resolve().parent != outdir.resolve():
            why = "it lies outside the output folder"
    except OSError as exc:  # a name too long for the file system, a folder not readable
        why = f"it cannot be looked at ({exc.strerror or exc})"
    if why is not None:
        raise ValueError(attachment_refused(name, why))
    return path


def read_attachment(outdir: Path, name: str) -> bytes:
    """The bytes of the PDF attachment_path allows, opened without following a symbolic link
    (so a link swapped in after the check is refused too). ValueError when refused, OSError
    when it cannot be read."""
    path = attachment_path(outdir, name)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):  # never raises
            raise ValueError(attachment_refused(name, "it is a symbolic link")) from None
        raise exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(attachment_refused(name, "it is not a regular file"))
        if info.st_size > limits.MAX_ATTACHMENT_BYTES:
            raise ValueError(attachment_too_large(info.st_size))
        return handle.read(limits.MAX_ATTACHMENT_BYTES + 1)


def attachment_refused(name: str, why: str) -> str:
    return (
        f"{manifest.MANIFEST} names {shown(name, 100)} as its PDF, which is refused: {why};"
        " mail attaches only the PDFs build wrote into the output folder (run build again)"
    )


def _screen_files(
    outdir: Path, entries: list[manifest.Entry]
) -> tuple[list[manifest.Entry], dict[str, str]]:
    """Entries whose file may not be attached are planned as having no PDF (so that nothing
    outside the output folder is read, even to be hashed); returns them with the reasons."""
    screened: list[manifest.Entry] = []
    refused: dict[str, str] = {}
    for entry in entries:
        try:
            attachment_path(outdir, entry.file)
        except ValueError as exc:
            refused[entry.file] = str(exc)
            entry = dataclasses.replace(entry, status="refused", sha256=None)
        screened.append(entry)
    return screened, refused


def _refuse_files(plans: list[Plan], refused: dict[str, str]) -> None:
    for plan in plans:
        if plan.entry.file in refused:
            plan.row.status, plan.row.note = "rejected", refused[plan.entry.file]


def _send_lock(mail_dir: Path) -> AbstractContextManager[None]:
    """One sending run per output folder: a second one would send the same cities."""
    return exclusive_lock(
        mail_dir,
        ".lock",
        f"another snapshotpdf mail --send is running on {mail_dir.parent}",
        "wait for it to finish; it holds the ledger",
    )
