"""The parts of `mail` that need no server: header safety, contacts, templates, the ledger,
how SMTP answers are classified, and the command line's refusals."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from support.helpers import ROOT
from support.layouts import user_layout
from typer.testing import CliRunner

from snapshotpdf import limits
from snapshotpdf.addresses import check_header_value, normalise_address, unsafe_character
from snapshotpdf.budget import TooLong
from snapshotpdf.cli.app import app
from snapshotpdf.mail.contacts import Recipient, from_file, make_contact
from snapshotpdf.mail.ledger import Ledger
from snapshotpdf.mail.message import Attachment, MailTemplates, Rendered, compose
from snapshotpdf.mail.smtp import Kind, Secret, classify

runner = CliRunner()


@pytest.mark.parametrize(
    "text", ["Ana\r\nBcc: x@evil.example", "a@b.example\n", "Ana\x00", "Ana\u2028", "A\u202eB"]
)
def test_control_characters_never_reach_a_header(text: str) -> None:
    assert unsafe_character(text)
    with pytest.raises(ValueError, match="never put in a header"):
        check_header_value(text, "the name")


def test_addresses_are_validated_and_their_domain_sent_in_ascii() -> None:
    assert normalise_address("Mayor@Münster.example") == "Mayor@xn--mnster-3ya.example"
    for bad in ("not-an-address", "a@b", "a@b.test", "two@a.example, b@c.example", "ü@x.org"):
        with pytest.raises(ValueError, match="is not an e-mail address"):
            normalise_address(bad)


def test_a_contact_with_a_line_break_is_rejected_with_where_it_is() -> None:
    contact = make_contact(
        "Lima", "Peru", "a@lima.example", "Ana\r\nBcc: x@evil.example", None, "c.csv, row 2"
    )
    assert contact.recipients == ()
    assert contact.rejected and "c.csv, row 2" in contact.rejected
    assert "carriage return" in contact.rejected


def test_several_addresses_with_names_and_an_invalid_one_listed() -> None:
    contact = make_contact(
        "Lima", "Peru", "a@lima.example; nope; b@lima.example; A@LIMA.example", "", "ES", "r 2"
    )
    assert [r.address for r in contact.recipients] == ["a@lima.example", "b@lima.example"]
    assert contact.language == "es"
    assert len(contact.problems) == 1 and "'nope' is not an e-mail address" in contact.problems[0]
    named = make_contact("Lima", "Peru", "a@lima.example; b@lima.example", "Ana; Juan", None, "")
    assert [r.name for r in named.recipients] == ["Ana", "Juan"]


def test_contacts_file_rows_duplicates_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "City,Country,E-mail,Name,Language\n"
        "Lima,Peru,a@lima.example,Ana,es\n"
        ",Peru,x@lima.example,,\n"
        "LIMA, peru ,b@lima.example,,\n"
        '"São Paulo",Brazil,"c@sp.example; d@sp.example",,pt-BR\n',
        encoding="utf-8",
    )
    book = from_file(path)
    lima = book.find("Lima", "Peru")
    assert lima is not None and [r.address for r in lima.recipients] == ["a@lima.example"]
    assert book.find("Sao Paulo", "Brazil") is not None  # same PDF name: the same city
    assert any("row 3: no city or country" in n for n in book.notes)
    assert any("row 4: LIMA, peru is already in row 2" in n for n in book.notes)
    semicolons = tmp_path / "semicolons.csv"  # Excel's CSV in many countries
    semicolons.write_text(
        "city;country;email\nLima;Peru;a@lima.example; b@lima.example\n", encoding="utf-8"
    )
    stray = from_file(semicolons).find("Lima", "Peru")
    assert (
        stray is not None
        and "' b@lima.example' is in a column without a header" in (stray.problems[0])
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("city,mail\nLima,a@lima.example\n", encoding="utf-8")
    from snapshotpdf.mail.addresses import DeliveryError

    with pytest.raises(DeliveryError, match="no country, email column"):
        from_file(bad)


def _message(subject: str = "Lima: snapshot", name: str | None = "Ana") -> bytes:
    return compose(
        sender=Recipient("team@survey.example", "Survey team"),
        recipients=(Recipient("a@lima.example", name),),
        rendered=Rendered("en", subject, "text", "<p>html</p>"),
        attachment=Attachment("peru-lima.pdf", b"%PDF-1.7 test"),
        msgid="<1.peru-lima@survey.example>",
        date=datetime(2024, 5, 1, tzinfo=UTC),
    )


def test_compose_refuses_a_subject_or_name_with_a_line_break() -> None:
    with pytest.raises(ValueError, match="^the subject"):
        _message(subject="Lima\r\nBcc: x@evil.example")
    with pytest.raises(ValueError, match="^the name"):
        _message(name="Ana\nBcc: x@evil.example")
    parsed = message_from_bytes(_message(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "Ana <a@lima.example>" and parsed["Content-Language"] == "en"
    (attachment,) = parsed.iter_attachments()
    assert attachment.get_filename() == "peru-lima.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF-1.7 test"


def test_templates_escape_html_and_fall_back_to_the_default_language() -> None:
    templates = MailTemplates()
    assert templates.language_for("es") == "es"
    assert templates.language_for("es-pe") == "es"
    assert templates.language_for("fr") == "fr" and templates.language_for("pt-br") == "pt"
    assert templates.language_for("de") == "en" and templates.language_for(None) == "en"
    context = {
        "city": "Lima <script>",
        "country": "Peru",
        "names": ["<b>Ana</b>"],
        "file": "peru-lima.pdf",
        "pages": 2,
        "size": "10 KB",
    }
    rendered = templates.render("en", context)
    assert "<b>Ana</b>" not in rendered.html and "&lt;b&gt;Ana&lt;/b&gt;" in rendered.html
    assert "Lima &lt;script&gt;" in rendered.html
    assert "Dear <b>Ana</b>," in rendered.text  # plain text is not HTML
    assert rendered.subject == "Lima <script>: your City Innovation Snapshot"
    spanish = templates.render("es", {**context, "names": ["<i>Ana</i>"]})
    assert "&lt;i&gt;Ana&lt;/i&gt;" in spanish.html and "<i>" not in spanish.html


@pytest.mark.parametrize(
    ("stage", "code", "text", "kind"),
    [
        ("mail", 421, "4.3.2 Service shutting down", Kind.TEMPORARY),
        ("rcpt", 451, "4.3.0 Try again later", Kind.TEMPORARY),
        ("rcpt", 550, "5.1.1 user unknown", Kind.PERMANENT),
        ("rcpt", 554, "5.7.1 Relay access denied", Kind.FATAL),
        ("rcpt", 552, "5.2.2 mailbox full: over quota", Kind.PERMANENT),
        ("mail", 530, "5.7.0 Authentication required", Kind.FATAL),
        ("auth", 535, "5.7.8 Authentication credentials invalid", Kind.FATAL),
        ("mail", 550, "5.7.1 Sender not permitted by policy", Kind.FATAL),
        ("mail", 451, "4.7.1 Sending quota exceeded", Kind.FATAL),
        ("data", 554, "5.4.5 Daily sending limit reached", Kind.FATAL),
        ("data", 554, "5.7.1 Message rejected as spam", Kind.FATAL),
        ("data", 552, "5.3.4 Message too big", Kind.PERMANENT),
        ("data", 451, "4.3.0 Local error", Kind.TEMPORARY),
    ],
)
def test_smtp_answers_are_classified(stage: str, code: int, text: str, kind: Kind) -> None:
    assert classify(stage, code, text) is kind


def test_a_secret_never_shows_itself() -> None:
    import base64

    secret = Secret("hunter2!")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
    echoed = "535 bad: hunter2! " + base64.b64encode(b"\0me\0hunter2!").decode()
    assert "hunter2" not in secret.redact(echoed, "me")
    assert "AG1lAGh1bnRlcjIh" not in secret.redact(echoed, "me")


def test_the_ledger_marks_an_interrupted_send_unknown(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    sent = ledger.begin("a.pdf", "A", "R", ("a@a.example",), "<1@x.example>", "aa")
    ledger.finish(sent, "sent", "250 OK")
    ledger.begin("b.pdf", "B", "R", ("b@b.example",), "<2@x.example>", "bb")
    ledger.close()
    again = Ledger(tmp_path / "ledger.sqlite")  # a new run
    assert [s.city for s in again.interrupted()] == ["B"]
    latest = again.latest()
    assert latest["a.pdf"].state == "sent" and latest["b.pdf"].state == "unknown"
    assert again.message_id_for("b.pdf", "bb") == "<2@x.example>"  # the same message
    assert again.message_id_for("a.pdf", "aa") is None  # a deliberate resend: a new one
    assert again.interrupted() == []
    again.close()
    (tmp_path / "broken.sqlite").write_bytes(b"not a database at all" * 100)
    from snapshotpdf.mail.addresses import DeliveryError

    with pytest.raises(DeliveryError, match="restore it from a backup"):
        Ledger(tmp_path / "broken.sqlite")


def test_mail_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from snapshotpdf.cli.app import app; from typer.testing import CliRunner;"
        "r = CliRunner().invoke(app, ['mail', '--help']); assert r.exit_code == 0, r.output;"
        "assert '--smtp-host' in r.output and '--password' not in r.output;"
        "print(sorted(m for m in ('pandas', 'weasyprint', 'smtplib', 'sqlite3', 'email_validator')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_user_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    cases = [
        (["mail", "-o", str(tmp_path)], "no build in"),
        (["mail", "-o", str(tmp_path), "--send", "--smtp-host", "127.0.0.1"], "no sender"),
        (["mail", "-o", str(tmp_path), "--send", "--from", "a@b.example"], "no SMTP server"),
        (["mail", "-o", str(tmp_path), "--from", "a\r\nBcc: x@y.example"], "--from"),
    ]
    for args, words in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert f"error: {words}" in result.output or words in result.output
        assert "Traceback" not in result.output


def test_readme_documents_every_mail_option() -> None:
    import re

    # the mail runbook is the manual's mail page, all of it
    section = (ROOT / "docs" / "mail.md").read_text(encoding="utf-8")
    assert section.startswith("# Sending the snapshots by e-mail")
    help_text = runner.invoke(app, ["mail", "--help"], terminal_width=200).output
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help", "--no-send"}
    assert "--smtp-host" in options
    for option in sorted(options):
        assert re.search(rf"`(-\w, )?{option}\b", section), option
    for step in ("dry run", "review", "--send", "resume", "--resend"):
        assert step in section


# Hostile input (issue 14): encoded words, long names, passwords, attachment paths.

_HIDDEN = [
    "=?utf-8?q?Mayor=0D=0ABcc:_x@evil.example?=",
    "=?UTF-8?Q?Mayor=0ABcc:_x@evil.example?=",
    "=?utf-8?b?TWF5b3INCkJjYzogeEBldmlsLmV4YW1wbGU=?=",
    "=?utf-16-le?b?QQAKAEIA?=",  # "A\nB" in UTF-16
    "=?utf-8*en?q?A=0AB?=",  # a language after the charset
    "Ana=?utf-8?q?=0A?=Bcc",  # no space around the word
    "=?utf-8?q?A=0A B?=",  # whitespace inside the word: still decoded by the library
    "=?utf-8?q?A=E2=80=A8B?=",  # U+2028
    "=?utf-8?q?A=C2=85B?=",  # U+0085, a C1 control
    "=?utf-8?q?A=E2=80=AEB?=",  # a bidi override
    "=?x-unknown?q?A=0DB?=",  # an unknown charset
]


@pytest.mark.parametrize("text", _HIDDEN)
def test_a_control_character_hidden_in_an_encoded_word_is_found(text: str) -> None:
    found = unsafe_character(text)
    assert found and "encoded word" in found
    with pytest.raises(ValueError, match="never put in a header"):
        check_header_value(text, "the name")


@pytest.mark.parametrize(
    "text", ["Ana Pérez", "=?utf-8?q?Jos=C3=A9?=", "a=?b", "1 + 1 =? 2 ?= yes", "=?"]
)
def test_text_without_a_hidden_control_character_passes(text: str) -> None:
    assert unsafe_character(text) is None


def test_a_contact_with_an_encoded_word_or_a_long_name_is_rejected_with_the_cell() -> None:
    hidden = make_contact("Lima", "Peru", "a@lima.example", _HIDDEN[0], None, "contacts.csv, row 4")
    assert hidden.recipients == () and hidden.rejected
    assert "contacts.csv, row 4: the name" in hidden.rejected
    assert "encoded word" in hidden.rejected
    long = make_contact("Lima", "Peru", "a@lima.example", "N" * 2000, None, "c.csv, row 2")
    assert long.recipients == () and long.rejected
    assert "c.csv, row 2" in long.rejected and "2000 characters long" in long.rejected
    assert len(long.rejected) < 300  # the name is quoted short, not whole
    fine = make_contact("Lima", "Peru", "a@lima.example", " ".join(["Ana"] * 40), None, "r 2")
    assert fine.rejected is None and fine.recipients[0].name


def test_compose_reads_the_message_back_and_refuses_what_a_check_let_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from snapshotpdf.mail import message

    monkeypatch.setattr(message, "check_header_value", lambda value, what: None)
    with pytest.raises(ValueError, match="unexpected: bcc"):
        _message(name="=?utf-8?q?Mayor=0D=0ABcc:_x@evil.example?=")
    with pytest.raises(ValueError, match="unexpected: reply-to"):
        _message(subject="=?utf-8?q?Hi=0D=0AReply-To:_x@evil.example?=")
    with pytest.raises(ValueError, match="missing: "):  # a blank line: the rest is body
        _message(subject="=?utf-8?q?Hi=0D=0A=0D=0Ax?=")
    with pytest.raises(ValueError, match="would read"):  # a name that reads as an address
        _message(name="=?utf-8?q?x=22_<x@evil.example>,_=22?=")
    monkeypatch.setattr(message, "name_too_long", lambda name: None)
    with pytest.raises(ValueError, match="header line would be"):
        _message(name="N" * 2000)


def test_compose_folds_long_names_and_subjects() -> None:
    name = " ".join(["Añá"] * 45)
    subject = " ".join(["Lima: su informe"] * 20)
    parsed = message_from_bytes(_message(subject=subject, name=name), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert "".join(parsed["To"].addresses[0].display_name.split()) == "Añá" * 45
    assert "".join(str(parsed["Subject"]).split()) == "".join(subject.split())
    with pytest.raises(ValueError, match="is 201 characters long"):
        _message(name="N" * 201)


def test_a_password_that_is_not_ascii_stops_before_connecting_and_is_never_shown() -> None:
    from snapshotpdf.mail.smtp import SmtpFailure, SmtpSettings, Transport

    password = "Zq9Ωx-ßJ7vŸ-k2ü"
    settings = SmtpSettings(
        "127.0.0.1", 9, user="mailer", password=lambda: Secret(password), tls="none"
    )
    with pytest.raises(SmtpFailure) as caught:
        Transport(settings).send("a@b.example", ("c@d.example",), b"x", lambda: None)
    failure = caught.value
    assert failure.kind is Kind.FATAL and failure.stage == "auth"
    assert "not ASCII" in failure.text and "SNAPSHOTPDF_SMTP_PASSWORD" in failure.text
    for i in range(len(password) - 2):
        assert password[i : i + 3] not in failure.text


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../secret.pdf", "not a plain file name"),
        ("/etc/secret.pdf", "not a plain file name"),
        ("sub/peru-lima.pdf", "not a plain file name"),
        ("..", "not a plain file name"),
        ("peru-lima.txt", "not a .pdf file"),
        ("link.pdf", "symbolic link"),
    ],
)
def test_only_plain_pdf_names_in_the_output_folder_are_attached(
    tmp_path: Path, name: str, why: str
) -> None:
    from snapshotpdf.mail.deliver import attachment_path, read_attachment

    (tmp_path / "peru-lima.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "peru-lima.pdf")
    assert read_attachment(tmp_path, "peru-lima.pdf") == b"%PDF-1.7"
    with pytest.raises(ValueError, match=why):
        attachment_path(tmp_path, name)
    with pytest.raises(ValueError, match="manifest.json names"):
        read_attachment(tmp_path, name)


def test_from_with_a_hidden_line_break_is_refused() -> None:
    from snapshotpdf.mail.addresses import DeliveryError
    from snapshotpdf.mail.deliver import parse_sender

    with pytest.raises(DeliveryError, match="encoded word"):
        parse_sender("=?utf-8?q?Team=0ABcc:_x@evil.example?= <team@survey.example>", True)


def test_a_message_is_in_its_snapshots_language() -> None:
    """The rule of the snapshot (render.catalog.choose_language): --lang, the contact's
    language, the profile's, English; the templates of that language, names listed as it
    lists them."""
    context = {"city": "Lima", "country": "Peru", "file": "peru-lima.pdf", "pages": 2}
    context["size"] = "10 KB"
    three = ["Ana", "Luis", "Marta"]
    assert (
        MailTemplates()
        .render("en", {**context, "names": three})
        .text.startswith("Dear Ana, Luis, and Marta,")
    )
    french = MailTemplates(profile_language="fr")
    assert french.language_for(None) == "fr" and french.language_for("es") == "es"
    rendered = french.render(None, {**context, "names": ["Ana", "Luis"]})
    assert rendered.language == "fr" and rendered.text.startswith("Bonjour Ana et Luis,")
    forced = MailTemplates(override="pt", profile_language="fr")
    assert forced.language_for("es") == "pt"
    assert forced.render("es", {**context, "names": three}).language == "pt"
    assert "Ana, Luis e Marta" in forced.render("es", {**context, "names": three}).text
    assert MailTemplates().missing("fr") is None and MailTemplates().missing("de") is None
    from snapshotpdf.mail.addresses import DeliveryError

    with pytest.raises(DeliveryError, match="--lang de: the layout 'snapshot' has no catalog"):
        MailTemplates(override="de")


def test_a_mail_template_that_loops_for_hours_stops_within_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    folder = user_layout(
        tmp_path / "loops", 'extends = "snapshot"\n', {"mail/subject.en.txt": loops}
    )
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 0.2)
    context = {"city": "Lima", "country": "Peru", "names": ["Ana"], "file": "peru-lima.pdf"}
    with pytest.raises(TooLong, match=r"the 'en' mail message took longer than 0.2 s"):
        MailTemplates(str(folder)).render("en", {**context, "pages": 2, "size": "10 KB"})
