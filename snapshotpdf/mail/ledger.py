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
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snapshotpdf.mail.addresses import DeliveryError

LEDGER = "ledger.sqlite"
STATES = ("pending", "sent", "failed", "unknown")
LOCK_WAIT = 10.0  # seconds to wait for another program that has the ledger open
DAMAGED = "damaged"  # a row that cannot be read back: never written, only read
SCHEMA = 1
_CREATE = """
CREATE TABLE sends (
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
CREATE INDEX sends_file ON sends (file, id);
"""
COLUMNS = (
    "id",
    "file",
    "city",
    "country",
    "recipients",
    "message_id",
    "sha256",
    "state",
    "refused",
    "detail",
    "started",
    "updated",
)


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
    """The ledger of one output folder. Only a ledger file that does not exist is a new one:
    a file that exists must be the ledger mail wrote, else the run stops (an empty or foreign
    file read as "nothing was sent yet" would send every city again). A new ledger is made
    whole under another name, then moved into place, so a run killed while making it leaves
    no empty file behind."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        exists = _existing(path)
        try:
            if not exists and not readonly:
                _create(path)
            if readonly:
                uri = f"{path.absolute().as_uri()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT)
            else:
                self.db = sqlite3.connect(path, timeout=LOCK_WAIT)
                self.db.execute("PRAGMA synchronous = FULL")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            columns = tuple(row[1] for row in self.db.execute("PRAGMA table_info(sends)"))
        except sqlite3.Error as exc:
            raise _problem(path, exc, writing=not readonly) from None
        except OSError as exc:  # making a new one
            raise DeliveryError(
                f"cannot make the ledger {path} ({exc.strerror or exc}); nothing was sent",
                hint="fix the output folder's permissions or free disk space, then run again",
            ) from None
        if not columns:
            raise _not_a_ledger(path, "it holds no table of sends (another file, or damaged)")
        if version not in (0, SCHEMA):
            raise DeliveryError(
                f"{path} was written by another version of snapshotpdf (schema {version})",
                hint="use that version to finish its mailing, or move the ledger aside",
            )
        if columns != COLUMNS:
            raise _not_a_ledger(path, "its table of sends has other columns")
        with self._using(writing=False):
            self.db.execute("SELECT id FROM sends LIMIT 1").fetchall()
        if not readonly:  # a ledger that cannot be written stops the run before it sends
            with self._using(writing=True), self.db:
                self.db.execute(f"PRAGMA user_version = {SCHEMA}")

    @contextmanager
    def _using(self, writing: bool) -> Iterator[None]:
        """An SQLite error in the block as the ledger problem it is (_problem)."""
        try:
            yield
        except sqlite3.Error as exc:
            raise _problem(self.path, exc, writing) from None

    @classmethod
    def open_readonly(cls, path: Path) -> Ledger | None:
        """The ledger as it is, for a dry run; None when there is none yet (never sent)."""
        return cls(path, readonly=True) if _existing(path) else None

    def close(self) -> None:
        self.db.close()

    def latest(self) -> dict[str, Send]:
        """Each file's most recent attempt."""
        with self._using(writing=False):
            rows = self.db.execute(
                "SELECT * FROM sends WHERE id IN (SELECT MAX(id) FROM sends GROUP BY file)"
            ).fetchall()
        return {send.file: send for send in map(_read_row, rows)}

    def message_id_for(self, file: str, sha256: str) -> str | None:
        """The Message-ID of this very attachment's last attempt, if the server may have it
        or never took it (unknown, failed): sent again, it is the same message, which mail
        programs can recognise. After a confirmed send, a deliberate resend is a new one."""
        with self._using(writing=False):
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
        with self._using(writing=True), self.db:
            self.db.execute(
                "UPDATE sends SET state = ?, detail = ?, refused = ?, updated = ? WHERE id = ?",
                (state, detail, json.dumps(refused or {}), _now(), send_id),
            )

    def interrupted(self) -> list[Send]:
        """Mark every pending attempt unknown (a run died while sending) and return them.
        Only for a run that holds the mail lock: no other run can be sending."""
        with self._using(writing=False):
            rows = self.db.execute("SELECT * FROM sends WHERE state = 'pending'").fetchall()
        pending = [_read_row(row) for row in rows]
        if pending:  # a failure here stops the run before anything is sent
            with self._using(writing=True), self.db:
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
        with self._using(writing=True), self.db:
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


def _existing(path: Path) -> bool:
    """Whether the ledger exists (False: a new one is made). It must be a regular file, not
    a symbolic link (which could point at another folder's ledger, or at nothing yet)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DeliveryError(
            f"{path} cannot be examined ({exc.strerror or exc})",
            hint="fix the output folder's permissions, then run mail again",
        ) from None
    if stat.S_ISLNK(mode):
        raise DeliveryError(
            f"{path} is a symbolic link: mail keeps its ledger only as a real file in"
            f" {path.parent}",
            hint="put the ledger itself in its place (move the file the link points to), or"
            " use another --outdir",
        )
    if not stat.S_ISREG(mode):
        raise _not_a_ledger(path, "it is not a file")
    if path.stat().st_size == 0:
        raise _not_a_ledger(path, "it is empty")
    return True


def _create(path: Path) -> None:
    """A new, empty ledger at path, made whole before it appears there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = path.with_name(f"{path.name}.new")
    new.unlink(missing_ok=True)  # left by a run killed while making it (never a ledger)
    db = sqlite3.connect(new)
    try:
        db.execute("PRAGMA synchronous = FULL")
        with db:
            db.executescript(_CREATE)
            db.execute(f"PRAGMA user_version = {SCHEMA}")
    finally:
        db.close()
    os.replace(new, path)


def _not_a_ledger(path: Path, why: str) -> DeliveryError:
    return DeliveryError(
        f"{path} is not a ledger mail can read: {why}; the run stops, as a ledger that"
        " lost its records would let cities be sent again",
        hint="restore it from a backup; only if nothing was ever sent from this folder (or"
        " every city is meant to be sent again) delete it, and mail starts a new one",
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _problem(path: Path, exc: sqlite3.Error, writing: bool) -> DeliveryError:
    """What went wrong with the ledger, by SQLite's error code: another program holds it, it
    or its folder is read-only, the disk is full, or (only then) the file is damaged."""
    code = "_".join((getattr(exc, "sqlite_errorname", None) or "").split("_")[:2])
    stops = "; the run stops, as nothing may be sent without a record of it" if writing else ""
    if code in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return DeliveryError(
            f"{path} is locked by another program that has it open (another snapshotpdf mail"
            f" run reading it, a database browser, a backup program){stops}",
            hint="close that program or wait for it to finish, then run mail again; the"
            " ledger itself is not damaged",
        )
    if code in ("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH"):
        what = "written" if writing else "opened"
        return DeliveryError(
            f"{path} cannot be {what} ({exc}): the file or its folder {path.parent} is"
            f" read-only, or its permissions do not allow it{stops}",
            hint=f"make {path.parent} and the ledger in it writable (mail records each send"
            " there before the message goes out), then run mail again",
        )
    if code in ("SQLITE_FULL", "SQLITE_IOERR"):
        return DeliveryError(
            f"cannot {'write to' if writing else 'read'} {path} ({exc}): the disk is full or"
            f" failing{stops}",
            hint="free disk space (or move the output folder to a sound disk), then run mail again",
        )
    return DeliveryError(
        f"{path} is damaged: {exc}{stops}",
        hint="it records what was already sent: restore it from a backup; deleting it would"
        " let every city be sent again",
    )
