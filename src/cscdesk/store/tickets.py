"""Tickets (工单), their append-only history, and the outbox entry of every local write.

``save_new`` and ``save_change`` write the ticket row, one history event and one outbox entry in
one transaction, so a crash never leaves a change that sync would not push. ``save_change`` is
optimistic: it fails with ``StaleTicket`` when someone saved the ticket since it was read.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cscdesk.domain.models import (
    TICKET_TIME_FIELDS,
    Complexity,
    Priority,
    SyncState,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)
from cscdesk.domain.ticket_views import TicketQuery
from cscdesk.store import ticket_numbers, ticket_search
from cscdesk.store._codec import as_json, moment, when
from cscdesk.store.audit import scrub
from cscdesk.store.read_ahead import Read

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

FIELDS = (
    "id", "type", "status", "priority", "title", "description", "created_at", "updated_at",
    "created_by", "owner", "member_id", "contact_id", "policy_no", "claim_no", "insurer_id",
    "complexity", "due_at", "first_response_due_at", "first_response_at", "resolved_at",
    "closed_at", "csat", "remote_id", "version", "remote_version", "sync_state",
    "number", "group_id",
)  # fmt: skip
_BEFORE_NUMBERS = FIELDS[:-2]  # a store below migration 16 (upgrade tests write there)
_COLUMNS = ", ".join(FIELDS)
# The center's calendar day a ticket number names (deployments in China: 北京时间).
NUMBER_ZONE = ZoneInfo("Asia/Shanghai")
_CLOSED = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value, TicketStatus.CANCELLED.value)
_OPS = {"created": "create", "status": "status", "escalated": "escalate", "note": "note"}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class StaleTicket(RuntimeError):
    """The ticket changed since it was read: reload, then apply the edit again."""


class UnknownTicket(KeyError):
    pass


def new_ticket_id(now_ms: int | None = None) -> str:
    """``T`` + 26 Crockford base32 characters (ULID layout): 48 bits of milliseconds, then 80
    random bits. Sorts by creation time and does not collide across processes or sites."""
    stamp = int(time.time() * 1000) if now_ms is None else now_ms
    value = (stamp << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "T" + "".join(reversed(chars))


def _value(name: str, value: Any) -> Any:
    if name in TICKET_TIME_FIELDS:
        return when(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def ticket_row(ticket: Ticket) -> list[Any]:
    return [_value(name, getattr(ticket, name)) for name in FIELDS]


def ticket_fields(ticket: Ticket) -> dict[str, Any]:
    return dict(zip(FIELDS, ticket_row(ticket), strict=True))


def to_ticket(r: Sequence[Any]) -> Ticket:
    v = dict(zip(FIELDS, r, strict=True))
    created, updated = moment(v["created_at"]), moment(v["updated_at"])
    assert created is not None and updated is not None
    return Ticket(
        id=v["id"],
        type=TicketType(v["type"]),
        status=TicketStatus(v["status"]),
        priority=Priority(v["priority"]),
        title=v["title"],
        created_at=created,
        updated_at=updated,
        created_by=v["created_by"],
        description=v["description"],
        owner=v["owner"],
        member_id=v["member_id"],
        contact_id=v["contact_id"],
        policy_no=v["policy_no"],
        claim_no=v["claim_no"],
        insurer_id=v["insurer_id"],
        complexity=Complexity(v["complexity"]),
        due_at=moment(v["due_at"]),
        first_response_due_at=moment(v["first_response_due_at"]),
        first_response_at=moment(v["first_response_at"]),
        resolved_at=moment(v["resolved_at"]),
        closed_at=moment(v["closed_at"]),
        csat=v["csat"],
        remote_id=v["remote_id"],
        version=int(v["version"]),
        remote_version=v["remote_version"],
        sync_state=SyncState(v["sync_state"]),
        number=v["number"],
        group_id=v["group_id"],
    )


def _to_event(r: Sequence[Any]) -> TicketEvent:
    at = moment(r[1])
    assert at is not None
    changes = {k: (old, new) for k, (old, new) in json.loads(r[4]).items()}
    return TicketEvent(ticket_id=r[0], at=at, actor=r[2], kind=r[3], changes=changes, note=r[5])


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _view_filter(query: TicketQuery) -> tuple[str, list[Any]]:
    clauses = [f"status IN ({_marks(query.statuses)})"]
    params: list[Any] = [s.value for s in query.statuses]
    scope = []
    if query.owners:
        scope.append(f"owner IN ({_marks(query.owners)})")
        params.extend(query.owners)
    if query.groups:
        scope.append(f"group_id IN ({_marks(query.groups)})")
        params.extend(query.groups)
    if scope:
        clauses.append("(" + " OR ".join(scope) + ")")
    if query.unassigned:
        clauses.append("owner IS NULL")
    if query.insurer_id is not None:
        clauses.append("insurer_id = ?")
        params.append(query.insurer_id)
    if query.due_from is not None:
        clauses.append("due_at >= ?")
        params.append(when(query.due_from))
    if query.due_before is not None:
        clauses.append("due_at < ?")
        params.append(when(query.due_before))
    return " AND ".join(clauses), params


class Tickets:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._numbers_known = False

    new_ticket_id = staticmethod(new_ticket_id)

    # ------------------------------------------------------------------ writes
    def _event(self, db: StoreDatabase, event: TicketEvent) -> None:
        db.execute(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, changes, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                event.ticket_id,
                when(event.at),
                event.actor,
                event.kind,
                as_json({k: list(v) for k, v in event.changes.items()}),
                event.note,
            ],
        )

    def _outbox(
        self,
        db: StoreDatabase,
        ticket: Ticket,
        op: str,
        payload: dict[str, Any],
        base_version: int | None,
    ) -> None:
        created = when(datetime.now(UTC))
        db.execute(
            "INSERT INTO outbox (ticket_id, seq, op, payload, idempotency_key, base_version,"
            " created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
            [
                ticket.id,
                ticket.version,
                op,
                as_json(scrub(payload)),  # agent-typed text may hold a number
                f"{ticket.id}:{ticket.version}",
                base_version,
                created,
                created,
            ],
        )

    def _numbered(self, db: StoreDatabase, ticket: Ticket) -> Ticket:
        """The ticket with its number: the one it brought (pulled from the call system, where
        the site that opened it numbered it), else the next of the day it was opened here."""
        if ticket.number is not None:
            return ticket
        day = ticket.created_at.astimezone(NUMBER_ZONE).date()
        return replace(ticket, number=ticket_numbers.allocate(db, day))

    def _has_numbers(self, db: StoreDatabase) -> bool:
        if not self._numbers_known:
            columns = {r[1] for r in db.execute("PRAGMA table_info(tickets)").fetchall()}
            self._numbers_known = "number" in columns
        return self._numbers_known

    def _insert(self, db: StoreDatabase, ticket: Ticket, event: TicketEvent) -> Ticket:
        fields: tuple[str, ...] = FIELDS
        if self._has_numbers(db):
            ticket = self._numbered(db, ticket)
        else:
            fields = _BEFORE_NUMBERS
        cursor = db.execute(
            f"INSERT INTO tickets ({', '.join(fields)}) VALUES ({', '.join('?' for _ in fields)})",
            ticket_row(ticket)[: len(fields)],
        )
        self._event(db, event)
        rowid = cursor.lastrowid
        assert rowid is not None
        body = ticket_search.body(ticket.description, [event.note])
        ticket_search.add(db, rowid, ticket.title, body)
        return ticket

    def _indexed(self, db: StoreDatabase, ticket_id: str) -> tuple[int, str, str] | None:
        """(rowid, title, body) of a stored ticket as its search index holds them."""
        row = db.execute(
            "SELECT rowid, title, description FROM tickets WHERE id = ?", [ticket_id]
        ).fetchone()
        if row is None:
            return None
        notes = db.execute(
            "SELECT note FROM ticket_events WHERE ticket_id = ? AND note IS NOT NULL ORDER BY id",
            [ticket_id],
        ).fetchall()
        return int(row[0]), str(row[1]), ticket_search.body(row[2], [n[0] for n in notes])

    def save_new(self, ticket: Ticket, event: TicketEvent) -> Ticket:
        """A new ticket with its ``created`` event and an outbox ``create`` entry; returns it
        with the number the store gave it in the same transaction."""
        with self._store.transaction() as db:
            ticket = self._insert(db, ticket, event)
            self._outbox(db, ticket, "create", ticket_fields(ticket), None)
        return ticket

    def save_change(self, ticket: Ticket, event: TicketEvent, *, base_version: int) -> None:
        """Store an edited ticket if nobody saved it since ``base_version`` was read."""
        with self._store.transaction() as db:
            before = self._indexed(db, ticket.id)
            fields: tuple[str, ...] = FIELDS if self._has_numbers(db) else _BEFORE_NUMBERS
            sets = ", ".join(
                f"{name} = coalesce(?, {name})" if name == "number" else f"{name} = ?"
                for name in fields[1:]
            )  # a number once given stays, whatever a copy of the ticket says
            cursor = db.execute(
                f"UPDATE tickets SET {sets} WHERE id = ? AND version = ?",
                [*ticket_row(ticket)[1 : len(fields)], ticket.id, base_version],
            )
            if cursor.rowcount != 1:
                row = db.execute("SELECT version FROM tickets WHERE id = ?", [ticket.id]).fetchone()
                if row is None:
                    raise UnknownTicket(ticket.id)
                raise StaleTicket(
                    f"ticket {ticket.id} is at version {row[0]}, not {base_version}:"
                    " it was changed meanwhile"
                )
            self._event(db, event)
            self._reindex(db, before, ticket.id)
            payload: dict[str, Any] = {name: new for name, (_old, new) in event.changes.items()}
            if event.note:
                payload["note"] = event.note
            payload["version"] = ticket.version
            self._outbox(db, ticket, _OPS.get(event.kind, "update"), payload, base_version)

    def _reindex(
        self, db: StoreDatabase, before: tuple[int, str, str] | None, ticket_id: str
    ) -> None:
        """Swap the ticket's index entry when its title, description or notes changed."""
        after = self._indexed(db, ticket_id)
        if before is None or after is None or after == before:
            return
        ticket_search.remove(db, *before)
        ticket_search.add(db, *after)

    def load_history(self, history: Iterable[tuple[Ticket, TicketEvent]]) -> int:
        """Tickets that already exist elsewhere (demo data, a restore): rows and events only,
        no outbox entries, so sync does not push them as new local work."""
        count = 0
        with self._store.transaction() as db:
            for ticket, event in history:
                self._insert(db, ticket, event)
                count += 1
        return count

    def set_sync_state(
        self,
        ticket_id: str,
        state: SyncState,
        remote_id: str | None = None,
        remote_version: int | None = None,
    ) -> None:
        """Sync bookkeeping only: the local version and history stay as they are."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE tickets SET sync_state = ?, remote_id = coalesce(?, remote_id),"
                " remote_version = coalesce(?, remote_version) WHERE id = ?",
                [SyncState(state).value, remote_id, remote_version, ticket_id],
            )

    # ------------------------------------------------------------------ reads
    def _many(self, sql: str, params: Sequence[Any]) -> list[Ticket]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM tickets {sql}", params).fetchall()
        return [to_ticket(r) for r in rows]

    def get(self, ticket_id: str) -> Ticket | None:
        found = self._many("WHERE id = ?", [ticket_id])
        return found[0] if found else None

    def require(self, ticket_id: str) -> Ticket:
        ticket = self.get(ticket_id)
        if ticket is None:
            raise UnknownTicket(ticket_id)
        return ticket

    def open_for_owner(self, owner: str) -> list[Ticket]:
        """The owner's unfinished tickets, most urgent due date first."""
        return self._many(
            "WHERE owner = ? AND status NOT IN (?, ?, ?)"
            " ORDER BY due_at IS NULL, due_at, created_at",
            [owner, *_CLOSED],
        )

    def due_before(self, moment_: datetime, limit: int = 200) -> list[Ticket]:
        """Unfinished tickets whose due time is before ``moment_`` (SLA watch)."""
        return self._many(
            "WHERE status NOT IN (?, ?, ?) AND due_at < ? ORDER BY due_at LIMIT ?",
            [*_CLOSED, when(moment_), limit],
        )

    def for_member(self, member_id: str) -> list[Ticket]:
        with self._store.reading() as db:
            rows = db.execute(*self.for_member_read(member_id)).fetchall()
        return [to_ticket(r) for r in rows]

    @staticmethod
    def for_member_read(member_id: str) -> Read:
        """``for_member``'s statement, for ``Store.read_ahead``."""
        sql = f"SELECT {_COLUMNS} FROM tickets WHERE member_id = ? ORDER BY created_at DESC"
        return sql, [member_id]

    def for_contact(self, contact_id: str) -> list[Ticket]:
        return self._many("WHERE contact_id = ? ORDER BY created_at", [contact_id])

    def created_between(self, start: datetime, end: datetime) -> list[Ticket]:
        return self._many(
            "WHERE created_at >= ? AND created_at < ? ORDER BY created_at", [when(start), when(end)]
        )

    def events(self, ticket_id: str) -> list[TicketEvent]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT ticket_id, at, actor, kind, changes, note FROM ticket_events"
                " WHERE ticket_id = ? ORDER BY id",
                [ticket_id],
            ).fetchall()
        return [_to_event(r) for r in rows]

    def search(self, text: str, limit: int = 50) -> list[Ticket]:
        """Tickets whose title, description or notes hold every whitespace-separated word of
        ``text`` (two-character words too, from the bigram index: ``cscdesk.store.ticket_search``).

        Ranked by recency and match: of the newest ``CANDIDATES`` matches, those whose title
        holds more of the words come first, then the most recently updated."""
        with self._store.reading() as db:
            found = ticket_search.candidates(db, text)
        if found is None:
            return []
        matching, params = found
        terms = ticket_search.title_terms(text)
        in_title = (
            " + ".join("CASE WHEN instr(lower(title), ?) > 0 THEN 1 ELSE 0 END" for _ in terms)
            or "0"
        )
        return self._many(
            f"WHERE rowid IN ({matching}) ORDER BY {in_title} DESC, updated_at DESC LIMIT ?",
            [*params, *terms, limit],
        )

    def by_number(self, number: str) -> list[Ticket]:
        """The ticket a caller reads out (``GD-20261130-0042``, as ``normalise_number`` gives it)."""
        return self._many("WHERE number = ?", [number])

    def for_reference(self, number: str, limit: int = 50) -> list[Ticket]:
        """Tickets about a policy or a claim, newest first."""
        return self._many(
            "WHERE policy_no = ? OR claim_no = ? ORDER BY created_at DESC LIMIT ?",
            [number, number, limit],
        )

    def for_members(self, member_ids: Sequence[str], limit: int = 50) -> list[Ticket]:
        if not member_ids:
            return []
        marks = ", ".join("?" for _ in member_ids)
        return self._many(
            f"WHERE member_id IN ({marks}) ORDER BY created_at DESC LIMIT ?", [*member_ids, limit]
        )

    def view(self, query: TicketQuery) -> list[Ticket]:
        """The tickets a team view shows (``cscdesk.domain.ticket_views``), the ones due first
        first, then the oldest."""
        where, params = _view_filter(query)
        return self._many(
            f"WHERE {where} ORDER BY due_at IS NULL, due_at, created_at, id LIMIT ?",
            [*params, query.limit],
        )

    def view_count(self, query: TicketQuery) -> int:
        """How many tickets the view holds, beyond the ones shown."""
        where, params = _view_filter(query)
        with self._store.reading() as db:
            return int(
                db.execute(f"SELECT count(*) FROM tickets WHERE {where}", params).fetchone()[0]
            )

    def count(self) -> int:
        with self._store.reading() as db:
            return int(db.execute("SELECT count(*) FROM tickets").fetchone()[0])
