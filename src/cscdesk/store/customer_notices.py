"""Tracked "tell the customer" steps (告知): a callback task or an SMS request for the agent.

A hand-off and its answer each open one when the center's settings ask for it
(``[handoffs] notify_on_handoff`` / ``notify_on_answer``), in the transaction that made the
change, keyed by hand-off and trigger so it is never opened twice. It stays open until the
agent marks it done, so "the customer was told" is a record, not a memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cscdesk.domain.handoffs import CustomerNotice, NoticeMethod, NoticeTrigger
from cscdesk.store._codec import moment, when
from cscdesk.store.business_feed import publish

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE customer_notices (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    handoff_id TEXT NOT NULL REFERENCES handoffs(id),
    trigger TEXT NOT NULL,
    method TEXT NOT NULL,
    owner TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    UNIQUE (handoff_id, trigger)
);
CREATE INDEX customer_notices_open ON customer_notices (owner, done_at);
"""
_COLUMNS = "id, ticket_id, handoff_id, trigger, method, owner, created_at, done_at, done_by"


def create(db: StoreDatabase) -> None:
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


def open_notice(
    db: StoreDatabase, *, handoff_id: str, ticket_id: str, trigger: NoticeTrigger,
    method: NoticeMethod, at: datetime,
) -> None:  # fmt: skip
    """Open the notice inside the caller's transaction (nothing for method ``none``)."""
    if method is NoticeMethod.NONE:
        return
    row = db.execute("SELECT owner FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    notice_id = f"N{handoff_id[1:]}-{trigger.value}"
    cursor = db.execute(
        f"INSERT INTO customer_notices ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)"
        " ON CONFLICT (handoff_id, trigger) DO NOTHING",
        [notice_id, ticket_id, handoff_id, trigger.value, method.value,
         row[0] if row else None, when(at)],
    )  # fmt: skip
    if cursor.rowcount == 1:
        publish(db, f"notice:{notice_id}:open", "customer_notice.opened", ticket_id, at,
                {"notice_id": notice_id, "handoff_id": handoff_id, "trigger": trigger.value,
                 "method": method.value})  # fmt: skip


def _notice(row: Sequence[Any]) -> CustomerNotice:
    created = moment(row[6])
    assert created is not None
    return CustomerNotice(row[0], row[1], row[2], NoticeTrigger(row[3]), NoticeMethod(row[4]),
                          row[5], created, moment(row[7]), row[8])  # fmt: skip


class CustomerNotices:
    def __init__(self, store: Store) -> None:
        self._store = store

    def open_for(self, owner: str) -> list[CustomerNotice]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM customer_notices WHERE owner = ? AND done_at IS NULL"
                " ORDER BY created_at",
                [owner],
            ).fetchall()
        return [_notice(r) for r in rows]

    def for_ticket(self, ticket_id: str) -> list[CustomerNotice]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM customer_notices WHERE ticket_id = ? ORDER BY created_at",
                [ticket_id],
            ).fetchall()
        return [_notice(r) for r in rows]

    def done(self, notice_id: str, *, by: str, at: datetime) -> bool:
        """Mark the customer told; False when it was done already (by someone else)."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE customer_notices SET done_at = ?, done_by = ?"
                " WHERE id = ? AND done_at IS NULL",
                [when(at), by, notice_id],
            )
            if cursor.rowcount == 1:
                row = db.execute(
                    "SELECT ticket_id FROM customer_notices WHERE id = ?", [notice_id]
                ).fetchone()
                publish(db, f"notice:{notice_id}:done", "customer_notice.done", row[0], at,
                        {"notice_id": notice_id, "by": by})  # fmt: skip
        return cursor.rowcount == 1
