"""OUTDIR/mail/ledger.sqlite: every send attempt, on disk before the message goes out.

One row per attempt: city, recipients, Message-ID, the attachment's sha256 and a state:

- ``pending``: committed just before the message itself is transmitted; a row still pending
  when a run starts belongs to a run that died between sending and the server's answer, so
  it becomes ``unknown``: the server may have the message, and only ``--resend`` sends again;
- ``sent``: the server accepted the message (for at least one recipient; any it refused are
  in ``refused``);
- ``failed``: the server did not take it (nothing went out); a later run tries again;
- ``unknown``: the answer never came.

A row that cannot be read back (a column edited by hand, a damaged file) is never a crash:
it reads as a Send whose state is ``damaged``, with what is wrong in ``detail``, and the plan
treats its city as one whose outcome is unknown.

Every change is committed (SQLite, synchronous=FULL) before the run goes on.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snapshotpdf.mail.addresses import DeliveryError

LEDGER = "ledger.sqlite"
STATES = ("pending", "sent", "failed", "unknown")
DAMAGED = "damaged"  # a row that cannot be read back: never written, only read
SCHEMA = 1
_CREATE = """
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'unknown')),
    refused TEXT NOT NULL DEFAULT '{}',
    detail TEXT NOT NULL DEFAULT '',
    started TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_file ON sends (file, id);
"""


@dataclass(frozen=True)
class Send:
    id: int
    file: str
    city: str
    country: str
    recipients: tuple[str, ...]
    message_id: str
    sha256: str
    state: str
    refused: dict[str, str] = field(default_factory=dict)  # address -> the server's answer
    detail: str = ""
    started: str = ""
    updated: str = ""


class Ledger:
    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        try:
            if readonly:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=10)
                self.db.execute("PRAGMA synchronous = FULL")
                with self.db:
                    self.db.executescript(_CREATE)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA}")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute("SELECT id FROM sends LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise _damaged(path, exc) from None
        if version != SCHEMA:
            raise DeliveryError(
                f"{path} was written by another version of snapshotpdf (schema {version})",
                hint="use that version to finish its mailing, or move the ledger aside",
            )

    @classmethod
    def open_readonly(cls, path: Path) -> Ledger | None:
        """The ledger as it is, for a dry run; None when nothing was ever sent."""
        return cls(path, readonly=True) if path.is_file() else None

    def close(self) -> None:
        self.db.close()

    def latest(self) -> dict[str, Send]:
        """Each file's most recent attempt."""
        rows = self.db.execute(
            "SELECT * FROM sends WHERE id IN (SELECT MAX(id) FROM sends GROUP BY file)"
        ).fetchall()
        return {send.file: send for send in map(_read_row, rows)}

    def message_id_for(self, file: str, sha256: str) -> str | None:
        """The Message-ID of this very attachment's last attempt, if the server may have it
        or never took it (unknown, failed): sent again, it is the same message, which mail
        programs can recognise. After a confirmed send, a deliberate resend is a new one."""
        row = self.db.execute(
            "SELECT message_id, state FROM sends WHERE file = ? AND sha256 = ?"
            " ORDER BY id DESC LIMIT 1",
            (file, sha256),
        ).fetchone()
        return str(row[0]) if row and row[1] != "sent" else None

    def begin(
        self,
        file: str,
        city: str,
        country: str,
        recipients: tuple[str, ...],
        message_id: str,
        sha256: str,
    ) -> int:
        """A pending attempt, committed: call it before the message is transmitted."""
        return self.record(file, city, country, recipients, message_id, sha256, "pending")

    def finish(
        self, send_id: int, state: str, detail: str = "", refused: dict[str, str] | None = None
    ) -> None:
        assert state in STATES
        try:
            with self.db:
                self.db.execute(
                    "UPDATE sends SET state = ?, detail = ?, refused = ?, updated = ? WHERE id = ?",
                    (state, detail, json.dumps(refused or {}), _now(), send_id),
                )
        except sqlite3.Error as exc:
            raise _unwritable(self.path, exc) from None

    def interrupted(self) -> list[Send]:
        """Mark every pending attempt unknown (a run died while sending) and return them.
        Only for a run that holds the mail lock: no other run can be sending."""
        pending = [
            _read_row(row) for row in self.db.execute("SELECT * FROM sends WHERE state = 'pending'")
        ]
        if pending:
            with self.db:  # a failure here stops the run before anything is sent
                self.db.execute(
                    "UPDATE sends SET state = 'unknown', updated = ?, detail = ?"
                    " WHERE state = 'pending'",
                    (
                        _now(),
                        "interrupted after the message was transmitted and before the server"
                        " answered: it may have arrived",
                    ),
                )
        return pending

    def record(
        self,
        file: str,
        city: str,
        country: str,
        recipients: tuple[str, ...],
        message_id: str,
        sha256: str,
        state: str,
        detail: str = "",
        refused: dict[str, str] | None = None,
    ) -> int:
        """One attempt, committed: pending (see begin), or one that ended before the message
        was transmitted (nothing went out)."""
        assert state in STATES
        now = _now()
        try:
            with self.db:
                cursor = self.db.execute(
                    "INSERT INTO sends (file, city, country, recipients, message_id, sha256, state,"
                    " refused, detail, started, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        file,
                        city,
                        country,
                        json.dumps(list(recipients)),
                        message_id,
                        sha256,
                        state,
                        json.dumps(refused or {}),
                        detail,
                        now,
                        now,
                    ),
                )
        except sqlite3.Error as exc:
            raise _unwritable(self.path, exc) from None
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _read_row(row: tuple[object, ...]) -> Send:
    """A row as a Send; one that cannot be read back as a Send in the state DAMAGED, what is
    wrong with it in detail."""
    try:
        return _send(row)
    except ValueError as exc:
        id_, file, city, country = (row + (None,) * 4)[:4]
        updated = row[-1] if len(row) == 12 and isinstance(row[-1], str) else "an unknown date"
        return Send(
            id_ if isinstance(id_, int) else 0,
            str(file),
            str(city),
            str(country),
            (),
            "",
            "",
            DAMAGED,
            detail=str(exc),
            updated=updated,
        )


def _send(row: tuple[object, ...]) -> Send:
    """A row as a Send; ValueError saying which column is not what mail writes."""
    if len(row) != 12:
        raise ValueError(f"it has {len(row)} columns, not 12")
    (id_, file, city, country, recipients, msgid, sha, state, refused, detail, start, upd) = row
    texts = {"file": file, "city": city, "country": country, "message_id": msgid, "sha256": sha}
    texts |= {"state": state, "detail": detail, "started": start, "updated": upd}
    for column, value in texts.items():
        if not isinstance(value, str):
            raise ValueError(f"its {column} is {value!r}, not text")
    if not isinstance(id_, int):
        raise ValueError(f"its id is {id_!r}, not a number")
    if state not in STATES:
        raise ValueError(f"its state is {state!r}, not one of {', '.join(STATES)}")
    addresses = _json(recipients, "recipients", list)
    answers = _json(refused, "refused", dict)
    if not all(isinstance(a, str) for a in addresses):
        raise ValueError(f"its recipients, {_cut(recipients)}, are not a list of addresses")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
        raise ValueError(f"its refused, {_cut(refused)}, is not addresses and answers")
    return Send(
        id_,
        str(file),
        str(city),
        str(country),
        tuple(addresses),
        str(msgid),
        str(sha),
        str(state),
        answers,
        str(detail),
        str(start),
        str(upd),
    )


def _json(value: object, column: str, kind: type[list[object]] | type[dict[str, object]]) -> Any:
    """A column mail writes as JSON (a list or an object), read back; ValueError if not."""
    what = "a list" if kind is list else "an object"
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, kind):
        raise ValueError(f"its {column}, {_cut(value)}, is not {what} in JSON")
    return parsed


def _cut(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}..."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _unwritable(path: Path, exc: sqlite3.Error) -> DeliveryError:
    return DeliveryError(
        f"cannot write to {path} ({exc}); the batch stops, as nothing may be sent without"
        " a record of it",
        hint="free disk space or fix the folder's permissions, then run mail --send again",
    )


def _damaged(path: Path, exc: sqlite3.Error) -> DeliveryError:
    return DeliveryError(
        f"{path} cannot be read ({exc})",
        hint="it records what was already sent: restore it from a backup; deleting it would"
        " let every city be sent again",
    )
