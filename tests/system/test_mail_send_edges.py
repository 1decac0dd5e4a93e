"""`snapshotpdf mail --send` at its edges, against a real SMTP server on loopback: a ledger
that is no longer the one that recorded the sends never lets a city be sent twice."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import test_mail
from support.mailserver import Handler, smtp_server
from test_mail import SENDABLE, deliveries, mail

# The build and its fresh copy per test, as the main mail tests make them.
built = test_mail.built
work = test_mail.work


def _emptied(ledger: Path) -> None:
    ledger.write_bytes(b"")


def _replaced(ledger: Path) -> None:
    ledger.unlink()
    with sqlite3.connect(ledger) as db:
        db.execute("CREATE TABLE notes (text TEXT)")


def _linked(ledger: Path) -> None:
    elsewhere = ledger.parent.parent.parent / "elsewhere.sqlite"
    ledger.rename(elsewhere)
    ledger.symlink_to(elsewhere)


def _folder_linked(ledger: Path) -> None:
    mail_dir = ledger.parent
    elsewhere = mail_dir.parent.parent / "elsewhere"
    shutil.move(mail_dir, elsewhere)
    os.symlink(elsewhere, mail_dir)


@pytest.mark.parametrize("damage", [_emptied, _replaced, _linked, _folder_linked])
def test_a_ledger_that_is_not_the_one_that_recorded_the_sends_stops_the_run(
    work: Path, damage: object
) -> None:
    handler = Handler()
    with smtp_server(handler) as port:
        first = mail(work, port)
        assert deliveries(handler.received) == dict.fromkeys(SENDABLE, 1), first.output
        assert callable(damage)
        damage(work / "out" / "mail" / "ledger.sqlite")
        for again in (mail(work, None), mail(work, port)):  # the dry run, and --send
            assert again.exit_code == 2, again.output
            assert "error:" in again.output and "Traceback" not in again.output
    assert len(handler.received) == 3  # nothing sent twice


def test_each_doubled_wait_before_a_retry_stops_at_its_limit(work: Path) -> None:
    from dataclasses import replace

    from snapshotpdf.limits import MAX_SMTP_BACKOFF
    from snapshotpdf.mail.deliver import run

    handler = Handler(mail_script=["451 4.3.0 later"] * 3)
    waits: list[float] = []
    with smtp_server(handler) as port:
        settings = test_mail.send_settings(work, port)
        assert settings.smtp is not None
        smtp = replace(settings.smtp, backoff=MAX_SMTP_BACKOFF * 0.75, retries=3)
        result = run(replace(settings, smtp=smtp, cities=("Alpha",)), sleep=waits.append)
    assert waits == [MAX_SMTP_BACKOFF * 0.75, MAX_SMTP_BACKOFF, MAX_SMTP_BACKOFF]
    assert [row.status for row in result.rows] == ["sent"]


def test_a_rejected_message_names_its_city_once(work: Path) -> None:
    contacts = work / "encoded.csv"
    contacts.write_text(  # an encoded word read back as another name: refused by compose
        "city,country,email,name,language\nAlpha,Ruritania,mayor@alpha.example,=?utf-8?q?Ana?=,\n",
        encoding="utf-8",
    )
    result = mail(work, None, "--contacts", str(contacts), "--city", "Alpha")
    assert result.exit_code == 1, result.output
    assert "Alpha, Ruritania: read back, the name" in result.output
    assert "Alpha, Ruritania: Alpha, Ruritania" not in result.output
