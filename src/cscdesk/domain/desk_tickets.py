"""The desk's ticket rules: what a wrap-up turns into, and how an agent's decision becomes steps.

These lived in the agent screen, where no test could reach them without a terminal. Here they
are plain functions: a wrap-up code and the caller give a ticket draft (type, priority, title,
what the call was about); the ticket editor's decision (field edits, an escalation or a status
move, a note) gives the workflow steps in the one order the center agreed on, which the desk
then saves in one store transaction, so a failed step leaves the ticket as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from cscdesk.domain.assignment import assign_to_agent, assign_to_group
from cscdesk.domain.models import Member, Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import add_note, edit, escalate, new_ticket, transition

# What a wrap-up code asks the follow-up ticket to be; any other code gives an enquiry.
WRAP_TICKET_TYPES = {
    "complaint": TicketType.COMPLAINT,
    "claim_progress": TicketType.CLAIM_ASSIST,
    "transfer_insurer": TicketType.CLAIM_ASSIST,
    "coverage": TicketType.ENQUIRY,
    "ticket": TicketType.ENQUIRY,
}
TITLE_NOTES = 40  # characters of the agent's notes carried into the title


@dataclass(frozen=True, slots=True)
class TicketDraftFields:
    """What a new ticket starts with (prefilled from the call and the profile)."""

    type: TicketType
    priority: Priority
    title: str
    description: str = ""
    member_id: str | None = None
    contact_id: str | None = None
    policy_no: str | None = None
    claim_no: str | None = None
    insurer_id: str | None = None


@dataclass(frozen=True, slots=True)
class TicketChange:
    """What the agent decided in the ticket editor, before the workflow applies it."""

    fields: dict[str, object] = field(default_factory=dict)
    transition: TicketStatus | None = None
    escalate_to: str | None = None
    escalate_due: datetime | None = None
    note: str | None = None
    callback: bool = False
    assign_to: str | None = None  # agent:<id> or group:<id>, as the form's assignee offers


def wrap_up_ticket_type(code: str | None) -> TicketType:
    return WRAP_TICKET_TYPES.get(code or "", TicketType.ENQUIRY)


def wrap_up_priority(ticket_type: TicketType, member: Member | None) -> Priority:
    """Complaints and VIP customers are high priority; everything else normal."""
    if ticket_type is TicketType.COMPLAINT or (member is not None and "vip" in member.flags):
        return Priority.HIGH
    return Priority.NORMAL


def draft_from_wrap_up(*, code: str | None, code_label: str, type_label: str, notes: str,
                       member: Member | None, contact_id: str,
                       policy: tuple[str, str] | None,
                       claim: tuple[str, str] | None) -> TicketDraftFields:  # fmt: skip
    """The ticket a finished call proposes. ``policy``/``claim``: (insurer id, number) the agent
    had selected; the claim's insurer wins, as the claim is what the customer called about."""
    ticket_type = wrap_up_ticket_type(code)
    title = (code_label or type_label) + (f": {notes[:TITLE_NOTES]}" if notes else "")
    return TicketDraftFields(
        type=ticket_type,
        priority=wrap_up_priority(ticket_type, member),
        title=title,
        description=notes,
        member_id=member.id if member else None,
        contact_id=contact_id,
        policy_no=policy[1] if policy else None,
        claim_no=claim[1] if claim else None,
        insurer_id=(claim or policy or (None, None))[0],
    )


def ticket_from_draft(draft: TicketDraftFields, change: TicketChange, *, ticket_id: str,
                      at: datetime, actor: str, sla: SlaPolicy) -> tuple[Ticket, TicketEvent]:  # fmt: skip
    """A new ticket from the draft as the agent edited it; the agent owns it unless the form
    named another agent or a group's queue."""
    fields = change.fields
    kind, _sep, who = (change.assign_to or f"agent:{actor}").partition(":")
    ticket, event = new_ticket(
        ticket_id=ticket_id,
        type=TicketType(str(fields.get("type", draft.type))),
        title=str(fields.get("title") or draft.title),
        created_at=at,
        created_by=actor,
        sla=sla,
        priority=Priority(str(fields.get("priority", draft.priority))),
        description=str(fields.get("description", draft.description)),
        owner=who if kind == "agent" else None,
        member_id=draft.member_id,
        contact_id=draft.contact_id,
        policy_no=str(fields.get("policy_no") or "") or None,
        claim_no=str(fields.get("claim_no") or "") or None,
        insurer_id=draft.insurer_id,
    )
    if kind == "group":
        ticket = replace(ticket, group_id=who)
    return ticket, event


def assignee_of(ticket: Ticket) -> str | None:
    """The form's assignee value of a ticket: its agent, else the group queue it waits in."""
    if ticket.owner:
        return f"agent:{ticket.owner}"
    return f"group:{ticket.group_id}" if ticket.group_id else None


def change_steps(ticket: Ticket, change: TicketChange, *, at: datetime, actor: str,
                 sla: SlaPolicy) -> list[tuple[Ticket, TicketEvent]]:  # fmt: skip
    """Edit, then escalate or transition, then note: each step builds on the one before.

    An escalation carries the note itself (the insurer sees why); otherwise the note is its own
    step. Raises what the workflow raises (an illegal transition, a closed ticket).
    """
    steps: list[tuple[Ticket, TicketEvent]] = []
    current, event = edit(ticket, change.fields, at=at, actor=actor, sla=sla)
    if event is not None:
        steps.append((current, event))
    target = change.assign_to
    if target and target != assignee_of(current):
        kind, _sep, who = target.partition(":")
        if kind == "group":
            current, event = assign_to_group(current, who, at=at, actor=actor)
        else:
            current, event = assign_to_agent(current, who, at=at, actor=actor)
        steps.append((current, event))
    if change.escalate_to:
        current, event = escalate(current, change.escalate_to, due_at=change.escalate_due,
                                  at=at, actor=actor, note=change.note)  # fmt: skip
        steps.append((current, event))
    elif change.transition is not None:
        current, event = transition(current, change.transition, at=at, actor=actor)
        steps.append((current, event))
    if change.note and not change.escalate_to:
        current, event = add_note(current, change.note, at=at, actor=actor)
        steps.append((current, event))
    return steps
