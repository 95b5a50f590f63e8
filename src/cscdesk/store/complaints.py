"""Complaint records (``domain.complaints``) and their append-only step history.

Kept beside the tickets, not in them: the ticket is the desk's work, the complaint is what the
regulator asks about (channel, category, notices, extensions with their approver, appraisal
pauses, 核查). Channel, category, state and receipt time are columns, for the statistics report;
the notices and steps are one JSON record, written whole on each step. Every step also appends a
row to ``complaint_steps`` (who, when, what), which the database refuses to change or delete.

Use: ``Complaints(store).save(complaint, step="extend", actor="u1", at=now)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from cscdesk.domain.complaints import (
    Appraisal,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintState,
    Extension,
    Notice,
)
from cscdesk.store._codec import as_json, moment, when

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    state TEXT NOT NULL,
    ticket_id TEXT,
    insurer_id TEXT,
    member_id TEXT,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX complaints_by_received ON complaints(received_at);
CREATE INDEX complaints_by_ticket ON complaints(ticket_id);
CREATE TABLE complaint_steps (
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    step TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX complaint_steps_by_complaint ON complaint_steps(complaint_id, at);
CREATE TRIGGER complaint_steps_no_update BEFORE UPDATE ON complaint_steps BEGIN
    SELECT RAISE(ABORT, 'complaint steps are append-only');
END;
CREATE TRIGGER complaint_steps_no_delete BEFORE DELETE ON complaint_steps BEGIN
    SELECT RAISE(ABORT, 'complaint steps are append-only');
END
"""

_TIMES = {"received_at", "review_requested_at", "withdrawn_at", "at", "started_at", "ended_at"}
_COLUMNS = "id, received_at, channel, category, state, ticket_id, insurer_id, member_id, record"


def create(db: StoreDatabase) -> None:
    """DDL for the migration (``store.migrations``); statements one by one, no commit."""
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


def _encode(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _encode(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, datetime) or key in _TIMES:
        return when(value)
    return value


def _notice(data: dict[str, Any] | None) -> Notice | None:
    if data is None:
        return None
    return Notice(**{**data, "at": moment(data["at"])})


def _decode(text: str) -> Complaint:
    data = json.loads(text)
    notice = _notice
    return Complaint(
        id=data["id"],
        received_at=_required(moment(data["received_at"])),
        channel=ComplaintChannel(data["channel"]),
        category=ComplaintCategory(data["category"]),
        state=ComplaintState(data["state"]),
        ticket_id=data["ticket_id"],
        member_id=data["member_id"],
        insurer_id=data["insurer_id"],
        summary=data["summary"],
        acknowledged=notice(data["acknowledged"]),
        extensions=tuple(
            Extension(
                e["days"],
                e["reason"],
                e["approver"],
                _required(notice(e["notice"])),
                _required(moment(e["at"])),
            )
            for e in data["extensions"]
        ),
        appraisals=tuple(
            Appraisal(
                a["what"],
                _required(moment(a["started_at"])),
                _required(notice(a["notice"])),
                moment(a["ended_at"]),
            )
            for a in data["appraisals"]
        ),
        decision=notice(data["decision"]),
        review_requested_at=moment(data["review_requested_at"]),
        review_decision=notice(data["review_decision"]),
        withdrawn_at=moment(data["withdrawn_at"]),
        withdrawal_reason=data["withdrawal_reason"],
    )


T = TypeVar("T")


def _required(value: T | None) -> T:
    if value is None:
        raise ValueError("stored complaint record lacks a time it must have")
    return value


class Complaints:
    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, complaint: Complaint, *, step: str, actor: str, at: datetime) -> None:
        """Write the complaint as it is after ``step`` and append the step to its history."""
        record = as_json(_encode(asdict(complaint)))
        with self._store.transaction() as db:
            db.execute(
                f"INSERT INTO complaints ({_COLUMNS}, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET state = excluded.state,"
                " channel = excluded.channel, category = excluded.category,"
                " ticket_id = excluded.ticket_id, insurer_id = excluded.insurer_id,"
                " member_id = excluded.member_id, record = excluded.record,"
                " updated_at = excluded.updated_at",
                [
                    complaint.id,
                    when(complaint.received_at),
                    complaint.channel.value,
                    complaint.category.value,
                    complaint.state.value,
                    complaint.ticket_id,
                    complaint.insurer_id,
                    complaint.member_id,
                    record,
                    when(at),
                ],
            )
            db.execute(
                "INSERT INTO complaint_steps (complaint_id, at, actor, step, state)"
                " VALUES (?, ?, ?, ?, ?)",
                [complaint.id, when(at), actor, step, complaint.state.value],
            )

    def get(self, complaint_id: str) -> Complaint | None:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT record FROM complaints WHERE id = ?", [complaint_id]
            ).fetchone()
        return None if row is None else _decode(row[0])

    def for_ticket(self, ticket_id: str) -> list[Complaint]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT record FROM complaints WHERE ticket_id = ? ORDER BY received_at",
                [ticket_id],
            ).fetchall()
        return [_decode(r[0]) for r in rows]

    def for_member(self, member_id: str) -> list[Complaint]:
        """Every complaint of one insured person, oldest first (retention holds their calls)."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT record FROM complaints WHERE member_id = ? ORDER BY received_at",
                [member_id],
            ).fetchall()
        return [_decode(r[0]) for r in rows]

    def received_between(self, start: datetime, end: datetime) -> list[Complaint]:
        """Complaints received in ``[start, end)``, oldest first."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT record FROM complaints WHERE received_at >= ? AND received_at < ?"
                " ORDER BY received_at, id",
                [when(start), when(end)],
            ).fetchall()
        return [_decode(r[0]) for r in rows]

    def steps(self, complaint_id: str) -> list[tuple[datetime, str, str, str]]:
        """(at, actor, step, state after it), oldest first."""
        with self._store.reading() as db:
            rows: Sequence[Any] = db.execute(
                "SELECT at, actor, step, state FROM complaint_steps WHERE complaint_id = ?"
                " ORDER BY at, rowid",
                [complaint_id],
            ).fetchall()
        return [(_required(moment(r[0])), r[1], r[2], r[3]) for r in rows]
