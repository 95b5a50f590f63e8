"""Handing out ticket numbers (``cscdesk.domain.ticket_numbers``) inside the saving transaction.

``ticket_number_days`` keeps each day's last count. The count is bumped by one upsert in the
same write transaction that inserts the ticket (``BEGIN IMMEDIATE``: one writer at a time), so
two desks or processes never get the same number and a rolled-back save gives its count back.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any, Protocol

from cscdesk.domain.ticket_numbers import format_number

TABLE = "ticket_number_days"


class _Executes(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def create(db: _Executes) -> None:
    """The day counters, the two new ticket columns (number, the group whose queue it is in)
    and the indexes the team views and the number search use."""
    db.execute(f"CREATE TABLE {TABLE} (day TEXT PRIMARY KEY, last INTEGER NOT NULL)")
    db.execute("ALTER TABLE tickets ADD COLUMN number TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN group_id TEXT")
    db.execute("CREATE INDEX tickets_number ON tickets(number)")
    db.execute("CREATE INDEX tickets_group_status ON tickets(group_id, status)")
    db.execute("CREATE INDEX tickets_owner_status ON tickets(owner, status)")
    db.execute("CREATE INDEX tickets_status_due ON tickets(status, due_at)")


def allocate(db: _Executes, day: date) -> str:
    """The next number of ``day``; call it inside the transaction that saves the ticket."""
    row = db.execute(
        f"INSERT INTO {TABLE} (day, last) VALUES (?, 1)"
        " ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
        [day.isoformat()],
    ).fetchone()
    return format_number(day, int(row[0]))


def number_existing(db: _Executes, zone: tzinfo) -> int:
    """Give every ticket stored before numbers existed one, in the order they were opened."""
    rows = db.execute(
        "SELECT rowid, created_at FROM tickets WHERE number IS NULL ORDER BY created_at, rowid"
    ).fetchall()
    for rowid, created_at in rows:
        day = datetime.fromisoformat(created_at).astimezone(zone).date()
        db.execute("UPDATE tickets SET number = ? WHERE rowid = ?", [allocate(db, day), rowid])
    return len(rows)
