"""A real SMTP server on loopback for the mail tests (aiosmtpd), scripted per command.

Every wait is bounded: a handler told to hang gives up after HANG_LIMIT seconds.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HANG_LIMIT = 20.0
USER = "mailer"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def attachments(self) -> list[tuple[str, bytes]]:
        out = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.append((str(part.get_filename()), payload))
        return out

    def attachment_sha256(self) -> str:
        ((_, data),) = self.attachments()
        return hashlib.sha256(data).hexdigest()


@dataclass
class Handler:
    """Scripts, consumed one entry per command: "" or "accept" accepts; a reply ("451 ...")
    is sent instead; for DATA also "drop" (close the connection once the message is in,
    without an answer) and "hang" (take the message in, then answer only when released)."""

    mail_script: list[str] = field(default_factory=list)
    rcpt_refuse: dict[str, str] = field(default_factory=dict)  # address -> reply, always
    data_script: list[str] = field(default_factory=list)
    drop_at_data_command: int = 0  # close the connection on this many DATA commands
    password: str | None = None  # the one login that is accepted (with USER)
    received: list[Received] = field(default_factory=list)  # every message taken in
    refused_logins: int = 0
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self.mail_script.pop(0) if self.mail_script else ""
        if reply and reply != "accept":
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.rcpt_refuse:
            return self.rcpt_refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        action = self.data_script.pop(0) if self.data_script else "accept"
        message = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        if action == "drop":
            self.received.append(message)  # the worst case: it went through, no answer came
            server.transport.close()
            return "250 OK (never heard)"
        if action == "hang":
            self.received.append(message)
            self.hanging.set()
            deadline = time.monotonic() + HANG_LIMIT
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return "250 OK (too late)"
        if action and action != "accept":
            return action
        self.received.append(message)
        return "250 OK queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.password is not None
            and auth_data.login == USER.encode()
            and auth_data.password == self.password.encode()
        )
        if not ok:
            self.refused_logins += 1
        return AuthResult(success=ok, handled=False)


class _ScriptedSMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        handler = self.event_handler
        if handler.drop_at_data_command > 0 and self.envelope and self.envelope.rcpt_tos:
            handler.drop_at_data_command -= 1
            assert self.transport is not None
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _ScriptedSMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(
    handler: Handler,
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """Serve on 127.0.0.1 until the block ends; yields the port. With tls_context the server
    offers STARTTLS and requires it; with implicit_tls it speaks TLS from the first byte."""
    kwargs: dict[str, Any] = {
        "authenticator": handler.authenticate,
        "auth_require_tls": tls_context is not None or implicit_tls is not None,
        "server_hostname": "mail.loopback.example",
        "ready_timeout": 10.0,
    }
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    controller = _Controller(
        handler, hostname="127.0.0.1", port=free_port(), ssl_context=implicit_tls, **kwargs
    )
    controller.start()
    try:
        yield controller.port
    finally:
        handler.release.set()
        controller.stop()


def make_certificates(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A self-signed server certificate for 127.0.0.1 and localhost. Returns its PEM file
    (what --cafile is given: the client trusts exactly it) and the server's TLS context."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "snapshotpdf test server")])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)  # self-signed
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context
