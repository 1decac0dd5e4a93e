"""SMTP: one connection for the batch, one transaction per message, every failure classified.

A failure is one of four kinds, by what it means for the message:

- ``temporary`` (a 4xx answer, a dropped connection or a time-out before the message was
  transmitted): nothing went out; retried with backoff;
- ``permanent`` (a 5xx answer about this message or recipient): nothing went out to whom it
  names; recorded, and the batch goes on;
- ``fatal`` (authentication, quota, policy, the sender refused, TLS that cannot be verified):
  every other message would fail the same way; the batch stops;
- ``unknown`` (the connection failed after the message was transmitted and before the
  server's answer): the server may have it; never retried by itself.

The password is held in a Secret, whose repr is masked, and everything the server says is
passed through Secret.redact before it is recorded or shown.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")
_AUTH_CODES = {530, 534, 535, 538}
_AUTH_ENHANCED = {"5.7.8", "5.7.9", "5.7.11", "5.7.0"}


class Kind(StrEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class Secret:
    """A password that never shows itself: str() and repr() are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def redact(self, text: str, user: str | None = None) -> str:
        """text with the password, and the forms AUTH sends it in, masked."""
        if not self._value:
            return text
        forms = {self._value}
        for raw in (self._value, f"\0{user or ''}\0{self._value}"):
            forms.add(base64.b64encode(raw.encode("utf-8", "surrogateescape")).decode())
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
        return text


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None  # default: 465 for ssl, 587 for starttls, 25 for none
    user: str | None = None
    password: Callable[[], Secret] | None = None  # asked for only when a login is needed
    tls: str = "starttls"  # starttls, ssl, none
    cafile: Path | None = None
    timeout: float = 60.0
    retries: int = 3  # further attempts after a temporary failure
    backoff: float = 2.0  # seconds before the first retry; doubled for each further one

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.tls, 25)


class SmtpFailure(Exception):
    def __init__(self, kind: Kind, stage: str, text: str, code: int | None = None) -> None:
        super().__init__(text)
        self.kind = kind
        self.stage = stage
        self.code = code
        self.text = text


@dataclass
class Accepted:
    refused: dict[str, str] = field(default_factory=dict)  # address -> the server's answer
    reply: str = ""


def classify(stage: str, code: int, text: str) -> Kind:
    """What an SMTP answer means for the batch. stage: connect, auth, mail, rcpt or data."""
    match = _ENHANCED.match(text)
    enhanced = ".".join(match.groups()) if match else ""
    lowered = text.lower()
    if code in _AUTH_CODES or (
        enhanced in _AUTH_ENHANCED and (enhanced != "5.7.0" or "auth" in lowered)
    ):
        return Kind.FATAL
    if stage in ("mail", "data") and ("quota" in lowered or enhanced == "5.4.5"):
        return Kind.FATAL
    if stage == "rcpt" and enhanced.startswith("5.7.") and "relay" in lowered:
        return Kind.FATAL
    if 400 <= code < 500:
        return Kind.TEMPORARY
    if stage in ("connect", "auth", "mail") or (stage == "data" and enhanced.startswith("5.7.")):
        return Kind.FATAL
    return Kind.PERMANENT


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Transport:
    """One SMTP connection, opened when the first message needs it and again after a
    failure."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None
        self.secret: Secret | None = None

    def redact(self, text: str) -> str:
        return self.secret.redact(text, self.settings.user) if self.secret else text

    def close(self) -> None:
        if self.conn is not None:
            conn, self.conn = self.conn, None
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def drop(self) -> None:
        """Forget the connection without a QUIT (after a failure its state is unclear)."""
        if self.conn is not None:
            conn, self.conn = self.conn, None
            with contextlib.suppress(OSError):
                conn.close()

    def send(
        self,
        sender: str,
        recipients: tuple[str, ...],
        payload: bytes,
        before_payload: Callable[[], None],
        last_try: bool = False,
    ) -> Accepted:
        """One transaction. before_payload runs (and must commit the ledger) right before the
        message is transmitted; from then on a lost connection is an unknown outcome.
        Recipients answered 4xx make the whole message temporary, except on the last try,
        where they count as refused and the others still get the message."""
        conn = self._connection()
        stage = "mail"
        transmitted = False
        try:
            code, reply = conn.mail(sender)
            if code != 250:
                self._fail(stage, code, reply)
            stage = "rcpt"
            refused: dict[str, str] = {}
            temporary: list[str] = []
            for address in recipients:
                code, reply = conn.rcpt(address)
                if code in (250, 251):
                    continue
                kind = classify(stage, code, self._text(reply))
                if kind is Kind.FATAL or code == 421:
                    self._fail(stage, code, reply)
                refused[address] = f"{code} {self._text(reply)}"
                if kind is Kind.TEMPORARY:
                    temporary.append(address)
            if temporary and not last_try:
                self._reset()
                raise SmtpFailure(
                    Kind.TEMPORARY, stage, "; ".join(f"{a}: {refused[a]}" for a in temporary)
                )
            if len(refused) == len(recipients):
                self._reset()
                permanent = not temporary
                raise SmtpFailure(
                    Kind.PERMANENT if permanent else Kind.TEMPORARY,
                    stage,
                    "every recipient was refused: "
                    + "; ".join(f"{a}: {r}" for a, r in refused.items()),
                )
            stage = "data"
            conn.putcmd("data")
            code, reply = conn.getreply()
            if code != 354:
                self._fail(stage, code, reply)
            before_payload()
            transmitted = True
            conn.send(_dot_stuffed(payload))
            code, reply = conn.getreply()
            if code != 250:
                self._fail(stage, code, reply)
            return Accepted(refused, f"{code} {self._text(reply)}")
        except SmtpFailure:
            raise
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            where = "after the message was transmitted" if transmitted else f"at {stage.upper()}"
            raise SmtpFailure(
                Kind.UNKNOWN if transmitted else Kind.TEMPORARY,
                stage,
                f"the connection was lost {where} ({self.redact(_describe(exc))})",
            ) from None
        except BaseException:
            self.drop()  # mid-transaction (the ledger failed, Ctrl-C): never QUIT into DATA
            raise

    def _fail(self, stage: str, code: int, reply: bytes) -> None:
        text = self._text(reply)
        kind = classify(stage, code, text)
        if code == 421 or kind is not Kind.PERMANENT:
            self.drop()  # 421: the server is closing; after anything else, start afresh
        else:
            self._reset()
        raise SmtpFailure(kind, stage, f"{code} {text}", code)

    def _reset(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()

    def _text(self, reply: bytes | str) -> str:
        """A server's answer as one line, with the password masked should it echo it."""
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        return self.redact(" ".join(text.split()))

    def _connection(self) -> smtplib.SMTP:
        if self.conn is None:
            self.conn = self._connect()
        return self.conn

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.effective_port}"
        context = ssl.create_default_context(cafile=str(s.cafile) if s.cafile else None)
        conn: smtplib.SMTP | None = None
        stage = "connect"
        if s.user and self.secret is None:
            if s.password is None:
                raise SmtpFailure(Kind.FATAL, "auth", "no password for --smtp-user")
            self.secret = s.password()  # before connecting: a prompt must not hold the line
        if s.user and self.secret is not None:
            _check_ascii_login(s.user, self.secret, where)
        try:
            local = socket.gethostname() or "localhost"
            if s.tls == "ssl":
                conn = smtplib.SMTP_SSL(
                    s.host, s.effective_port, local, timeout=s.timeout, context=context
                )
            else:
                conn = smtplib.SMTP(s.host, s.effective_port, local, timeout=s.timeout)
            conn.ehlo()
            if s.tls == "starttls":
                if not conn.has_extn("starttls"):
                    raise SmtpFailure(
                        Kind.FATAL,
                        stage,
                        f"{where} does not offer STARTTLS, so the connection cannot be"
                        " encrypted; use --tls ssl (port 465) or another server",
                    )
                conn.starttls(context=context)
                conn.ehlo()
            if s.user:
                stage = "auth"
                self._login(conn, where)
            return conn
        except SmtpFailure:
            self._close_quietly(conn)
            raise
        except ssl.SSLCertVerificationError as exc:
            self._close_quietly(conn)
            raise SmtpFailure(
                Kind.FATAL,
                stage,
                f"the certificate of {where} cannot be verified ({exc.verify_message}); if the"
                " server uses a private certificate authority, trust it with --cafile FILE",
            ) from None
        except ssl.SSLError as exc:
            self._close_quietly(conn)
            raise SmtpFailure(
                Kind.FATAL, stage, f"TLS with {where} failed ({_describe(exc)})"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            self._close_quietly(conn)
            text = self._text(exc.smtp_error)
            kind = Kind.TEMPORARY if 400 <= exc.smtp_code < 500 else Kind.FATAL
            raise SmtpFailure(
                kind,
                stage,
                f"{where} refused the login of {s.user!r}: {exc.smtp_code} {text}; check"
                " --smtp-user and SNAPSHOTPDF_SMTP_PASSWORD",
                exc.smtp_code,
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._close_quietly(conn)
            code, text = exc.smtp_code, self._text(exc.smtp_error)
            kind = classify(stage, code, text)
            raise SmtpFailure(kind, stage, f"{where} answered {code} {text}", code) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._close_quietly(conn)
            raise SmtpFailure(
                Kind.TEMPORARY,
                stage,
                f"cannot talk to {where} ({self.redact(_describe(exc))})",
            ) from None

    def _login(self, conn: smtplib.SMTP, where: str) -> None:
        s = self.settings
        if s.tls == "none" and not is_loopback(s.host):
            raise SmtpFailure(
                Kind.FATAL,
                "auth",
                f"refusing to send the password to {where} unencrypted (--tls none);"
                " use --tls starttls or --tls ssl",
            )
        if not conn.has_extn("auth"):
            raise SmtpFailure(
                Kind.FATAL,
                "auth",
                f"{where} does not offer a login (no AUTH); leave out --smtp-user, or use"
                " the submission port (587) with --tls starttls",
            )
        assert s.user is not None and self.secret is not None
        try:
            conn.login(s.user, self.secret.reveal())
        except (smtplib.SMTPResponseException, smtplib.SMTPServerDisconnected):
            raise
        except UnicodeError:  # never shown: its text holds a character of the password
            raise SmtpFailure(Kind.FATAL, "auth", _NOT_ASCII.format(where=where)) from None
        except smtplib.SMTPException as exc:  # no login method both sides know
            raise SmtpFailure(
                Kind.FATAL, "auth", f"cannot log in to {where}: {self.redact(str(exc))}"
            ) from None

    @staticmethod
    def _close_quietly(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()


_NOT_ASCII = (
    "the SMTP login name or password contains a character that is not ASCII, and a login to"
    " {where} can carry only ASCII (Python's smtplib has no UTF-8 AUTH); give the account an"
    " ASCII password (or an app password) and put it in SNAPSHOTPDF_SMTP_PASSWORD"
)


def _check_ascii_login(user: str, secret: Secret, where: str) -> None:
    """smtplib sends the login name and password as ASCII only: anything else would fail
    inside it with a message quoting the offending character. Never says which one."""
    if not user.isascii():
        raise SmtpFailure(
            Kind.FATAL,
            "auth",
            f"the SMTP login name {user!r} contains a character that is not ASCII, which a"
            f" login to {where} cannot carry (Python's smtplib has no UTF-8 AUTH); use the"
            " account's ASCII login name in --smtp-user",
        )
    if not secret.reveal().isascii():
        raise SmtpFailure(
            Kind.FATAL,
            "auth",
            "the SMTP password contains a character that is not ASCII, which a login to"
            f" {where} cannot carry (Python's smtplib has no UTF-8 AUTH); give the account"
            " an ASCII password (or an app password) and put it in SNAPSHOTPDF_SMTP_PASSWORD",
        )


def _dot_stuffed(payload: bytes) -> bytes:
    """The DATA body: CRLF line ends, a leading dot doubled, the closing dot line added."""
    data = re.sub(rb"(?:\r\n|\r|\n)", b"\r\n", payload)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text
