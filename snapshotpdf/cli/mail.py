"""`snapshotpdf mail`: each city's PDF to its contacts. A dry run unless --send.

Everything heavy (pandas through the survey,
smtplib, sqlite3, email-validator) is imported only when the command runs. The password is
read from SNAPSHOTPDF_SMTP_PASSWORD or asked for, never taken from the command line.
"""

from __future__ import annotations

import math
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from snapshotpdf import limits
from snapshotpdf.cli.options import LangOpt, LayoutOpt, SheetOpt, inputs
from snapshotpdf.cli.output import TerminalReporter, reported_errors, terminal_safe

if TYPE_CHECKING:
    from snapshotpdf.mail.smtp import Secret

PASSWORD_ENV = "SNAPSHOTPDF_SMTP_PASSWORD"


class TlsMode(StrEnum):
    starttls = "starttls"
    ssl = "ssl"
    none = "none"


def _finite(value: float | None) -> float | None:
    """A number of seconds (or messages) must be one: nan passes a range check."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value}: give a number")
    return value


def mail(
    survey: Annotated[
        Path | None,
        typer.Argument(
            help="Survey export the contacts (contact_email, language) are read from."
            " Default: the bundled sample, or none when --contacts is given."
        ),
    ] = None,
    outdir: Annotated[
        Path, typer.Option("--outdir", "-o", help="Folder build wrote the PDFs into.")
    ] = Path("outputs"),
    contacts: Annotated[
        Path | None,
        typer.Option(
            help="Contacts file (CSV/XLSX: city, country, email, name, language; several"
            " addresses separated by ;). Takes precedence over the survey, city by city."
        ),
    ] = None,
    profile: Annotated[
        Path | None, typer.Option(help="Survey profile (TOML). Default: the sample's.")
    ] = None,
    sheet: SheetOpt = None,
    layout: LayoutOpt = "snapshot",
    city: Annotated[
        list[str] | None,
        typer.Option("--city", help="Only this city (name or file name stem); repeatable."),
    ] = None,
    send: Annotated[
        bool,
        typer.Option("--send", help="Send. Without it: a dry run that only writes .eml files."),
    ] = False,
    resend: Annotated[
        list[str] | None,
        typer.Option(
            "--resend",
            help="Send this city again although the ledger says sent, unknown or rebuilt"
            " since; repeatable.",
        ),
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            envvar="SNAPSHOTPDF_FROM",
            help='Sender: an address, or "Name <address>". Required with --send.',
        ),
    ] = None,
    smtp_host: Annotated[
        str | None, typer.Option(envvar="SNAPSHOTPDF_SMTP_HOST", help="SMTP server.")
    ] = None,
    smtp_port: Annotated[
        int | None,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_PORT",
            min=1,
            max=65535,
            help="SMTP port. Default: 587 (starttls), 465 (ssl), 25 (none).",
        ),
    ] = None,
    smtp_user: Annotated[
        str | None,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_USER",
            help=f"Login name. The password comes from {PASSWORD_ENV}, else a prompt.",
        ),
    ] = None,
    tls: Annotated[
        TlsMode,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_TLS", help="Encryption; certificates are always verified."
        ),
    ] = TlsMode.starttls,
    cafile: Annotated[
        Path | None,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_CAFILE",
            help="PEM file of the certificate authority to trust (a private CA).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_TIMEOUT",
            min=0.1,
            max=limits.MAX_SMTP_TIMEOUT,
            callback=_finite,
            help="Seconds to wait on the server.",
        ),
    ] = 60.0,
    retries: Annotated[
        int,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_RETRIES",
            min=0,
            max=limits.MAX_SMTP_RETRIES,
            help="Retries after a temporary failure.",
        ),
    ] = 3,
    backoff: Annotated[
        float,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_BACKOFF",
            min=0.0,
            max=limits.MAX_SMTP_BACKOFF,
            callback=_finite,
            help="Seconds before the first retry; doubled for each next one, up to"
            f" {limits.MAX_SMTP_BACKOFF:.0f}.",
        ),
    ] = 2.0,
    rate: Annotated[
        float | None,
        typer.Option(
            envvar="SNAPSHOTPDF_SMTP_RATE",
            min=0.01,
            callback=_finite,
            help="At most this many messages a minute.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only problems, the table and the summary.")
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Mail each city's PDF to its contacts: a dry run (.eml files to review) unless --send."""
    from snapshotpdf.mail.deliver import run
    from snapshotpdf.mail.plan import MailSettings
    from snapshotpdf.mail.smtp import SmtpSettings

    smtp = None
    if send and smtp_host:
        smtp = SmtpSettings(
            host=smtp_host,
            port=smtp_port,
            user=smtp_user or None,
            password=_password,
            tls=tls.value,
            cafile=cafile,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )
    settings = MailSettings(
        inputs=inputs(survey, profile, sheet, layout),
        outdir=outdir,
        contacts=contacts,
        cities=tuple(city or ()),
        resend=tuple(resend or ()),
        sender=sender,
        send=send,
        smtp=smtp,
        rate=rate,
        language=lang,
    )
    with reported_errors():
        result = run(settings, TerminalReporter(quiet))
    typer.echo(terminal_safe(result.table()), nl=False)
    typer.echo(terminal_safe(result.summary()), err=True)
    if result.stopped:
        typer.echo(f"error: {terminal_safe(result.stopped)}", err=True)
    raise typer.Exit(result.exit_code())


def _password() -> Secret:
    """SNAPSHOTPDF_SMTP_PASSWORD, else a prompt on the terminal; never an argument."""
    from snapshotpdf.mail.addresses import DeliveryError
    from snapshotpdf.mail.smtp import Secret

    value = os.environ.get(PASSWORD_ENV)
    if value is None:
        if not sys.stdin.isatty():
            raise DeliveryError(
                "no SMTP password", hint=f"set {PASSWORD_ENV}, or run in a terminal to be asked"
            )
        value = typer.prompt("SMTP password", hide_input=True)
    return Secret(value)
