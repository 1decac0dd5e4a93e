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


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")


def _other_columns(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sends (file TEXT)")


def _a_folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_empty, "it is empty"),
        (_foreign, "it holds no table of sends"),
        (_other_columns, "its table of sends has other columns"),
        (_a_folder, "it is not a file"),
    ],
)
def test_an_existing_ledger_that_is_not_one_stops_the_run_and_is_left_alone(
    tmp_path: Path, damage: object, words: str
) -> None:
    from snapshotpdf.mail.addresses import DeliveryError

    path = tmp_path / "ledger.sqlite"
    assert callable(damage)
    damage(path)
    before = path.read_bytes() if path.is_file() else None
    for open_ledger in (Ledger, Ledger.open_readonly):  # --send, and the dry run
        with pytest.raises(DeliveryError, match=words) as caught:
            open_ledger(path)
        assert "restore it from a backup" in (caught.value.hint or "")
    assert (path.read_bytes() if path.is_file() else None) == before  # never made anew
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite"]


def test_only_a_missing_ledger_is_a_new_one_and_a_symlinked_one_is_refused(
    tmp_path: Path,
) -> None:
    from snapshotpdf.mail.addresses import DeliveryError

    path = tmp_path / "mail" / "ledger.sqlite"
    assert Ledger.open_readonly(path) is None  # never sent: the dry run has no ledger
    Ledger(path).close()  # made whole, then moved into place
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.sqlite"]
    _ledger_with_one_send(path)
    elsewhere = tmp_path / "elsewhere.sqlite"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    for open_ledger in (Ledger, Ledger.open_readonly):
        with pytest.raises(DeliveryError, match="is a symbolic link"):
            open_ledger(path)


@pytest.mark.parametrize(
    "args",
    [
        ["--timeout", "inf"],
        ["--timeout", "1e10"],
        ["--timeout", "nan"],
        ["--backoff", "1e308"],
        ["--backoff", "inf"],
        ["--backoff", "1e9"],
        ["--backoff", "nan"],
        ["--retries", "1000000"],
        ["--rate", "inf"],
    ],
)
def test_smtp_waits_beyond_their_limits_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    from typer.testing import CliRunner

    from snapshotpdf.cli.app import app

    command = ["mail", "-o", str(tmp_path), "--send", "--smtp-host", "127.0.0.1", *args]
    result = CliRunner().invoke(app, command, env={"SNAPSHOTPDF_FROM": "t@example.org"})
    assert result.exit_code == 2, result.output
    assert args[0] in result.output and "Invalid value" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_manifest_name_the_file_system_cannot_take_refuses_that_city(tmp_path: Path) -> None:
    from snapshotpdf.mail.deliver import _clear_eml, _screen_files, attachment_path

    name = "a" * 300 + ".pdf"  # longer than a file name may be (ENAMETOOLONG)
    with pytest.raises(ValueError, match=r"refused: it cannot be looked at \(File name too long"):
        attachment_path(tmp_path, name)
    entry = Entry(file=name, city="Lima", country="Peru", status="built", sha256="aa")
    screened, refused = _screen_files(tmp_path, [entry])
    assert screened[0].status == "refused" and "File name too long" in refused[name]
    assert "... (304 characters)" in refused[name]  # the name is cut short when shown
    (tmp_path / "mail").mkdir()
    _clear_eml(tmp_path / "mail", [entry])  # nothing to remove, and no OSError


def test_a_locked_ledger_says_another_program_has_it_not_that_it_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snapshotpdf.mail import ledger as ledger_module
    from snapshotpdf.mail.addresses import DeliveryError

    monkeypatch.setattr(ledger_module, "LOCK_WAIT", 0.1)
    path = tmp_path / "ledger.sqlite"
    _ledger_with_one_send(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for readonly in (False, True):
            with pytest.raises(DeliveryError, match="is locked by another program") as caught:
                Ledger(path, readonly=readonly)
            assert "is damaged" not in str(caught.value)
            assert "close that program" in (caught.value.hint or "")
            assert "backup" not in (caught.value.hint or "")
    finally:
        holder.close()


def test_a_ledger_that_cannot_be_written_says_so_and_what_to_make_writable(
    tmp_path: Path,
) -> None:
    from snapshotpdf.mail.addresses import DeliveryError

    path = tmp_path / "ledger.sqlite"
    _ledger_with_one_send(path)
    ledger = Ledger(path, readonly=True)  # as a read-only folder opens it
    with pytest.raises(DeliveryError, match="cannot be written .* is read-only") as caught:
        ledger.begin("b.pdf", "B", "R", ("b@b.example",), "<2@x.example>", "bb")
    ledger.close()
    assert "writable" in (caught.value.hint or "") and "backup" not in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("sender", "words"),
    [
        ("N" * 250 + " <t@example.org>", "--from: the name 'NNNN"),
        ("x@evil.example, t@example.org", "holds 2 addresses"),
        ("a@example.org; t@example.org", "holds 2 addresses"),
        ("Team: x@evil.example, t@example.org;", "holds 2 addresses"),
    ],
)
def test_from_with_a_long_name_or_several_addresses_is_one_usage_error(
    tmp_path: Path, sender: str, words: str
) -> None:
    from snapshotpdf.mail.addresses import DeliveryError
    from snapshotpdf.mail.deliver import parse_sender

    with pytest.raises(DeliveryError, match=words) as caught:
        parse_sender(sender, required=True)
    assert caught.value.message.count("--from") == 1  # named once, not per city
    assert parse_sender('"Doe, J" <t@example.org>', required=True) is not None  # one address


def test_names_are_printed_with_every_control_character_escaped() -> None:
    from snapshotpdf.mail.plan import MailResult

    result = MailResult(dry_run=True, mail_dir=Path("mail"))
    result.rows.append(
        CityRow(
            "Li\r\nma",
            "Pe\u2028ru",
            "peru-lima.pdf",
            ("a@lima.example",),
            status="rejected",
            note="the city contains a line break \x1b[31m",
        )
    )
    table = result.table()
    assert table.count("\n") == 3  # the header, the row, its note: no line broken inside
    assert "Li\\x0d\\x0ama, Pe\\u2028ru" in table
    assert "\\x1b[31m" in table and "\x1b" not in table and "\r" not in table


def test_a_city_with_more_recipients_than_the_limit_is_rejected() -> None:
    from snapshotpdf.limits import MAX_RECIPIENTS
    from snapshotpdf.mail.contacts import make_contact

    cell = "; ".join(f"a{i}@lima.example" for i in range(MAX_RECIPIENTS + 1))
    contact = make_contact("Lima", "Peru", cell, "", None, "c.csv, row 2")
    assert contact.recipients == ()
    assert contact.rejected is not None and "c.csv, row 2" in contact.rejected
    assert f"holds {MAX_RECIPIENTS + 1} addresses" in contact.rejected
    assert f"at most {MAX_RECIPIENTS}" in contact.rejected
    cell = "; ".join(f"a{i}@lima.example" for i in range(MAX_RECIPIENTS))
    assert len(make_contact("Lima", "Peru", cell, "", None, "").recipients) == MAX_RECIPIENTS


def test_a_pdf_larger_than_an_attachment_may_be_is_rejected_unread(tmp_path: Path) -> None:
    from snapshotpdf.limits import MAX_ATTACHMENT_BYTES
    from snapshotpdf.mail.contacts import ContactBook, city_key, make_contact
    from snapshotpdf.mail.deliver import read_attachment
    from snapshotpdf.mail.plan import MailResult, plan_cities

    with (tmp_path / "peru-lima.pdf").open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: nothing is written
    entry = Entry(file="peru-lima.pdf", city="Lima", country="Peru", status="built", sha256="x")
    contact = make_contact("Lima", "Peru", "a@lima.example", "", None, "r 2")
    book = ContactBook({city_key("Lima", "Peru"): contact})
    result = MailResult(dry_run=True, mail_dir=tmp_path / "mail")
    (plan,) = plan_cities(tmp_path, [entry], [book], False, result)  # no sha256 mismatch
    assert plan.row.status == "rejected" and "a message may carry at most 20 MB" in plan.row.note
    with pytest.raises(ValueError, match="at most 20 MB"):
        read_attachment(tmp_path, "peru-lima.pdf")


def test_the_greeting_names_those_the_message_goes_to() -> None:
    """Addresses a;A;a with names X;Y;Z went to X alone but greeted 'Dear X, Y, and Z'."""
    from snapshotpdf.mail.contacts import make_contact

    same = make_contact("Lima", "Peru", "a@x.example;A@X.EXAMPLE;a@x.example", "X;Y;Z", None, "")
    assert [(r.address, r.name) for r in same.recipients] == [("a@x.example", "X")]
    assert same.names == ("X",) and same.problems == ()
    dropped = make_contact("Lima", "Peru", "a@x.example;not an address", "Ana;Bo", None, "r 2")
    assert dropped.names == ("Ana",) and len(dropped.problems) == 1
    one_name = make_contact("Lima", "Peru", "a@x.example;b@x.example", "Ana", None, "r 2")
    assert one_name.names == ("Ana",) and one_name.problems == ()  # greets her, both read
    unpaired = make_contact("Lima", "Peru", "a@x.example;b@x.example", "Ana;Bo;Cy", None, "r 2")
    assert unpaired.names == ("Ana", "Bo", "Cy")
    assert [r.name for r in unpaired.recipients] == [None, None]
    [said] = unpaired.problems
    assert said.startswith("r 2: 3 names for 2 address(es)") and "one name per address" in said
