"""Our ticket, as it travels inside the remote ticket's ``Context`` JSON.

The rented system keeps a ticket's title and a free JSON context; everything cscdesk knows
(type, status, owner, SLA clocks, notes…) rides in that context under one key, together with the
local ticket id (so a create whose response was lost can be found again instead of duplicated),
a revision counter and the key of the change that wrote it (so a retried update that had in fact
been applied is recognised).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from cscdesk.domain.models import (
    TICKET_ENUM_FIELDS,
    TICKET_TIME_FIELDS,
    Priority,
    SyncState,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)

CONTEXT_KEY = "cscdesk"
FORMAT = 1
HISTORY = 64  # change keys kept in the context: enough to see whether our write survived

# Fields that belong to the sync machinery or change on every edit are not merged field by field.
LOCAL_ONLY = frozenset({"id", "remote_id", "version", "remote_version", "sync_state", "updated_at"})
TICKET_FIELDS = tuple(f.name for f in dataclasses.fields(Ticket) if f.name not in LOCAL_ONLY)

Fields = dict[str, Any]
Note = dict[str, str]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def ticket_fields(ticket: Ticket) -> Fields:
    """The mergeable fields of a ticket as JSON values."""
    return {name: _plain(getattr(ticket, name)) for name in TICKET_FIELDS}


def apply_fields(ticket: Ticket, fields: Mapping[str, Any], **extra: Any) -> Ticket:
    """A copy of ``ticket`` with JSON ``fields`` decoded onto it."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in TICKET_FIELDS:
            continue
        if value is not None and name in TICKET_ENUM_FIELDS:
            value = TICKET_ENUM_FIELDS[name](value)
        elif value is not None and name in TICKET_TIME_FIELDS:
            value = datetime.fromisoformat(value)
        changes[name] = value
    return dataclasses.replace(ticket, **changes, **extra)


def ticket_from_fields(
    ticket_id: str, fields: Mapping[str, Any], updated_at: datetime, remote_id: str
) -> Ticket:
    """A local ticket built from a remote one first seen by this site."""
    created = datetime.fromisoformat(fields["created_at"])
    seed = Ticket(
        id=ticket_id,
        type=TicketType(fields["type"]),
        status=TicketStatus(fields["status"]),
        priority=Priority(fields["priority"]),
        title=fields["title"],
        created_at=created,
        updated_at=updated_at,
        created_by=fields["created_by"],
    )
    return apply_fields(seed, fields, remote_id=remote_id, version=1, sync_state=SyncState.SYNCED)


def note_key(event: TicketEvent) -> str:
    """A stable identity for a note, the same at every site that holds it."""
    raw = f"{event.ticket_id}|{event.at.isoformat()}|{event.actor}|{event.note or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def note_of(event: TicketEvent) -> Note:
    return {
        "key": note_key(event),
        "at": event.at.isoformat(),
        "actor": event.actor,
        "text": event.note or "",
    }


def event_of(ticket_id: str, note: Mapping[str, str]) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id,
        at=datetime.fromisoformat(note["at"]),
        actor=note["actor"],
        kind="note",
        note=note["text"],
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One agreed or proposed state of a ticket: what the remote context holds."""

    local_id: str
    rev: int
    change: str
    fields: Fields
    notes: tuple[Note, ...] = ()
    history: tuple[str, ...] = ()  # keys of the latest changes, this one last

    def successor(self, change: str, fields: Fields, notes: tuple[Note, ...]) -> Snapshot:
        """The snapshot a push proposes on top of this one."""
        history = (*self.history, change)[-HISTORY:]
        return Snapshot(self.local_id, self.rev + 1, change, dict(fields), notes, history)

    def to_context(self) -> dict[str, Any]:
        return {
            CONTEXT_KEY: {
                "format": FORMAT,
                "local_id": self.local_id,
                "rev": self.rev,
                "change": self.change,
                "fields": self.fields,
                "notes": list(self.notes),
                "history": list(self.history),
            }
        }

    def to_json(self) -> str:
        return json.dumps(self.to_context()[CONTEXT_KEY], ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        return cls._from_body(json.loads(text))

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Snapshot | None:
        """None when the remote ticket was not made by cscdesk (someone used the vendor UI)."""
        body = context.get(CONTEXT_KEY)
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                return None
        if not isinstance(body, Mapping) or "local_id" not in body:
            return None
        return cls._from_body(body)

    @classmethod
    def _from_body(cls, body: Mapping[str, Any]) -> Snapshot:
        return cls(
            local_id=str(body["local_id"]),
            rev=int(body.get("rev", 0)),
            change=str(body.get("change", "")),
            fields=dict(body.get("fields", {})),
            notes=tuple(dict(n) for n in body.get("notes", ())),
            history=tuple(str(h) for h in body.get("history", ())),
        )


def merge_notes(*groups: tuple[Note, ...]) -> tuple[Note, ...]:
    """Notes only ever accumulate: the union by key, in time order."""
    seen: dict[str, Note] = {}
    for group in groups:
        for note in group:
            seen.setdefault(note["key"], note)
    return tuple(sorted(seen.values(), key=lambda n: (n["at"], n["key"])))
