"""Settling a ticket in conflict with the values the agent chose, typed or merged.

``sync.tickets.resolve_conflict`` takes a side per field; the conflict screen also lets the
agent write a merged value (both descriptions joined, say). Whatever is chosen, the values not
kept are written into the resolution's history line, so nothing either side wrote is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cscdesk.domain.models import Ticket
from cscdesk.sync.merge import merge3
from cscdesk.sync.storage import ConflictCopy, SyncStorage


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """One field both sides changed: what they agreed on last, and each side's value."""

    field: str
    base: Any
    local: Any
    remote: Any


def field_conflicts(copy: ConflictCopy) -> list[FieldConflict]:
    return [
        FieldConflict(
            name,
            copy.base.fields.get(name),
            copy.local_fields.get(name),
            copy.remote.fields.get(name),
        )
        for name in copy.fields
    ]


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def settle(storage: SyncStorage, ticket_id: str, values: Mapping[str, Any], *, actor: str,
           at: datetime) -> Ticket:  # fmt: skip
    """Save the ticket with ``values`` for its conflicting fields (every one of them), both
    sides' other edits, and a history note holding each value that was not kept."""
    copy = storage.conflict(ticket_id)
    if copy is None:
        raise ValueError(f"ticket {ticket_id} has no conflict to resolve")
    merged = merge3(copy.base.fields, copy.local_fields, copy.remote.fields)
    missing = [name for name in merged.conflicts if name not in values]
    if missing:
        raise ValueError(f"ticket {ticket_id}: no value chosen for {', '.join(missing)}")
    fields = dict(merged.fields)
    aside = []
    for item in field_conflicts(copy):
        chosen = values[item.field]
        fields[item.field] = chosen
        for side, value in (("this desk", item.local), ("call system", item.remote)):
            if value != chosen:
                aside.append(f"{item.field} ({side}): {_text(value)}")
    local = storage.get_ticket(ticket_id)
    if local is None:
        raise ValueError(f"ticket {ticket_id} does not exist")
    note = "conflict resolved" + ("; not kept: " + "; ".join(aside) if aside else "")
    return storage.resolve_conflict(local, copy, fields, actor=actor, at=at, note=note)
