"""Hand-offs of tickets to insurers and business staff (``domain.handoffs``), stored once each.

Every change is a compare-and-set on ``version``, so two processes (two desks, or a desk and the
daemon) never both move the same hand-off; the loser gets ``StaleHandoff`` and re-reads. Each
change also appends one business event (``store.business_feed``) in the same transaction, so
the business system hears of every step exactly as it happened, never of one that was undone.

An escalation becomes a hand-off without the desk doing anything more: ``open_for_escalations``
turns every ``escalated`` ticket event that has none into one, keyed by that event, so running it
twice (or in two processes) opens nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cscdesk.domain.handoffs import (
    OPEN_STATES,
    RETURNED_STATES,
    Channel,
    Handoff,
    HandoffState,
    NoticeMethod,
    NoticeTrigger,
    returned_to_ticket,
)
from cscdesk.store._codec import moment, when
from cscdesk.store.business_feed import publish
from cscdesk.store.customer_notices import open_notice
from cscdesk.store.tickets import new_ticket_id

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE handoffs (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL DEFAULT '',
    insurer_id TEXT,
    assignee TEXT,
    team TEXT,
    due_at TEXT,
    remote_ref TEXT,
    sent_at TEXT,
    acknowledged_at TEXT,
    answered_at TEXT,
    closed_at TEXT,
    reply TEXT,
    replied_by TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    applied INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX handoffs_ticket ON handoffs (ticket_id);
CREATE INDEX handoffs_open ON handoffs (state, channel, next_attempt_at);
CREATE INDEX handoffs_insurer ON handoffs (insurer_id, created_at);
"""

FIELDS = tuple(f.name for f in fields(Handoff))
_COLUMNS = ", ".join(FIELDS)
_TIMES = frozenset(
    {"created_at", "due_at", "sent_at", "acknowledged_at", "answered_at", "closed_at",
     "next_attempt_at"}
)  # fmt: skip


def create(db: StoreDatabase) -> None:
    """DDL for the migration (``store.migrations``)."""
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


class StaleHandoff(RuntimeError):
    """The hand-off changed since it was read (another process moved it): re-read and retry."""


class UnknownHandoff(KeyError):
    pass


def _encode(name: str, value: Any) -> Any:
    if name in _TIMES:
        return when(value)
    if name == "applied":
        return int(bool(value))
    if hasattr(value, "value"):
        return value.value
    return value


def _row(handoff: Handoff) -> list[Any]:
    return [_encode(name, getattr(handoff, name)) for name in FIELDS]


def _decode(row: Sequence[Any]) -> Handoff:
    v: dict[str, Any] = dict(zip(FIELDS, row, strict=True))
    for name in _TIMES:
        v[name] = moment(v[name])
    v["channel"] = Channel(v["channel"])
    v["state"] = HandoffState(v["state"])
    v["applied"] = bool(v["applied"])
    return Handoff(**v)


def new_handoff_id() -> str:
    return "H" + new_ticket_id()[1:]


def event_payload(handoff: Handoff) -> dict[str, Any]:
    """What the business system hears of a hand-off: ids, channel, state and moments. The
    request and reply texts stay out: they are agent-typed and may hold personal data."""
    return {
        "handoff_id": handoff.id,
        "ticket_id": handoff.ticket_id,
        "channel": handoff.channel.value,
        "state": handoff.state.value,
        "insurer_id": handoff.insurer_id,
        "assignee": handoff.assignee,
        "team": handoff.team,
        "remote_ref": handoff.remote_ref,
        "due_at": when(handoff.due_at),
        "answered_at": when(handoff.answered_at),
    }


ChannelFor = Callable[[str], Channel]


class Handoffs:
    """``notices``: which "tell the customer" step (告知) a hand-off and an answer open."""

    def __init__(
        self, store: Store, notices: Mapping[NoticeTrigger, NoticeMethod] | None = None
    ) -> None:
        self._store = store
        self._notices = dict(notices or {})

    def _notice(self, db: StoreDatabase, handoff: Handoff, trigger: NoticeTrigger,
                at: datetime) -> None:  # fmt: skip
        method = self._notices.get(trigger, NoticeMethod.NONE)
        open_notice(db, handoff_id=handoff.id, ticket_id=handoff.ticket_id, trigger=trigger,
                    method=method, at=at)  # fmt: skip

    # ------------------------------------------------------------------ writes
    def add(self, handoff: Handoff, *, at: datetime) -> bool:
        """Store a new hand-off (and its ``handoff.created`` event); False when one with the
        same idempotency key exists already."""
        with self._store.transaction() as db:
            return self._insert(db, handoff, at)

    def _insert(self, db: StoreDatabase, handoff: Handoff, at: datetime) -> bool:
        cursor = db.execute(
            f"INSERT INTO handoffs ({_COLUMNS}) VALUES ({', '.join('?' for _ in FIELDS)})"
            " ON CONFLICT (idempotency_key) DO NOTHING",
            _row(handoff),
        )
        if cursor.rowcount != 1:
            return False
        publish(db, f"handoff:{handoff.id}:1", "handoff.created", handoff.ticket_id, at,
                event_payload(handoff))  # fmt: skip
        self._notice(db, handoff, NoticeTrigger.HANDOFF, at)
        return True

    def save(self, handoff: Handoff, *, base_version: int, at: datetime) -> Handoff:
        """Store a changed hand-off if nobody changed it since ``base_version``; the stored copy
        (with its new version) comes back. A change of state is published as an event."""
        saved = replace(handoff, version=base_version + 1)
        with self._store.transaction() as db:
            self._update(db, saved, base_version, at)
        return saved

    def _update(self, db: StoreDatabase, saved: Handoff, base_version: int, at: datetime) -> None:
        before = db.execute("SELECT state FROM handoffs WHERE id = ?", [saved.id]).fetchone()
        sets = ", ".join(f"{name} = ?" for name in FIELDS[1:])
        cursor = db.execute(
            f"UPDATE handoffs SET {sets} WHERE id = ? AND version = ?",
            [*_row(saved)[1:], saved.id, base_version],
        )
        if cursor.rowcount != 1:
            if before is None:
                raise UnknownHandoff(saved.id)
            raise StaleHandoff(f"hand-off {saved.id} changed since version {base_version}")
        if before[0] != saved.state.value:
            publish(db, f"handoff:{saved.id}:{saved.version}", f"handoff.{saved.state.value}",
                    saved.ticket_id, at, event_payload(saved))  # fmt: skip

    def bring_back(self, handoff: Handoff, *, who: str, at: datetime) -> Handoff:
        """Write an answered or handed-back hand-off's reply into its ticket (a note, and the
        ticket re-opened for its agent) and mark it applied, all in one transaction: the ticket
        never shows an answer twice, nor a hand-off marked applied without the note."""
        if handoff.state not in RETURNED_STATES or handoff.applied:
            return handoff
        with self._store.transaction() as db:
            ticket = self._store.tickets.require(handoff.ticket_id)
            version = ticket.version
            for changed, event in returned_to_ticket(ticket, handoff, who=who, at=at):
                self._store.tickets.save_change(changed, event, base_version=version)
                version = changed.version
            saved = replace(handoff, applied=True, version=handoff.version + 1)
            self._update(db, saved, handoff.version, at)
            self._notice(db, saved, NoticeTrigger.ANSWER, at)
        return saved

    def open_for_escalations(
        self, channel_for: ChannelFor, *, at: datetime, due_at: Callable[[str], datetime | None]
    ) -> list[Handoff]:
        """A hand-off for every escalation that has none: one per ``escalated`` ticket event,
        keyed by it. ``channel_for(insurer_id)`` says how that insurer takes requests;
        ``due_at(insurer_id)`` when the agreed terms want the answer."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT e.id, e.ticket_id, e.actor, e.note, e.changes, t.insurer_id, t.title"
                " FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
                " WHERE e.kind = 'escalated' AND NOT EXISTS"
                " (SELECT 1 FROM handoffs h WHERE h.idempotency_key = e.ticket_id || ':esc:' || e.id)"
                " ORDER BY e.id"
            ).fetchall()
        opened = []
        for event_id, ticket_id, actor, note, changes, ticket_insurer, title in rows:
            insurer = (json.loads(changes).get("insurer_id") or [None, ticket_insurer])[1]
            if not insurer:
                continue
            channel = channel_for(insurer)
            handoff = Handoff(
                id=new_handoff_id(),
                ticket_id=ticket_id,
                channel=channel,
                state=HandoffState.QUEUED,
                created_at=at,
                created_by=actor,
                idempotency_key=f"{ticket_id}:esc:{event_id}",
                request=note or title,
                insurer_id=insurer,
                due_at=due_at(insurer),
                next_attempt_at=at if channel is Channel.API else None,
            )
            if self.add(handoff, at=at):
                opened.append(handoff)
        return opened

    # ------------------------------------------------------------------ reads
    def _many(self, sql: str, params: Sequence[Any] = ()) -> list[Handoff]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM handoffs {sql}", list(params)).fetchall()
        return [_decode(r) for r in rows]

    def get(self, handoff_id: str) -> Handoff | None:
        found = self._many("WHERE id = ?", [handoff_id])
        return found[0] if found else None

    def require(self, handoff_id: str) -> Handoff:
        found = self.get(handoff_id)
        if found is None:
            raise UnknownHandoff(handoff_id)
        return found

    def for_ticket(self, ticket_id: str) -> list[Handoff]:
        return self._many("WHERE ticket_id = ? ORDER BY created_at, id", [ticket_id])

    def due_for_delivery(self, now: datetime, limit: int = 50) -> list[Handoff]:
        """API hand-offs waiting to be sent whose next attempt is due, oldest first."""
        return self._many(
            "WHERE channel = ? AND state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            " ORDER BY created_at LIMIT ?",
            [Channel.API.value, HandoffState.QUEUED.value, when(now), limit],
        )

    def awaiting_insurer(self, limit: int = 200) -> list[Handoff]:
        """API hand-offs the insurer has and has not answered yet: their status is polled."""
        return self._many(
            "WHERE channel = ? AND state IN (?, ?) ORDER BY sent_at LIMIT ?",
            [Channel.API.value, HandoffState.SENT.value, HandoffState.ACKNOWLEDGED.value, limit],
        )

    def not_applied(self, limit: int = 200) -> list[Handoff]:
        """Answers and hand-backs not yet written into their tickets."""
        return self._many(
            "WHERE state IN (?, ?) AND applied = 0 ORDER BY answered_at LIMIT ?",
            [*(s.value for s in sorted(RETURNED_STATES)), limit],
        )

    def inbox(
        self, *, user_id: str, teams: Sequence[str], insurer_id: str | None, include_done: bool
    ) -> list[Handoff]:
        """What this person may work: staff tasks routed to them or their teams; for a seconded
        agent, the requests to their insurer. Open first, by due time."""
        states = [s.value for s in OPEN_STATES]
        clauses = ["(channel = ? AND (assignee = ?"
                   + "".join(" OR team = ?" for _ in teams) + "))"]  # fmt: skip
        params: list[Any] = [Channel.STAFF.value, user_id, *teams]
        if insurer_id:
            clauses.append("(channel = ? AND insurer_id = ?)")
            params += [Channel.SECONDED.value, insurer_id]
        where = " OR ".join(clauses)
        if not include_done:
            where = f"({where}) AND state IN ({', '.join('?' for _ in states)})"
            params += states
        return self._many(
            f"WHERE {where} ORDER BY state NOT IN ('queued', 'sent', 'acknowledged'),"
            " due_at IS NULL, due_at, created_at",
            params,
        )

    def for_insurers(self, start: datetime, end: datetime) -> list[Handoff]:
        """Insurer hand-offs created in [start, end), for the scorecard."""
        return self._many(
            "WHERE insurer_id IS NOT NULL AND channel != ? AND created_at >= ? AND created_at < ?"
            " ORDER BY created_at",
            [Channel.STAFF.value, when(start), when(end)],
        )

    def failed(self) -> list[Handoff]:
        return self._many("WHERE state = ? ORDER BY created_at", [HandoffState.FAILED.value])
