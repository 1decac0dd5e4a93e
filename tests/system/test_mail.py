"""`snapshotpdf mail` against a real SMTP server on loopback (aiosmtpd): the right PDF to the
right office, exactly once, across failures, re-runs and a killed process."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest
from support.helpers import minimal_city, write_survey
from support.mailserver import USER, Handler, Received, make_certificates, smtp_server
from typer.testing import CliRunner, Result

from snapshotpdf.batch.build import build
from snapshotpdf.batch.settings import Settings
from snapshotpdf.cli.app import app
from snapshotpdf.mail.plan import MailSettings
from snapshotpdf.mail.smtp import SmtpSettings
from snapshotpdf.models import Inputs
from snapshotpdf.render.layout import load_layout

runner = CliRunner()
SENDER = "Survey team <snapshots@survey.example>"
PASSWORD = "pw-7Hq!zr5-not-in-any-output"
# Who answered for which city in the survey (Gamma gave no address).
ADDRESSES = {
    "mayor@alpha.example": "ruritania-alpha.pdf",
    "office@beta.example": "ruritania-beta.pdf",
    "deputy@beta.example": "ruritania-beta.pdf",
    "mayor@delta.example": "ruritania-delta.pdf",
}
SENDABLE = ["ruritania-alpha.pdf", "ruritania-beta.pdf", "ruritania-delta.pdf"]


def _rows() -> list[dict[str, object]]:
    return [
        minimal_city("Alpha", "Ruritania", contact_email="mayor@alpha.example"),
        minimal_city(
            "Beta",
            "Ruritania",
            contact_email="office@beta.example",
            language="es",
        ),
        minimal_city("Gamma", "Ruritania"),
        minimal_city("Delta", "Ruritania", contact_email="mayor@delta.example", language="fr"),
    ]


@pytest.fixture(scope="session")  # not "module": xdist may interleave files
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mail-build")
    survey = write_survey(folder / "survey.xlsx", _rows())
    result = build(Settings(inputs=Inputs(survey=survey), outdir=folder / "out", jobs=0))
    assert len(result.written) == 4, result.summary()
    return folder


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the build: survey.xlsx and out/ (PDFs and manifest.json), and a
    contacts file that gives Beta a second address."""
    shutil.copy(built / "survey.xlsx", tmp_path / "survey.xlsx")
    shutil.copytree(built / "out", tmp_path / "out")
    (tmp_path / "contacts.csv").write_text(
        "city,country,email,name,language\n"
        "Beta,Ruritania,office@beta.example; deputy@beta.example,Ana Pérez; Juan Soto,es\n",
        encoding="utf-8",
    )
    return tmp_path


def with_contacts(work: Path) -> tuple[str, str]:
    return ("--contacts", str(work / "contacts.csv"))


def send_settings(work: Path, port: int, rate: float | None = None) -> MailSettings:
    """What `mail --send` to the loopback server is, for calling the library directly."""
    return MailSettings(
        inputs=Inputs(survey=work / "survey.xlsx"),
        outdir=work / "out",
        sender=SENDER,
        send=True,
        smtp=SmtpSettings("127.0.0.1", port, tls="none", timeout=10, backoff=0.01),
        rate=rate,
    )


def mail(
    work: Path, port: int | None, *extra: str, env: Mapping[str, str | None] | None = None
) -> Result:
    """`snapshotpdf mail SURVEY -o OUT ...`, and with a port: --send to that loopback server."""
    args = ["mail", str(work / "survey.xlsx"), "-o", str(work / "out"), *extra]
    if port is not None:
        args += [
            "--send",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(port),
            "--from",
            SENDER,
            "--backoff",
            "0.01",
            "--timeout",
            "10",
        ]
        if "--tls" not in extra:
            args += ["--tls", "none"]
    return runner.invoke(app, args, env=env)


def manifest_sha(work: Path) -> dict[str, str]:
    document = json.loads((work / "out" / "manifest.json").read_text(encoding="utf-8"))
    return {e["file"]: e["sha256"] for e in document["cities"]}


def assert_right_city(
    work: Path, received: list[Received], addresses: dict[str, str] = ADDRESSES
) -> None:
    """Every message's attachment is the PDF the build recorded for the city of every
    address that received it (envelope and To: header alike)."""
    shas = manifest_sha(work)
    for message in received:
        ((name, data),) = message.attachments()
        sha = message.attachment_sha256()
        to_header = [a.addr_spec for a in message.message["To"].addresses]
        assert set(message.rcpt_tos) <= set(to_header)
        for address in to_header:
            assert shas[addresses[address]] == sha, (address, name)
            assert name == addresses[address]
        assert data.startswith(b"%PDF")


def deliveries(received: list[Received]) -> Counter[str]:
    """How many messages each city's PDF went out in."""
    return Counter(m.attachments()[0][0] for m in received)


def ledger(work: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(work / "out" / "mail" / "ledger.sqlite") as db:
        return [(f, s) for f, s in db.execute("SELECT file, state FROM sends ORDER BY id")]


def latest_states(work: Path) -> dict[str, str]:
    return dict(ledger(work))


def test_dry_run_writes_one_message_per_city_for_review_and_sends_nothing(work: Path) -> None:
    handler = Handler()
    with smtp_server(handler):
        result = mail(work, None, "--from", SENDER)
    assert result.exit_code == 1, result.output  # Gamma has no address: listed
    out = result.output
    for header in ("city", "recipients", "attachment", "size", "status"):
        assert header in out.splitlines()[0]
    assert "Alpha, Ruritania" in out and "mayor@alpha.example" in out
    assert "ruritania-alpha.pdf" in out and " KB" in out
    assert "Gamma, Ruritania" in out and "no address" in out
    assert "dry run, nothing was sent" in out
    assert handler.received == []
    emls = sorted(p.name for p in (work / "out" / "mail").glob("*.eml"))
    assert emls == ["ruritania-alpha.eml", "ruritania-beta.eml", "ruritania-delta.eml"]
    as_received = [Received("", [], (work / "out" / "mail" / name).read_bytes()) for name in emls]
    assert_right_city(work, as_received)
    beta = as_received[1].message
    mail_dir = load_layout().folder / "mail"

    def subject(language: str, city: str) -> str:
        template = (mail_dir / f"subject.{language}.txt").read_text(encoding="utf-8")
        return template.strip().replace("{{ city }}", city)

    assert beta["Subject"] == subject("es", "Beta")  # as its PDF: Spanish
    assert beta["Content-Language"] == "es"
    delta = as_received[2].message
    assert delta["Subject"] == subject("fr", "Delta") and delta["Content-Language"] == "fr"
    assert as_received[0].message["Content-Language"] == "en"
    assert not (work / "out" / "mail" / "ledger.sqlite").exists()
    report = json.loads((work / "out" / "mail" / "report.json").read_text(encoding="utf-8"))
    assert report["mode"] == "dry run" and report["counts"] == {"to send": 3, "no address": 1}


def test_send_delivers_each_pdf_to_its_own_city_once_and_a_rerun_sends_nothing(
    work: Path,
) -> None:
    handler = Handler()
    with smtp_server(handler) as port:
        first = mail(work, port, *with_contacts(work))
        assert first.exit_code == 1, first.output  # Gamma: no address
        assert deliveries(handler.received) == Counter(SENDABLE)
        assert_right_city(work, handler.received)
        beta = next(m for m in handler.received if "beta" in m.attachments()[0][0])
        assert sorted(beta.rcpt_tos) == ["deputy@beta.example", "office@beta.example"]
        assert beta.message["From"].addresses[0].addr_spec == "snapshots@survey.example"
        text = beta.message.get_body(("plain",))
        html = beta.message.get_body(("html",))
        assert text is not None and "Beta, Ruritania" in text.get_content()
        assert html is not None and "<strong>" in html.get_content()
        assert beta.message["To"].addresses[0].display_name == "Ana Pérez"
        assert latest_states(work) == dict.fromkeys(SENDABLE, "sent")

        second = mail(work, port, *with_contacts(work))
    assert second.exit_code == 1, second.output
    assert len(handler.received) == 3  # nothing more
    assert "already sent" in second.output
    assert [s for _, s in ledger(work)] == ["sent"] * 3


def test_temporary_errors_are_retried_then_sent_once(work: Path) -> None:
    handler = Handler(mail_script=["421 4.3.2 Service shutting down", "451 4.3.0 Try again later"])
    with smtp_server(handler) as port:
        result = mail(work, port, "--city", "Alpha")
    assert result.exit_code == 0, result.output
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf"])
    assert_right_city(work, handler.received)
    assert "trying again" in result.output and "421" in result.output
    assert latest_states(work) == {"ruritania-alpha.pdf": "sent"}


def test_temporary_errors_past_the_retries_fail_and_the_next_run_sends(work: Path) -> None:
    handler = Handler(data_script=["451 4.3.0 later", "451 4.3.0 later"])
    with smtp_server(handler) as port:
        first = mail(work, port, "--city", "Alpha", "--retries", "1")
        assert first.exit_code == 1, first.output
        assert handler.received == []
        assert ledger(work) == [("ruritania-alpha.pdf", "failed")] * 2
        second = mail(work, port, "--city", "Alpha")
    assert second.exit_code == 0, second.output
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf"])


def test_a_permanent_refusal_is_recorded_per_recipient(work: Path) -> None:
    handler = Handler(
        rcpt_refuse={"deputy@beta.example": "550 5.1.1 <deputy@beta.example>: user unknown"}
    )
    with smtp_server(handler) as port:
        first = mail(work, port, *with_contacts(work))
        assert first.exit_code == 1
        assert deliveries(handler.received) == Counter(SENDABLE)
        assert_right_city(work, handler.received)
        beta = next(m for m in handler.received if "beta" in m.attachments()[0][0])
        assert beta.rcpt_tos == ["office@beta.example"]
        assert "deputy@beta.example refused: 550 5.1.1" in first.output
        # The line of the send names only whom the server took, and who was refused.
        (sent,) = [line for line in first.output.splitlines() if "Beta, Ruritania: sent to" in line]
        assert (
            "sent to office@beta.example (250" in sent and "; deputy@beta.example refused" in sent
        )
        with sqlite3.connect(work / "out" / "mail" / "ledger.sqlite") as db:
            (refused,) = db.execute(
                "SELECT refused FROM sends WHERE file = 'ruritania-beta.pdf'"
            ).fetchone()
        assert json.loads(refused) == {
            "deputy@beta.example": "550 5.1.1 <deputy@beta.example>: user unknown"
        }
        second = mail(work, port, *with_contacts(work))
    assert len(handler.received) == 3  # the office that got it does not get it twice
    assert second.exit_code == 1 and "deputy@beta.example refused" in second.output


def test_a_connection_dropped_after_the_message_is_unknown_and_needs_resend(
    work: Path,
) -> None:
    handler = Handler(data_script=["drop"])
    with smtp_server(handler) as port:
        first = mail(work, port)
        assert first.exit_code == 1, first.output
        # Alpha went out but no answer came: never retried by itself; the others go on.
        assert deliveries(handler.received) == Counter(SENDABLE)
        assert latest_states(work)["ruritania-alpha.pdf"] == "unknown"
        assert "--resend Alpha" in first.output or '--resend "Alpha"' in first.output

        second = mail(work, port)
        assert len(handler.received) == 3
        assert second.exit_code == 1 and "unknown" in second.output

        third = mail(work, port, "--resend", "Alpha")
        assert third.exit_code == 0 or "Gamma" in third.output
        assert deliveries(handler.received)["ruritania-alpha.pdf"] == 2
        alpha = [m for m in handler.received if "alpha" in m.attachments()[0][0]]
        assert alpha[0].message["Message-ID"] == alpha[1].message["Message-ID"]
        assert latest_states(work)["ruritania-alpha.pdf"] == "sent"
        assert_right_city(work, handler.received)


def test_a_connection_dropped_at_the_data_command_is_retried(work: Path) -> None:
    handler = Handler(drop_at_data_command=1)
    with smtp_server(handler) as port:
        result = mail(work, port, "--city", "alpha")
    assert result.exit_code == 0, result.output
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf"])
    assert "connection was lost at DATA" in result.output


@pytest.mark.parametrize(
    ("script", "words"),
    [
        (["550 5.7.1 Sender address rejected: not permitted by policy"], "policy"),
        (["accept", "554 5.4.5 Daily sending quota exceeded"], "quota"),
    ],
)
def test_policy_and_quota_errors_stop_the_batch(work: Path, script: list[str], words: str) -> None:
    handler = Handler(mail_script=script) if words == "policy" else Handler(data_script=script)
    with smtp_server(handler) as port:
        result = mail(work, port)
    assert result.exit_code == 2, result.output
    assert "error: stopped at" in result.output and words in result.output
    assert "Traceback" not in result.output
    sent = 0 if words == "policy" else 1
    assert len(handler.received) == sent
    assert "not reached" in result.output
    assert_right_city(work, handler.received)


def test_a_pdf_that_is_not_the_one_the_build_recorded_stops_everything(work: Path) -> None:
    pdf = work / "out" / "ruritania-delta.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% tampered")
    handler = Handler()
    with smtp_server(handler) as port:
        result = mail(work, port)
    assert result.exit_code == 2
    assert "ruritania-delta.pdf" in result.output and "sha256" in result.output
    assert handler.received == []


def test_a_pdf_swapped_for_another_citys_stops_before_it_is_sent(work: Path) -> None:
    out = work / "out"
    shutil.copy(out / "ruritania-alpha.pdf", out / "ruritania-beta.pdf")
    handler = Handler()
    with smtp_server(handler) as port:
        result = mail(work, port)
    assert result.exit_code == 2 and "ruritania-beta.pdf" in result.output
    assert handler.received == []


def test_a_pdf_rebuilt_since_it_was_sent_is_sent_again_only_when_asked(work: Path) -> None:
    handler = Handler()
    with smtp_server(handler) as port:
        assert mail(work, port, "--city", "Alpha").exit_code == 0
        rows = _rows()
        rows[0] = {**rows[0], "formal_strategy": "No"}  # Alpha's answer changes
        write_survey(work / "survey.xlsx", rows)
        rebuilt = build(
            Settings(inputs=Inputs(survey=work / "survey.xlsx"), outdir=work / "out", jobs=0)
        )
        assert [d.city for d in rebuilt.written] == ["Alpha"] or rebuilt.written
        again = mail(work, port, "--city", "Alpha")
        assert again.exit_code == 1 and "changed" in again.output and "--resend" in again.output
        assert len(handler.received) == 1
        resent = mail(work, port, "--city", "Alpha", "--resend", "alpha")
        assert resent.exit_code == 0, resent.output
    assert len(handler.received) == 2
    assert_right_city(work, handler.received[1:])


def test_tls_with_a_private_ca_is_verified_and_the_password_never_shows(work: Path) -> None:
    ca_file, server_context = make_certificates(work)
    handler = Handler(password=PASSWORD)
    env = {"SNAPSHOTPDF_SMTP_PASSWORD": PASSWORD, "SNAPSHOTPDF_SMTP_USER": USER}
    with smtp_server(handler, tls_context=server_context) as port:
        untrusted = mail(work, port, "--tls", "starttls", env=env)
        assert untrusted.exit_code == 2
        assert "cannot be verified" in untrusted.output and "--cafile" in untrusted.output
        assert handler.received == []

        trusted = mail(work, port, "--tls", "starttls", "--cafile", str(ca_file), env=env)
        assert trusted.exit_code == 1, trusted.output  # Gamma: no address
        assert deliveries(handler.received) == Counter(SENDABLE)
        assert_right_city(work, handler.received)

        wrong = mail(
            work,
            port,
            "--tls",
            "starttls",
            "--cafile",
            str(ca_file),
            "--resend",
            "Alpha",
            env={**env, "SNAPSHOTPDF_SMTP_PASSWORD": PASSWORD + "x"},
        )
        assert wrong.exit_code == 2 and "refused the login" in wrong.output
        assert len(handler.received) == 3
    outputs = [untrusted.output, trusted.output, wrong.output]
    assert_no_secret(work, outputs, [PASSWORD, PASSWORD + "x"])


def test_implicit_tls_with_a_private_ca(work: Path) -> None:
    ca_file, server_context = make_certificates(work)
    handler = Handler()
    with smtp_server(handler, implicit_tls=server_context) as port:
        result = mail(work, port, "--tls", "ssl", "--cafile", str(ca_file), "--city", "Delta")
    assert result.exit_code == 0, result.output
    assert deliveries(handler.received) == Counter(["ruritania-delta.pdf"])


def assert_no_secret(work: Path, outputs: list[str], secrets: list[str]) -> None:
    forms = set()
    for secret in secrets:
        forms |= {
            secret,
            base64.b64encode(secret.encode()).decode(),
            base64.b64encode(f"\0{USER}\0{secret}".encode()).decode(),
        }
    files = [p for p in (work / "out").rglob("*") if p.is_file()]
    assert any(p.name == "ledger.sqlite" for p in files)
    for form in forms:
        for text in outputs:
            assert form not in text
        for path in files:
            assert form.encode() not in path.read_bytes(), path


def test_a_killed_run_resumes_sending_each_remaining_city_once(work: Path) -> None:
    """SIGKILL while the server holds the second message (it has it, the client has no
    answer): the restart marks that city unknown and sends the rest exactly once."""
    handler = Handler(data_script=["accept", "hang"], password=PASSWORD)
    with smtp_server(handler) as port:
        args = [
            sys.executable,
            "-m",
            "snapshotpdf",
            "mail",
            str(work / "survey.xlsx"),
            "-o",
            str(work / "out"),
            "--send",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(port),
            "--tls",
            "none",
            "--smtp-user",
            USER,
            "--from",
            SENDER,
            "--timeout",
            "30",
        ]
        env = {**os.environ, "SNAPSHOTPDF_SMTP_PASSWORD": PASSWORD}
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work
        )
        try:
            assert handler.hanging.wait(30), "the second message never arrived"
            assert len(handler.received) == 2
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        assert process.returncode == -signal.SIGKILL
        killed_output = b"".join(process.communicate())
        handler.release.set()
        assert latest_states(work) == {
            "ruritania-alpha.pdf": "sent",
            "ruritania-beta.pdf": "pending",
        }
        env = {"SNAPSHOTPDF_SMTP_PASSWORD": PASSWORD}
        restarted = mail(work, port, "--smtp-user", USER, env=env)
        assert restarted.exit_code == 1, restarted.output
        assert deliveries(handler.received) == Counter(SENDABLE)  # each city once
        assert latest_states(work) == {
            "ruritania-alpha.pdf": "sent",
            "ruritania-beta.pdf": "unknown",
            "ruritania-delta.pdf": "sent",
        }
        assert "Beta, Ruritania: the last run stopped while sending it" in restarted.output

        again = mail(work, port, "--smtp-user", USER, env=env)
        assert len(handler.received) == 3 and "unknown" in again.output

        resent = mail(work, port, "--smtp-user", USER, "--resend", "Beta", env=env)
        assert resent.exit_code == 1, resent.output  # only Gamma (no address) is left
        assert deliveries(handler.received)["ruritania-beta.pdf"] == 2
        assert latest_states(work)["ruritania-beta.pdf"] == "sent"
        assert_right_city(work, handler.received)
    assert_no_secret(
        work,
        [killed_output.decode(errors="replace"), restarted.output, again.output, resent.output],
        [PASSWORD],
    )


def test_rate_limit_spaces_the_messages(work: Path) -> None:
    """--rate 300 is one message every 0.2 s: measured on an injected clock that only the
    injected sleep moves, so a slow or busy machine cannot make the test pass or fail."""
    from snapshotpdf.mail.deliver import run

    now = [1000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    handler = Handler()
    with smtp_server(handler) as port:
        settings = send_settings(work, port, rate=300)
        result = run(settings, sleep=sleep, clock=lambda: now[0])
    assert len(handler.received) == 3, result.table()
    assert waits == [pytest.approx(0.2), pytest.approx(0.2)]  # none before the first


def test_a_second_sender_on_the_same_folder_is_refused(work: Path) -> None:
    import fcntl

    folder = work / "out" / "mail"
    folder.mkdir()
    handler = Handler()
    with (folder / ".lock").open("a+") as held, smtp_server(handler) as port:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = mail(work, port)
    assert result.exit_code == 2 and "another snapshotpdf mail --send is running" in result.output
    assert handler.received == []


def test_the_contacts_file_takes_precedence_and_unsafe_contacts_are_rejected(
    work: Path,
) -> None:
    (work / "contacts.csv").write_text(
        "city,country,email,name,language\n"
        "alpha,RURITANIA,new@alpha.example,Ana,\n"
        'Delta,Ruritania,mayor@delta.example,"Eve\r\nBcc: thief@evil.example",\n'
        "Atlantis,Nowhere,king@atlantis.example,,\n",
        encoding="utf-8",
        newline="",
    )
    handler = Handler()
    with smtp_server(handler) as port:
        result = mail(work, port, *with_contacts(work))
    assert result.exit_code == 1, result.output
    routed = {"new@alpha.example": "ruritania-alpha.pdf", **ADDRESSES}
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf", "ruritania-beta.pdf"])
    assert_right_city(work, handler.received, routed)
    alpha = next(m for m in handler.received if "alpha" in m.attachments()[0][0])
    assert alpha.rcpt_tos == ["new@alpha.example"]  # the file, not the survey
    everyone = [a for m in handler.received for a in m.rcpt_tos]
    assert "thief@evil.example" not in everyone
    assert all(b"thief" not in m.data for m in handler.received)
    assert "Delta, Ruritania: contacts.csv, row 3: the name" in result.output
    assert "carriage return" in result.output and "rejected" in result.output
    assert "warning: contacts.csv, row 4: Atlantis, Nowhere matches no city" in result.output
    assert latest_states(work) == {
        "ruritania-alpha.pdf": "sent",
        "ruritania-beta.pdf": "sent",
    }


def test_a_login_without_a_password_asks_for_one_or_stops(work: Path) -> None:
    handler = Handler(password=PASSWORD)
    with smtp_server(handler) as port:
        result = mail(work, port, "--smtp-user", USER, env={"SNAPSHOTPDF_SMTP_PASSWORD": None})
    assert result.exit_code == 2, result.output
    assert "no SMTP password" in result.output and "SNAPSHOTPDF_SMTP_PASSWORD" in result.output
    assert handler.received == []


def test_a_pdf_changed_during_the_batch_stops_it_before_that_message(work: Path) -> None:
    """The hash is checked again right before each attachment: a build writing into the
    folder while mail runs cannot slip another PDF in."""
    from snapshotpdf.mail.deliver import run

    beta = work / "out" / "ruritania-beta.pdf"

    def tamper(seconds: float) -> None:  # the rate limit's pause before the second message
        assert seconds == pytest.approx(0.2)
        beta.write_bytes(beta.read_bytes() + b"\n% rewritten")

    handler = Handler()
    with smtp_server(handler) as port:
        settings = send_settings(work, port, rate=300)
        # A clock that stands still: the pause comes however long the first send took.
        result = run(settings, sleep=tamper, clock=lambda: 1000.0)
    assert result.exit_code() == 2
    assert result.stopped and "ruritania-beta.pdf changed during the run" in result.stopped
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf"])
    statuses = {row.file: row.status for row in result.rows}
    assert statuses == {
        "ruritania-alpha.pdf": "sent",
        "ruritania-beta.pdf": "stopped",
        "ruritania-delta.pdf": "not reached",
        "ruritania-gamma.pdf": "no address",
    }
    assert latest_states(work) == {"ruritania-alpha.pdf": "sent"}
