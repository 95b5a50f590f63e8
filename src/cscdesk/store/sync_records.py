"""Sync's own tables: the recording copy queue, agreed ticket snapshots and conflict copies.

The tables are created by migration v6. Snapshots are the sync layer's codec (JSON text), so
these repositories store and return that text unchanged; sync encodes and decodes it. Times are
kept as UTC ISO text (``iso``), the spelling these tables have always used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.store.db import Store


def iso(value: datetime) -> str:
    """UTC ISO text, so that stored times compare correctly as strings."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def from_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RecordingJob:
    contact_id: str
    call_started_at: datetime
    state: str  # pending / restoring
    attempts: int


class RecordingJobs:
    """The queue of recordings still to copy into the archive (table ``recording_jobs``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def queue(self, calls: Iterable[tuple[str, datetime]]) -> int:
        """Queue ``(contact_id, call_started_at)`` pairs neither queued nor archived yet (the
        CDR walk reads recent windows again); returns how many were new."""
        pairs = list(calls)
        with self._store.transaction() as db:
            archived: set[str] = set()
            for at in range(0, len(pairs), 500):
                ids = [contact_id for contact_id, _ in pairs[at : at + 500]]
                marks = ", ".join("?" * len(ids))
                archived.update(
                    row[0]
                    for row in db.execute(
                        f"SELECT contact_id FROM recordings WHERE contact_id IN ({marks})", ids
                    )
                )
            cursor = db.executemany(
                "INSERT OR IGNORE INTO recording_jobs (contact_id, call_started_at, state,"
                " attempts, next_attempt_at) VALUES (?, ?, 'pending', 0, ?)",
                [(c, iso(started), iso(started)) for c, started in pairs if c not in archived],
            )
            return max(0, int(cursor.rowcount))  # rows inserted: the ignored ones count 0

    def due(self, now: datetime, limit: int) -> list[RecordingJob]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT contact_id, call_started_at, state, attempts FROM recording_jobs"
                " WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                (iso(now), limit),
            ).fetchall()
        return [RecordingJob(r[0], from_iso(r[1]), r[2], int(r[3])) for r in rows]

    def count(self) -> int:
        with self._store.reading() as db:
            return int(db.execute("SELECT count(*) FROM recording_jobs").fetchone()[0])

    def oldest_call(self) -> datetime | None:
        """When the oldest call still waiting for its recording started."""
        with self._store.reading() as db:
            row = db.execute("SELECT min(call_started_at) FROM recording_jobs").fetchone()
        return from_iso(row[0]) if row[0] else None

    def failed(self, contact_id: str, error: str, next_at: datetime) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE recording_jobs SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ? WHERE contact_id = ?",
                (error, iso(next_at), contact_id),
            )

    def restoring(self, contact_ids: Iterable[str], next_at: datetime) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE recording_jobs SET state = 'restoring', next_attempt_at = ?"
                " WHERE contact_id = ?",
                [(iso(next_at), cid) for cid in contact_ids],
            )

    def done(self, contact_id: str) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM recording_jobs WHERE contact_id = ?", (contact_id,))


@dataclass(frozen=True, slots=True)
class SyncBaseRow:
    """Snapshot JSON texts: the agreed state, the remote state our write was based on, and a
    written-ahead proposal with its parent (None where absent)."""

    remote_id: str
    snapshot: str
    parent: str | None
    pending: str | None
    pending_parent: str | None


class TicketSyncBases:
    """The last ticket state both sides agreed on (table ``ticket_sync_base``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, ticket_id: str) -> SyncBaseRow | None:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT remote_id, snapshot, parent, pending, pending_parent FROM ticket_sync_base"
                " WHERE ticket_id = ?",
                (ticket_id,),
            ).fetchone()
        return None if row is None else SyncBaseRow(*row)

    def set(self, ticket_id: str, remote_id: str, snapshot: str, parent: str | None) -> None:
        """A new agreed state; any written-ahead proposal is dropped."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO ticket_sync_base (ticket_id, remote_id, snapshot, parent, pending,"
                " pending_parent) VALUES (?, ?, ?, ?, NULL, NULL) ON CONFLICT(ticket_id) DO UPDATE"
                " SET remote_id = excluded.remote_id, snapshot = excluded.snapshot,"
                " parent = excluded.parent, pending = NULL, pending_parent = NULL",
                (ticket_id, remote_id, snapshot, parent),
            )

    def set_pending(self, ticket_id: str, proposal: str, parent: str) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE ticket_sync_base SET pending = ?, pending_parent = ? WHERE ticket_id = ?",
                (proposal, parent, ticket_id),
            )

    def settle(self, ticket_id: str, snapshot: str) -> None:
        """The remote ``snapshot`` becomes the base; parent and proposal are cleared."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE ticket_sync_base SET snapshot = ?, parent = NULL, pending = NULL,"
                " pending_parent = NULL WHERE ticket_id = ?",
                (snapshot, ticket_id),
            )

    def forget(self, ticket_id: str) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM ticket_sync_base WHERE ticket_id = ?", (ticket_id,))


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """Both versions of a ticket in conflict, as JSON texts (``fields``: a JSON list of names)."""

    ticket_id: str
    base: str
    local_fields: str
    remote: str
    fields: str
    detected_at: datetime


_CONFLICT_COLUMNS = "ticket_id, base, local_fields, remote, fields, detected_at"


def _conflict(row: tuple[str, str, str, str, str, str]) -> ConflictRow:
    return ConflictRow(*row[:5], detected_at=from_iso(row[5]))


class TicketConflicts:
    """Tickets waiting for an agent to choose between versions (table ``ticket_conflicts``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, row: ConflictRow) -> None:
        with self._store.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO ticket_conflicts ({_CONFLICT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    row.ticket_id,
                    row.base,
                    row.local_fields,
                    row.remote,
                    row.fields,
                    iso(row.detected_at),
                ),
            )

    def get(self, ticket_id: str) -> ConflictRow | None:
        with self._store.reading() as db:
            row = db.execute(
                f"SELECT {_CONFLICT_COLUMNS} FROM ticket_conflicts WHERE ticket_id = ?",
                (ticket_id,),
            ).fetchone()
        return None if row is None else _conflict(row)

    def list(self) -> list[ConflictRow]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_CONFLICT_COLUMNS} FROM ticket_conflicts ORDER BY detected_at"
            ).fetchall()
        return [_conflict(row) for row in rows]

    def delete(self, ticket_id: str) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM ticket_conflicts WHERE ticket_id = ?", (ticket_id,))
