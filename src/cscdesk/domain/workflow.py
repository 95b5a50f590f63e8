"""The ticket (工单) workflow: which status may follow which, and what every change records.

Every function returns the new ticket together with the history line (``TicketEvent``) that
explains it, so a store can write both in one transaction and the history stays append-only.
Each local change bumps ``version`` and marks the ticket PENDING for the sync to push.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import (
    Complexity,
    Priority,
    SyncState,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)
from cscdesk.domain.sla import SlaPolicy, first_response_due, resolution_due

S = TicketStatus

TRANSITIONS: Mapping[TicketStatus, frozenset[TicketStatus]] = MappingProxyType(
    {
        S.NEW: frozenset({S.OPEN, S.ESCALATED, S.RESOLVED, S.CANCELLED}),
        S.OPEN: frozenset({S.PENDING_CUSTOMER, S.ESCALATED, S.RESOLVED, S.CANCELLED}),
        S.PENDING_CUSTOMER: frozenset({S.OPEN, S.RESOLVED, S.CANCELLED}),
        S.ESCALATED: frozenset({S.OPEN, S.RESOLVED}),
        S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),  # OPEN = reopen
        S.CLOSED: frozenset(),
        S.CANCELLED: frozenset(),
    }
)

TERMINAL: frozenset[TicketStatus] = frozenset({S.CLOSED, S.CANCELLED})

EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "title",
        "description",
        "priority",
        "owner",
        "group_id",
        "member_id",
        "policy_no",
        "claim_no",
        "insurer_id",
        "complexity",
        "csat",
        "type",
        "due_at",
    }
)

CSAT_RANGE = range(1, 6)


class IllegalTransition(ValueError):
    """A status change the workflow does not allow; names the ticket, both statuses and the options."""

    def __init__(self, ticket_id: str, current: TicketStatus, target: TicketStatus) -> None:
        self.ticket_id = ticket_id
        self.current = current
        self.target = target
        options = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (final status)"
        super().__init__(
            f"ticket {ticket_id}: cannot go from {current.value} to {target.value}; "
            f"allowed from {current.value}: {options}"
        )


class TicketClosed(ValueError):
    """A field edit on a closed or cancelled ticket."""


def allowed_transitions(status: TicketStatus) -> frozenset[TicketStatus]:
    return TRANSITIONS[status]


def _text(value: object) -> str | None:
    """How a value appears in the history: enums by value, times in ISO 8601."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _touch(ticket: Ticket, at: datetime, **changes: Any) -> Ticket:
    return replace(
        ticket,
        updated_at=at,
        version=ticket.version + 1,
        sync_state=SyncState.PENDING,
        **changes,
    )


def _status_changes(ticket: Ticket, to: TicketStatus, at: datetime) -> dict[str, Any]:
    """The field updates a status change implies (timestamps of response, resolution, closure)."""
    if to not in TRANSITIONS[ticket.status]:
        raise IllegalTransition(ticket.id, ticket.status, to)
    changes: dict[str, Any] = {"status": to}
    if ticket.status is S.NEW and ticket.first_response_at is None:
        changes["first_response_at"] = at
    if to is S.RESOLVED:
        changes["resolved_at"] = at
    elif to is S.OPEN and ticket.status is S.RESOLVED:
        changes["resolved_at"] = None  # reopened: the earlier resolution no longer stands
    if to in TERMINAL:
        changes["closed_at"] = at
    return changes


def transition(
    ticket: Ticket,
    to: TicketStatus,
    *,
    at: datetime,
    actor: str,
    note: str | None = None,
) -> tuple[Ticket, TicketEvent]:
    """Move a ticket to ``to``; raises :class:`IllegalTransition` when the workflow forbids it."""
    updated = _touch(ticket, at, **_status_changes(ticket, to, at))
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor,
        kind="status",
        changes={"status": (ticket.status.value, to.value)},
        note=note,
    )
    return updated, event


def _coerce(field_name: str, value: object) -> object:
    """Turn an edit value into the field's type, or raise ValueError naming the field."""
    enums: dict[str, type[Enum]] = {
        "priority": Priority,
        "complexity": Complexity,
        "type": TicketType,
    }
    try:
        if field_name in enums:
            return enums[field_name](value)
        if field_name == "csat":
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError
            score = int(value)
            if score not in CSAT_RANGE:
                raise ValueError
            return score
        if field_name == "due_at":
            if value is None:
                return None
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise ValueError
            return value
        if field_name == "title":
            if not isinstance(value, str) or not value.strip():
                raise ValueError
            return value.strip()
        if field_name == "description":
            if not isinstance(value, str):
                raise ValueError
            return value
        # optional references: empty text means "none"
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError
        return value.strip()
    except ValueError:
        expected = {
            "priority": "one of " + ", ".join(p.value for p in Priority),
            "complexity": "one of " + ", ".join(c.value for c in Complexity),
            "type": "one of " + ", ".join(t.value for t in TicketType),
            "csat": "a whole number from 1 to 5, or empty",
            "due_at": "a timezone-aware date and time, or empty",
            "title": "non-empty text",
        }.get(field_name, "text")
        raise ValueError(
            f"ticket field {field_name!r}: got {value!r}, expected {expected}"
        ) from None


def edit(
    ticket: Ticket,
    changes: Mapping[str, object],
    *,
    at: datetime,
    actor: str,
    sla: SlaPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> tuple[Ticket, TicketEvent | None]:
    """Change editable fields. Returns ``(ticket, None)`` when nothing actually changed.

    With ``sla`` given, a change of type or complexity (a complaint judged complex) moves the
    resolution clock too, unless the same edit sets ``due_at`` explicitly.
    """
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise ValueError(
            f"ticket {ticket.id}: field {unknown[0]!r} cannot be edited; "
            f"editable fields: {', '.join(sorted(EDITABLE_FIELDS))}"
        )
    if ticket.status in TERMINAL:
        raise TicketClosed(
            f"ticket {ticket.id} is {ticket.status.value}; it can no longer be edited"
        )
    updates: dict[str, Any] = {}
    history: dict[str, tuple[str | None, str | None]] = {}
    for name in sorted(changes):
        new_value = _coerce(name, changes[name])
        old_value = getattr(ticket, name)
        if new_value != old_value:
            updates[name] = new_value
            history[name] = (_text(old_value), _text(new_value))
    clock_moved = "type" in updates or "complexity" in updates
    if sla is not None and clock_moved and "due_at" not in changes:
        new_due = resolution_due(
            updates.get("type", ticket.type),
            ticket.created_at,
            updates.get("complexity", ticket.complexity),
            sla,
            calendar,
        )
        if new_due != ticket.due_at:
            updates["due_at"] = new_due
            history["due_at"] = (_text(ticket.due_at), _text(new_due))
    if not updates:
        return ticket, None
    event = TicketEvent(ticket_id=ticket.id, at=at, actor=actor, kind="field", changes=history)
    return _touch(ticket, at, **updates), event


def escalate(
    ticket: Ticket,
    insurer_id: str,
    *,
    due_at: datetime | None,
    at: datetime,
    actor: str,
    note: str | None,
) -> tuple[Ticket, TicketEvent]:
    """Hand a ticket to an insurer (转保险公司). ``due_at`` is the insurer's reply deadline.

    The ticket's own due time only ever moves earlier: an insurer's deadline cannot stretch a
    regulatory clock that is already running.
    """
    if not insurer_id.strip():
        raise ValueError(f"ticket {ticket.id}: escalation needs the insurer it goes to")
    updates = _status_changes(ticket, S.ESCALATED, at)
    updates["insurer_id"] = insurer_id
    history: dict[str, tuple[str | None, str | None]] = {
        "status": (ticket.status.value, S.ESCALATED.value),
    }
    if ticket.insurer_id != insurer_id:
        history["insurer_id"] = (ticket.insurer_id, insurer_id)
    if due_at is not None:
        new_due = due_at if ticket.due_at is None else min(ticket.due_at, due_at)
        if new_due != ticket.due_at:
            updates["due_at"] = new_due
            history["due_at"] = (_text(ticket.due_at), _text(new_due))
    event = TicketEvent(
        ticket_id=ticket.id, at=at, actor=actor, kind="escalated", changes=history, note=note
    )
    return _touch(ticket, at, **updates), event


def add_note(ticket: Ticket, text: str, *, at: datetime, actor: str) -> tuple[Ticket, TicketEvent]:
    """Append a note (备注) to the history; allowed in every status, closed ones included."""
    if not text or not text.strip():
        raise ValueError(f"ticket {ticket.id}: a note cannot be empty")
    event = TicketEvent(ticket_id=ticket.id, at=at, actor=actor, kind="note", note=text.strip())
    return _touch(ticket, at), event


def new_ticket(
    *,
    ticket_id: str,
    type: TicketType,
    title: str,
    created_at: datetime,
    created_by: str,
    sla: SlaPolicy,
    calendar: WorkingCalendar | None = None,
    priority: Priority = Priority.NORMAL,
    complexity: Complexity = Complexity.NORMAL,
    description: str = "",
    owner: str | None = None,
    member_id: str | None = None,
    contact_id: str | None = None,
    policy_no: str | None = None,
    claim_no: str | None = None,
    insurer_id: str | None = None,
) -> tuple[Ticket, TicketEvent]:
    """Create a NEW ticket with its first-response and resolution clocks already set."""
    if not title.strip():
        raise ValueError("a ticket needs a title")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    ticket = Ticket(
        id=ticket_id,
        type=type,
        status=S.NEW,
        priority=priority,
        title=title.strip(),
        created_at=created_at,
        updated_at=created_at,
        created_by=created_by,
        description=description,
        owner=owner,
        member_id=member_id,
        contact_id=contact_id,
        policy_no=policy_no,
        claim_no=claim_no,
        insurer_id=insurer_id,
        complexity=complexity,
        due_at=resolution_due(type, created_at, complexity, sla, calendar),
        first_response_due_at=first_response_due(created_at, sla),
        version=1,
        sync_state=SyncState.PENDING,
    )
    event = TicketEvent(
        ticket_id=ticket_id,
        at=created_at,
        actor=created_by,
        kind="created",
        changes={
            "status": (None, S.NEW.value),
            "type": (None, type.value),
            "due_at": (None, _text(ticket.due_at)),
        },
    )
    return ticket, event
