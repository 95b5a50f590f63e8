"""Call-system events received on the webhook, each stored once.

The vendor documents no event id for webhook pushes that we could confirm, and may deliver an
event more than once; the receiver therefore names each event by the SHA-256 of its canonical
body (``key``), and ``add`` is an ``INSERT OR IGNORE`` on that key: a second delivery of the same
body stores nothing and tells the caller so. ``handled_at`` / ``error`` record what the archive
did with it, so a restart can finish what the last process left undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE ccc_events (
    key TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    job_id TEXT,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    handled_at TEXT,
    error TEXT
);
CREATE INDEX ccc_events_unhandled ON ccc_events (received_at) WHERE handled_at IS NULL;
CREATE INDEX ccc_events_job ON ccc_events (job_id);
"""


def create(db: StoreDatabase) -> None:
    """DDL for the migration (``store.migrations``)."""
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    key: str
    event_type: str
    job_id: str | None
    received_at: datetime
    body: str
    handled_at: datetime | None
    error: str | None


def _row(row: tuple[str, str, str | None, str, str, str | None, str | None]) -> StoredEvent:
    key, event_type, job_id, received, body, handled, error = row
    return StoredEvent(
        key,
        event_type,
        job_id,
        datetime.fromisoformat(received),
        body,
        datetime.fromisoformat(handled) if handled else None,
        error,
    )


_COLUMNS = "key, event_type, job_id, received_at, body, handled_at, error"


class CallEvents:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self, key: str, event_type: str, job_id: str | None, received_at: datetime, body: str
    ) -> bool:
        """Store the event; False when an event with this key is stored already."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO ccc_events (key, event_type, job_id, received_at, body)"
                " VALUES (?, ?, ?, ?, ?)",
                [key, event_type, job_id, when(received_at), body],
            )
            return bool(cursor.rowcount)

    def handled(self, key: str, at: datetime, error: str | None = None) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE ccc_events SET handled_at = ?, error = ? WHERE key = ?",
                [when(at), error, key],
            )

    def unhandled(self, limit: int = 100) -> list[StoredEvent]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM ccc_events WHERE handled_at IS NULL"
                " ORDER BY received_at LIMIT ?",
                [limit],
            ).fetchall()
        return [_row(r) for r in rows]

    def of_job(self, job_id: str) -> list[StoredEvent]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM ccc_events WHERE job_id = ? ORDER BY received_at",
                [job_id],
            ).fetchall()
        return [_row(r) for r in rows]

    def count(self, event_type: str | None = None) -> int:
        with self._store.reading() as db:
            if event_type is None:
                row = db.execute("SELECT count(*) FROM ccc_events").fetchone()
            else:
                row = db.execute(
                    "SELECT count(*) FROM ccc_events WHERE event_type = ?", [event_type]
                ).fetchone()
        return int(row[0])
