"""The ticket outbox: local ticket writes waiting to be pushed to the call system.

Rows are written by ``Tickets`` in the same transaction as the ticket; sync reads them here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cscdesk.store._codec import moment, when

if TYPE_CHECKING:
    from cscdesk.store.db import Store

_COLUMNS = (
    "id, ticket_id, seq, op, payload, idempotency_key, base_version, created_at, attempts,"
    " next_attempt_at, last_error, done_at"
)
MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    ticket_id: str
    seq: int
    op: str  # create / update / status / escalate / note
    payload: dict[str, Any]
    idempotency_key: str  # "<ticket id>:<version>"
    base_version: int | None
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    done_at: datetime | None


def _entry(r: Sequence[Any]) -> OutboxEntry:
    created, next_at = moment(r[7]), moment(r[9])
    assert created is not None and next_at is not None
    return OutboxEntry(
        int(r[0]), r[1], int(r[2]), r[3], json.loads(r[4]), r[5], r[6], created, int(r[8]),
        next_at, r[10], moment(r[11]),
    )  # fmt: skip


class Outbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    def pending(self, limit: int = 100, *, due_by: datetime | None = None) -> list[OutboxEntry]:
        """Entries not yet done, in the order they were written (per ticket: version order).

        With ``due_by`` only those whose next attempt is due by then.
        """
        with self._store.reading() as db:
            if due_by is None:
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM outbox WHERE done_at IS NULL ORDER BY id LIMIT ?",
                    [limit],
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM outbox WHERE done_at IS NULL"
                    " AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                    [when(due_by), limit],
                ).fetchall()
        return [_entry(r) for r in rows]

    def mark_done(self, entry_id: int) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET done_at = ? WHERE id = ? AND done_at IS NULL",
                [when(datetime.now(UTC)), entry_id],
            )

    def mark_failed(self, entry_id: int, error: str, next_attempt_at: datetime) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE id = ?",
                [error[:MAX_ERROR], when(next_attempt_at), entry_id],
            )

    def backlog_count(self) -> int:
        with self._store.reading() as db:
            return int(
                db.execute("SELECT count(*) FROM outbox WHERE done_at IS NULL").fetchone()[0]
            )
