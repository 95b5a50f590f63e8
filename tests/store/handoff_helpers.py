"""A ticket escalated in a real store, for the hand-off tests (store, sync, tui)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cscdesk.domain.handoffs import Channel
from cscdesk.domain.models import Ticket, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import escalate, new_ticket
from cscdesk.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def open_ticket(store: Store, *, owner: str = "agent1", title: str = "理赔进度查询",
                ticket_type: TicketType = TicketType.CLAIM_ASSIST, at: datetime = T0) -> Ticket:  # fmt: skip
    ticket, event = new_ticket(ticket_id=store.tickets.new_ticket_id(), type=ticket_type,
                               title=title, created_at=at, created_by=owner, sla=SlaPolicy(),
                               owner=owner)  # fmt: skip
    store.tickets.save_new(ticket, event)
    return ticket


def escalated_ticket(store: Store, insurer: str, *, owner: str = "agent1",
                     note: str = "请核实理赔进度", at: datetime = T0) -> Ticket:  # fmt: skip
    ticket = open_ticket(store, owner=owner, at=at)
    changed, event = escalate(ticket, insurer, due_at=None, at=at + timedelta(minutes=1),
                              actor=owner, note=note)  # fmt: skip
    store.tickets.save_change(changed, event, base_version=ticket.version)
    return changed


def channels(api: set[str]) -> object:
    return lambda insurer: Channel.API if insurer in api else Channel.SECONDED


def no_due(_insurer: str) -> None:
    return None
