"""Ticket workflow: allowed moves, clear refusals, timestamps, edits and history lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import (
    Complexity,
    Priority,
    SyncState,
    Ticket,
    TicketStatus,
    TicketType,
)
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import (
    IllegalTransition,
    TicketClosed,
    add_note,
    allowed_transitions,
    edit,
    escalate,
    new_ticket,
    transition,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
S = TicketStatus


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make(ticket_type: TicketType = TicketType.ENQUIRY) -> Ticket:
    ticket, _ = new_ticket(
        ticket_id="T-1",
        type=ticket_type,
        title="门诊报销进度",
        created_at=T0,
        created_by="agent-7",
        sla=SlaPolicy(),
        calendar=WorkingCalendar(),
    )
    return ticket


def test_new_ticket_starts_its_clocks() -> None:
    ticket, event = new_ticket(
        ticket_id="T-9",
        type=TicketType.COMPLAINT,
        title="投诉理赔时效",
        created_at=T0,
        created_by="agent-7",
        sla=SlaPolicy(),
    )
    assert ticket.status is S.NEW and ticket.version == 1
    assert ticket.sync_state is SyncState.PENDING
    assert ticket.first_response_due_at == T0 + timedelta(hours=24)
    assert ticket.due_at == datetime(2026, 5, 21, 23, 59, 59, tzinfo=SH)  # 6 May + 15 days
    assert event.kind == "created" and event.changes["status"] == (None, "new")


def test_new_ticket_needs_a_title() -> None:
    with pytest.raises(ValueError, match="title"):
        new_ticket(
            ticket_id="T-2",
            type=TicketType.ENQUIRY,
            title="  ",
            created_at=T0,
            created_by="a",
            sla=SlaPolicy(),
        )


def test_the_whole_transition_table() -> None:
    assert allowed_transitions(S.NEW) == {S.OPEN, S.ESCALATED, S.RESOLVED, S.CANCELLED}
    assert allowed_transitions(S.OPEN) == {S.PENDING_CUSTOMER, S.ESCALATED, S.RESOLVED, S.CANCELLED}
    assert allowed_transitions(S.PENDING_CUSTOMER) == {S.OPEN, S.RESOLVED, S.CANCELLED}
    assert allowed_transitions(S.ESCALATED) == {S.OPEN, S.RESOLVED}
    assert allowed_transitions(S.RESOLVED) == {S.CLOSED, S.OPEN}
    assert allowed_transitions(S.CLOSED) == frozenset()
    assert allowed_transitions(S.CANCELLED) == frozenset()


def test_full_life_sets_each_timestamp_once() -> None:
    ticket = make()
    opened, event = transition(ticket, S.OPEN, at=later(10), actor="agent-7")
    assert opened.first_response_at == later(10)
    assert opened.version == 2 and opened.updated_at == later(10)
    assert event.kind == "status" and event.changes == {"status": ("new", "open")}
    waiting, _ = transition(opened, S.PENDING_CUSTOMER, at=later(20), actor="agent-7")
    back, _ = transition(waiting, S.OPEN, at=later(30), actor="agent-7")
    assert back.first_response_at == later(10)  # leaving NEW only counts once
    resolved, _ = transition(back, S.RESOLVED, at=later(40), actor="agent-7", note="已告知")
    assert resolved.resolved_at == later(40) and resolved.closed_at is None
    closed, _ = transition(resolved, S.CLOSED, at=later(50), actor="lead-1")
    assert closed.closed_at == later(50) and closed.version == 6


def test_reopen_clears_the_resolution() -> None:
    resolved, _ = transition(make(), S.RESOLVED, at=later(5), actor="a")
    reopened, event = transition(resolved, S.OPEN, at=later(60), actor="a", note="客户再次来电")
    assert reopened.status is S.OPEN and reopened.resolved_at is None
    assert event.note == "客户再次来电"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.CLOSED),  # NEW cannot close without resolving
        ((), S.PENDING_CUSTOMER),
        ((S.ESCALATED,), S.CANCELLED),  # an insurer has it: resolve or take it back
        ((S.CANCELLED,), S.OPEN),  # final
        ((S.RESOLVED, S.CLOSED), S.OPEN),  # final
        ((S.OPEN,), S.OPEN),  # no self-loops
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    path: tuple[TicketStatus, ...], illegal: TicketStatus
) -> None:
    ticket = make()
    for step in path:
        ticket, _ = transition(ticket, step, at=later(1), actor="a")
    with pytest.raises(IllegalTransition) as caught:
        transition(ticket, illegal, at=later(2), actor="a")
    message = str(caught.value)
    assert "T-1" in message
    assert f"from {ticket.status.value} to {illegal.value}" in message
    for option in allowed_transitions(ticket.status):
        assert option.value in message
    if not allowed_transitions(ticket.status):
        assert "final" in message


def test_edit_records_string_pairs_and_bumps_version() -> None:
    ticket = make()
    edited, event = edit(
        ticket,
        {"priority": "high", "owner": "agent-9", "csat": 5, "title": "门诊报销进度"},
        at=later(3),
        actor="agent-7",
    )
    assert edited.priority is Priority.HIGH and edited.owner == "agent-9" and edited.csat == 5
    assert edited.version == 2 and edited.sync_state is SyncState.PENDING
    assert event is not None and event.kind == "field"
    # unchanged title is not in the history
    assert event.changes == {
        "csat": (None, "5"),
        "owner": (None, "agent-9"),
        "priority": ("normal", "high"),
    }


def test_edit_that_changes_nothing_returns_no_event() -> None:
    ticket = make()
    same, event = edit(ticket, {"priority": Priority.NORMAL}, at=later(3), actor="a")
    assert same is ticket and event is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"status": "closed"}, "'status'"),  # status goes through transition()
        ({"version": 9}, "'version'"),
        ({"colour": "red"}, "'colour'"),
        ({"priority": "sky-high"}, "'priority'"),
        ({"csat": 9}, "'csat'"),
        ({"title": ""}, "'title'"),
        ({"due_at": datetime(2026, 5, 7, 9, 0)}, "'due_at'"),  # naive time
    ],
)
def test_bad_edits_name_the_field(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        edit(make(), changes, at=later(3), actor="a")


def test_closed_and_cancelled_tickets_cannot_be_edited() -> None:
    cancelled, _ = transition(make(), S.CANCELLED, at=later(1), actor="a")
    with pytest.raises(TicketClosed, match="cancelled"):
        edit(cancelled, {"owner": "b"}, at=later(2), actor="a")


def test_complaint_judged_complex_gets_the_longer_clock() -> None:
    complaint = make(TicketType.COMPLAINT)
    assert complaint.due_at == datetime(2026, 5, 21, 23, 59, 59, tzinfo=SH)
    edited, event = edit(
        complaint, {"complexity": Complexity.COMPLEX}, at=later(5), actor="lead", sla=SlaPolicy()
    )
    assert edited.due_at == datetime(2026, 6, 5, 23, 59, 59, tzinfo=SH)  # 6 May + 30
    assert event is not None and set(event.changes) == {"complexity", "due_at"}


def test_escalation_hands_the_ticket_to_an_insurer() -> None:
    ticket = make(TicketType.COMPLAINT)
    insurer_due = datetime(2026, 5, 11, 18, 0, tzinfo=SH)
    escalated, event = escalate(
        ticket, "ins-pingan", due_at=insurer_due, at=later(15), actor="agent-7", note="请核实"
    )
    assert escalated.status is S.ESCALATED and escalated.insurer_id == "ins-pingan"
    assert escalated.first_response_at == later(15)
    assert escalated.due_at == insurer_due  # earlier than the 21 May complaint clock
    assert event.kind == "escalated" and event.note == "请核实"
    assert event.changes["status"] == ("new", "escalated")
    assert event.changes["insurer_id"] == (None, "ins-pingan")


def test_escalation_never_stretches_the_regulatory_clock() -> None:
    ticket = make(TicketType.COMPLAINT)
    late = datetime(2026, 6, 30, 18, 0, tzinfo=SH)
    escalated, event = escalate(ticket, "ins-a", due_at=late, at=later(1), actor="a", note=None)
    assert escalated.due_at == ticket.due_at
    assert "due_at" not in event.changes


def test_escalation_follows_the_workflow() -> None:
    pending, _ = transition(
        transition(make(), S.OPEN, at=later(1), actor="a")[0],
        S.PENDING_CUSTOMER,
        at=later(2),
        actor="a",
    )
    with pytest.raises(IllegalTransition, match="pending_customer to escalated"):
        escalate(pending, "ins-a", due_at=None, at=later(3), actor="a", note=None)


def test_notes() -> None:
    ticket = make()
    noted, event = add_note(ticket, "  客户要求回电  ", at=later(4), actor="agent-7")
    assert event.kind == "note" and event.note == "客户要求回电"
    assert noted.version == 2 and noted.status is S.NEW
    with pytest.raises(ValueError, match="empty"):
        add_note(ticket, "   ", at=later(5), actor="agent-7")


def test_complaint_due_date_as_the_law_counts_via_new_ticket() -> None:
    """6 Feb + 15 = Sat 21 Feb, inside the Spring Festival break → Tue 24 Feb (民法典 §203)."""
    ticket, _ = new_ticket(
        ticket_id="T-3",
        type=TicketType.COMPLAINT,
        title="投诉",
        created_at=datetime(2026, 2, 6, 10, 0, tzinfo=SH),
        created_by="a",
        sla=SlaPolicy(),
        calendar=WorkingCalendar(),
    )
    assert ticket.due_at is not None and ticket.due_at.date() == date(2026, 2, 24)
