"""`mail` at its edges, without a server: a damaged or missing ledger, out-of-range options,
hostile manifests and contacts, what is printed about a city."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from snapshotpdf.batch.manifest import Entry
from snapshotpdf.mail.ledger import DAMAGED, Ledger
from snapshotpdf.mail.plan import CityRow, Plan, decide


def _ledger_with_one_send(path: Path) -> None:
    ledger = Ledger(path)
    sent = ledger.begin("peru-lima.pdf", "Lima", "Peru", ("a@lima.example",), "<1@x.example>", "aa")
    ledger.finish(sent, "sent", "250 OK")
    ledger.close()


def _plan(file: str = "peru-lima.pdf", sha: str = "aa") -> Plan:
    entry = Entry(file=file, city="Lima", country="Peru", status="built", sha256=sha)
    return Plan(
        entry, CityRow("Lima", "Peru", file, ("a@lima.example",), status="to send"), None, sha
    )


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("refused", "{not json", "its refused, '{not json', is not an object in JSON"),
        ("refused", "[1]", "its refused, '[1]', is not an object in JSON"),
        ("refused", '{"a@x.example": 5}', "is not addresses and answers"),
        ("recipients", "7", "its recipients, '7', is not a list in JSON"),
        ("recipients", "null", "its recipients, 'null', is not a list in JSON"),
        ("city", b"Lima", "its city is b'Lima', not text"),  # a blob
    ],
)
def test_a_damaged_ledger_row_makes_its_city_unknown_never_a_crash(
    tmp_path: Path, column: str, value: object, words: str
) -> None:
    path = tmp_path / "ledger.sqlite"
    _ledger_with_one_send(path)
    with sqlite3.connect(path) as db:  # as a hand edit would
        db.execute(f"UPDATE sends SET {column} = ?", (value,))
    for readonly in (True, False):  # the dry run and --send
        ledger = Ledger(path, readonly=readonly)
        latest = ledger.latest()
        ledger.close()
        (send,) = latest.values()
        assert send.state == DAMAGED and words in send.detail
        plan = _plan()
        decide([plan], latest, set())
        assert plan.row.status == "unknown"
        assert "row 1) is damaged" in plan.row.note and words in plan.row.note
        assert '--resend "Lima"' in plan.row.note and "backup" in plan.row.note
        resent = _plan()
        decide([resent], latest, {"peru-lima.pdf"})
        assert resent.row.status == "to send"
