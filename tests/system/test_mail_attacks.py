"""`snapshotpdf mail` against hostile input (issue 14), with a real SMTP server on loopback:
headers smuggled in RFC 2047 encoded words, names too long for a header, a password that
is not ASCII, a manifest naming a file outside the output folder, and .eml files that are
not the tool's own."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import test_mail
from support.mailserver import USER, Handler, smtp_server
from test_mail import deliveries, latest_states, mail

# The build and its fresh copy per test, as the main mail tests make them.
built = test_mail.built
work = test_mail.work

INJECTIONS = {
    "q": "=?utf-8?q?Mayor=0D=0ABcc:_attacker@evil.example?=",
    "b": "=?utf-8?b?TWF5b3INClJlcGx5LVRvOiBhdHRhY2tlckBldmlsLmV4YW1wbGU=?=",  # Reply-To:
    "blank line": "=?utf-8?q?Mayor=0D=0A=0D=0Aattacker@evil.example_wrote_this?=",
    "in quotes": '"=?utf-8?Q?Mayor=0ABcc:_attacker@evil.example?="',
}


def contacts(work: Path, *rows: str) -> tuple[str, str]:
    path = work / "attack-contacts.csv"
    path.write_text(
        "city,country,email,name,language\n" + "".join(f"{row}\n" for row in rows),
        encoding="utf-8",
        newline="",
    )
    return ("--contacts", str(path))


def report(work: Path) -> dict[str, dict[str, object]]:
    document = json.loads((work / "out" / "mail" / "report.json").read_text(encoding="utf-8"))
    return {row["file"]: row for row in document["cities"]}


@pytest.mark.parametrize("name", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_a_header_hidden_in_an_encoded_word_rejects_that_city_and_is_never_sent(
    work: Path, name: str
) -> None:
    quoted = name.replace('"', '""')
    option = contacts(
        work,
        "Alpha,Ruritania,mayor@alpha.example,Ana,",
        f'Delta,Ruritania,mayor@delta.example,"{quoted}",',
    )
    handler = Handler()
    with smtp_server(handler) as port:
        result = mail(work, port, *option)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # The other cities go out; Delta does not, and the attacker gets nothing from anyone.
    assert deliveries(handler.received) == Counter(["ruritania-alpha.pdf", "ruritania-beta.pdf"])
    for message in handler.received:
        assert "attacker@evil.example" not in message.rcpt_tos
        assert b"attacker" not in message.data
        head = message.data.split(b"\r\n\r\n", 1)[0].lower()
        assert b"\nbcc:" not in head and b"\nreply-to:" not in head
        assert set(message.message.keys()) >= {"From", "To", "Subject"}
    delta = report(work)["ruritania-delta.pdf"]
    assert delta["status"] == "rejected"
    assert "attack-contacts.csv, row 3: the name" in str(delta["note"])
    assert "encoded word" in str(delta["note"])
    assert "Delta, Ruritania" in result.output and "rejected" in result.output
    assert "ruritania-delta.pdf" not in latest_states(work)  # never in the ledger as sent


def test_a_name_too_long_for_a_header_is_refused_and_a_fixed_one_is_sent_next_run(
    work: Path,
) -> None:
    long_name = "X" * 2000
    folded = " ".join(["Maria"] * 30)  # 179 characters: long, but folds as any header does
    handler = Handler()
    with smtp_server(handler) as port:
        first = mail(
            work,
            port,
            *contacts(
                work,
                f"Alpha,Ruritania,mayor@alpha.example,{long_name},",
                f"Delta,Ruritania,mayor@delta.example,{folded},",
            ),
        )
        assert first.exit_code == 1, first.output
        assert deliveries(handler.received) == Counter(
            ["ruritania-beta.pdf", "ruritania-delta.pdf"]
        )
        alpha = report(work)["ruritania-alpha.pdf"]
        assert alpha["status"] == "rejected"
        assert "is 2000 characters long" in str(alpha["note"]) and "row 2" in str(alpha["note"])
        assert long_name not in first.output  # named, not pasted whole
        delta = next(m for m in handler.received if m.rcpt_tos == ["mayor@delta.example"])
        assert delta.message["To"].addresses[0].display_name == folded
        assert all(len(line) <= 998 for line in delta.data.split(b"\r\n"))

        second = mail(work, port, *contacts(work, "Alpha,Ruritania,mayor@alpha.example,Ana,"))
    assert second.exit_code == 1, second.output  # Gamma still has no address
    assert deliveries(handler.received)["ruritania-alpha.pdf"] == 1
    assert latest_states(work)["ruritania-alpha.pdf"] == "sent"


def test_a_password_that_is_not_ascii_is_one_error_line_that_never_shows_it(
    work: Path,
) -> None:
    password = "Zq9Ωx-ßJ7vŸ-k2ü"
    handler = Handler(password="the-right-one")
    with smtp_server(handler) as port:
        result = mail(work, port, "--smtp-user", USER, env={"SNAPSHOTPDF_SMTP_PASSWORD": password})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "not ASCII" in errors[0] and "password" in errors[0]
    written = result.output + "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (work / "out" / "mail").iterdir()
        if p.is_file() and p.suffix in (".json", ".eml")
    )
    for i in range(len(password) - 2):
        assert password[i : i + 3] not in written, password[i : i + 3]
    assert handler.received == [] and handler.refused_logins == 0  # never sent at all


def _point_alpha_at(work: Path, name: str, data: bytes) -> None:
    """Edit manifest.json as an attacker would: Alpha's PDF is now `name`, with the sha256
    of `data` so that the hash check alone would let it through."""
    path = work / "out" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for entry in document["cities"]:
        if entry["file"] == "ruritania-alpha.pdf":
            entry["file"] = name
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink", "not a pdf"])
def test_a_file_outside_the_output_folder_is_never_attached(work: Path, how: str) -> None:
    secret = b"%PDF-1.7 the contents of someone else's secret.pdf"
    outside = work / "secret.pdf"
    outside.write_bytes(secret)
    if how == "parent":
        _point_alpha_at(work, "../secret.pdf", secret)
    elif how == "absolute":
        _point_alpha_at(work, str(outside), secret)
    elif how == "symlink":
        link = work / "out" / "ruritania-alpha.pdf"
        link.unlink()
        link.symlink_to(outside)
        _point_alpha_at(work, "ruritania-alpha.pdf", secret)
    else:
        (work / "out" / "notes.txt").write_bytes(secret)
        _point_alpha_at(work, "notes.txt", secret)
    handler = Handler()
    with smtp_server(handler) as port:
        dry = mail(work, None)
        sent = mail(work, port)
    for result in (dry, sent):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "refused" in result.output
    assert b"secret" not in b"".join(m.data for m in handler.received)
    assert deliveries(handler.received) == Counter(["ruritania-beta.pdf", "ruritania-delta.pdf"])
    emls = list((work / "out" / "mail").glob("*.eml"))
    assert len(emls) == 2 and all(b"secret" not in p.read_bytes() for p in emls)
    (alpha,) = [row for row in report(work).values() if row["city"] == "Alpha"]
    assert alpha["status"] == "rejected" and "manifest.json names" in str(alpha["note"])
    assert outside.read_bytes() == secret


def test_a_dry_run_removes_only_its_own_eml_files_and_follows_no_link(work: Path) -> None:
    folder = work / "out" / "mail"
    folder.mkdir()
    (folder / "notes.eml").write_text("the user's own message", encoding="utf-8")
    (folder / "ruritania-gamma.eml").write_text("stale: Gamma has no address", encoding="utf-8")
    victim = work / "victim.eml"
    victim.write_text("outside the folder", encoding="utf-8")
    (folder / "elsewhere.eml").symlink_to(victim)
    (folder / "ruritania-alpha.eml").symlink_to(victim)
    result = mail(work, None)
    assert result.exit_code == 1, result.output
    assert (folder / "notes.eml").read_text(encoding="utf-8") == "the user's own message"
    assert not (folder / "ruritania-gamma.eml").exists()  # ours, and stale: removed
    assert (folder / "elsewhere.eml").is_symlink()  # not ours: left alone
    assert victim.read_text(encoding="utf-8") == "outside the folder"  # never written through
    alpha = folder / "ruritania-alpha.eml"
    assert not alpha.is_symlink() and b"mayor@alpha.example" in alpha.read_bytes()


def test_a_mail_folder_that_is_a_symlink_is_refused(work: Path) -> None:
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.eml").write_text("keep me", encoding="utf-8")
    os.symlink(elsewhere, work / "out" / "mail")
    result = mail(work, None)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "symbolic link" in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in elsewhere.iterdir()] == ["keep.eml"]
