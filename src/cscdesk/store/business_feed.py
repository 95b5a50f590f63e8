"""The feed of ticket and hand-off events for the broker's business system, and its delivery log.

Each event is stored once, under a stable ``event_id`` (its idempotency key at the receiver),
and numbered by ``seq``: the cursor of the incremental export (``events after seq N``) and the
order of webhook delivery. Hand-off events are written in the transaction that makes the change;
ticket history lines are copied in by ``catch_up`` (keyed by the history line, so copying twice
adds nothing), which every export and delivery round runs first.

Delivery bookkeeping lives beside the event: attempts, when to try next, delivered, or given up
(the dead-letter list ``doctor`` shows, until an operator sends them again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cscdesk.store._codec import as_json, moment, when
from cscdesk.store.audit import scrub

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE business_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ticket_id TEXT,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    delivered_at TEXT,
    dead_at TEXT,
    last_error TEXT
);
CREATE INDEX business_events_undelivered ON business_events (seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
"""

TICKET_KINDS = {
    "created": "ticket.created",
    "status": "ticket.status",
    "escalated": "ticket.escalated",
    "field": "ticket.updated",
    "note": "ticket.note",
}
CATCH_UP_BATCH = 5000
WATERMARK = "feed.ticket_events"  # the last ticket history line copied into the feed


def create(db: StoreDatabase) -> None:
    """DDL for the migration (``store.migrations``)."""
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


def copy_ticket_events(db: StoreDatabase) -> int:
    """Copy the ticket history lines not in the feed yet (inside the caller's transaction)."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [WATERMARK]).fetchone()
    after = int(row[0]) if row and row[0] else 0
    rows = db.execute(
        "SELECT id, ticket_id, at, actor, kind, changes, note FROM ticket_events"
        " WHERE id > ? ORDER BY id LIMIT ?",
        [after, CATCH_UP_BATCH],
    ).fetchall()
    for event_id, ticket_id, at, actor, kind, changes, note in rows:
        payload = {
            "actor": actor,
            "changes": json.loads(changes),
            "note": scrub(note) if note else None,  # agent-typed: numbers masked
        }
        _append(db, f"ticket-event:{event_id}", TICKET_KINDS.get(kind, f"ticket.{kind}"),
                ticket_id, moment(at) or datetime.min, payload)  # fmt: skip
        after = int(event_id)
    if rows:
        db.execute(
            "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            [WATERMARK, str(after), when(datetime.now(UTC))],
        )
    return len(rows)


def publish(
    db: StoreDatabase, event_id: str, kind: str, ticket_id: str | None, at: datetime,
    payload: dict[str, Any],
) -> None:  # fmt: skip
    """Append one event inside the caller's transaction; an event id seen before adds nothing.

    The ticket history written before it is copied in first, so the feed keeps the order in
    which things happened (a ticket's escalation before the hand-off it opened)."""
    copy_ticket_events(db)
    _append(db, event_id, kind, ticket_id, at, payload)


def _append(
    db: StoreDatabase, event_id: str, kind: str, ticket_id: str | None, at: datetime,
    payload: dict[str, Any],
) -> None:  # fmt: skip
    db.execute(
        "INSERT INTO business_events (event_id, kind, ticket_id, at, payload)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        [event_id, kind, ticket_id, when(at), as_json(payload)],
    )


@dataclass(frozen=True, slots=True)
class BusinessEvent:
    seq: int
    event_id: str
    kind: str
    ticket_id: str | None
    at: datetime
    payload: dict[str, Any]
    attempts: int = 0
    last_error: str | None = None

    def body(self) -> dict[str, Any]:
        """The event as the business system receives it (webhook body, export line)."""
        return {
            "seq": self.seq,
            "event_id": self.event_id,
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            "at": when(self.at),
            "data": self.payload,
        }


_COLUMNS = "seq, event_id, kind, ticket_id, at, payload, attempts, last_error"


def _event(row: Sequence[Any]) -> BusinessEvent:
    at = moment(row[4])
    assert at is not None
    return BusinessEvent(int(row[0]), row[1], row[2], row[3], at, json.loads(row[5]),
                         int(row[6]), row[7])  # fmt: skip


class BusinessFeed:
    def __init__(self, store: Store) -> None:
        self._store = store

    def catch_up(self) -> int:
        """Copy ticket history lines not in the feed yet; returns how many were added."""
        with self._store.transaction() as db:
            return copy_ticket_events(db)

    def since(self, cursor: int, limit: int = 500) -> list[BusinessEvent]:
        """Events after ``cursor`` (a ``seq``), oldest first: the incremental export."""
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM business_events WHERE seq > ? ORDER BY seq LIMIT ?",
                [cursor, limit],
            ).fetchall()
        return [_event(r) for r in rows]

    def last_seq(self) -> int:
        with self._store.reading() as db:
            row = db.execute("SELECT max(seq) FROM business_events").fetchone()
        return int(row[0] or 0)

    # ------------------------------------------------------------------ webhook delivery
    def due(self, now: datetime, limit: int = 100) -> list[BusinessEvent]:
        """Undelivered, not given-up events whose next attempt is due, in feed order."""
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM business_events"
                " WHERE delivered_at IS NULL AND dead_at IS NULL"
                " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY seq LIMIT ?",
                [when(now), limit],
            ).fetchall()
        return [_event(r) for r in rows]

    def delivered(self, seq: int, at: datetime) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE business_events SET delivered_at = ?, attempts = attempts + 1,"
                " last_error = NULL WHERE seq = ? AND delivered_at IS NULL",
                [when(at), seq],
            )

    def failed(self, seq: int, error: str, *, retry_at: datetime | None, at: datetime) -> None:
        """One failed attempt: try again at ``retry_at``, or (None) give up: the dead letters."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE business_events SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, dead_at = ? WHERE seq = ? AND delivered_at IS NULL",
                [error[:500], when(retry_at), None if retry_at else when(at), seq],
            )

    def dead_letters(self, limit: int = 100) -> list[BusinessEvent]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM business_events WHERE dead_at IS NOT NULL"
                " ORDER BY seq LIMIT ?",
                [limit],
            ).fetchall()
        return [_event(r) for r in rows]

    def dead_count(self) -> int:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT count(*) FROM business_events WHERE dead_at IS NOT NULL"
            ).fetchone()
        return int(row[0])

    def undelivered_count(self) -> int:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT count(*) FROM business_events WHERE delivered_at IS NULL AND dead_at IS NULL"
            ).fetchone()
        return int(row[0])

    def resend_dead(self, at: datetime) -> int:
        """Put every given-up event back in line (after the business system is fixed)."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE business_events SET dead_at = NULL, attempts = 0, next_attempt_at = ?"
                " WHERE dead_at IS NOT NULL",
                [when(at)],
            )
        return int(cursor.rowcount)
