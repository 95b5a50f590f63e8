"""Who works a ticket: handing it to an agent or a group queue, and claiming it from the queue.

A ticket has an ``owner`` (the agent working it) and a ``group_id`` (the skill group whose
queue it belongs to). Handing it to a group clears the owner, so it waits in that group's queue
until one of the group's agents claims it. Every change is one history line (``assigned``) and
bumps the version, so two desks claiming at once meet the store's version check and only one
of them wins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from cscdesk.domain.models import SyncState, Ticket, TicketEvent
from cscdesk.domain.workflow import TERMINAL


class CannotAssign(ValueError):
    """The hand-over or claim is not possible; the message says why and what to do.

    ``reason`` is one of: finished, unchanged, no_agent, no_group, yours, taken, other_group
    (the desk words it in the agent's language)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _assigned(ticket: Ticket, owner: str | None, group_id: str | None, *, at: datetime,
              actor: str, note: str | None) -> tuple[Ticket, TicketEvent]:  # fmt: skip
    if ticket.status in TERMINAL:
        raise CannotAssign("finished", f"ticket {ticket.number or ticket.id} is {ticket.status.value}:"
                           " a finished ticket cannot be handed over")  # fmt: skip
    changes: dict[str, tuple[str | None, str | None]] = {}
    if owner != ticket.owner:
        changes["owner"] = (ticket.owner, owner)
    if group_id != ticket.group_id:
        changes["group_id"] = (ticket.group_id, group_id)
    if not changes:
        raise CannotAssign("unchanged", f"ticket {ticket.number or ticket.id} is already there")
    updated = replace(ticket, owner=owner, group_id=group_id, updated_at=at,
                      version=ticket.version + 1, sync_state=SyncState.PENDING)  # fmt: skip
    event = TicketEvent(ticket_id=ticket.id, at=at, actor=actor, kind="assigned",
                        changes=changes, note=note)  # fmt: skip
    return updated, event


def assign_to_agent(ticket: Ticket, agent_id: str, *, at: datetime, actor: str,
                    group_id: str | None = None,
                    note: str | None = None) -> tuple[Ticket, TicketEvent]:  # fmt: skip
    """The agent works it now; it stays in its group's queue unless ``group_id`` names another."""
    if not agent_id.strip():
        raise CannotAssign("no_agent", "choose the agent who should work the ticket")
    return _assigned(ticket, agent_id, group_id or ticket.group_id, at=at, actor=actor, note=note)


def assign_to_group(ticket: Ticket, group_id: str, *, at: datetime, actor: str,
                    note: str | None = None) -> tuple[Ticket, TicketEvent]:  # fmt: skip
    """Into the group's queue with nobody working it: one of the group's agents claims it."""
    if not group_id.strip():
        raise CannotAssign("no_group", "choose the group whose queue the ticket goes to")
    return _assigned(ticket, None, group_id, at=at, actor=actor, note=note)


def claim(ticket: Ticket, agent_id: str, agent_groups: Collection[str], *,
          at: datetime) -> tuple[Ticket, TicketEvent]:  # fmt: skip
    """The agent takes an unowned ticket from one of their groups' queues."""
    label = ticket.number or ticket.id
    if ticket.owner == agent_id:
        raise CannotAssign("yours", f"ticket {label} is already yours")
    if ticket.owner is not None:
        raise CannotAssign("taken", f"ticket {label} is already being worked by {ticket.owner}")
    if ticket.group_id is not None and ticket.group_id not in agent_groups:
        raise CannotAssign(
            "other_group",
            f"ticket {label} waits in the queue of group {ticket.group_id}, which you are not in",
        )
    return _assigned(ticket, agent_id, ticket.group_id, at=at, actor=agent_id, note=None)
