"""Three-way ticket merge: different fields combine, same field differently is a conflict."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.sync.codec import Snapshot, apply_fields, merge_notes, note_of, ticket_fields
from cscdesk.sync.merge import merge3, resolve

BASE = {"title": "报销进度", "priority": "normal", "owner": "a1", "status": "open"}


def test_edits_to_different_fields_combine() -> None:
    local = {**BASE, "priority": "high"}
    remote = {**BASE, "owner": "a2"}
    result = merge3(BASE, local, remote)
    assert result.clean
    assert result.fields == {**BASE, "priority": "high", "owner": "a2"}


def test_same_field_changed_differently_is_a_conflict_and_nothing_is_overwritten() -> None:
    local = {**BASE, "status": "resolved"}
    remote = {**BASE, "status": "escalated", "owner": "a2"}
    result = merge3(BASE, local, remote)
    assert result.conflicts == ("status",)


def test_same_field_changed_to_the_same_value_is_not_a_conflict() -> None:
    both = {**BASE, "status": "resolved"}
    assert merge3(BASE, both, both).clean


def test_resolution_keeps_both_sides_clean_edits() -> None:
    local = {**BASE, "status": "resolved", "priority": "high"}
    remote = {**BASE, "status": "escalated", "owner": "a2"}
    assert resolve(BASE, local, remote, "local") == {
        **BASE,
        "status": "resolved",
        "priority": "high",
        "owner": "a2",
    }
    assert resolve(BASE, local, remote, {"status": "remote"})["status"] == "escalated"
    with pytest.raises(ValueError, match="status"):
        resolve(BASE, local, remote, {})
    with pytest.raises(ValueError, match="mine"):
        resolve(BASE, local, remote, "mine")


def _ticket() -> Ticket:
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    return Ticket(
        id="T-1",
        type=TicketType.COMPLAINT,
        status=TicketStatus.OPEN,
        priority=Priority.HIGH,
        title="理赔进度投诉",
        created_at=at,
        updated_at=at,
        created_by="a1",
        due_at=at,
    )


def test_ticket_fields_travel_through_the_remote_context_unchanged() -> None:
    ticket = _ticket()
    snapshot = Snapshot("T-1", 3, "site:T-1:4", ticket_fields(ticket))
    back = Snapshot.from_context(snapshot.to_context())
    assert back == snapshot
    assert apply_fields(ticket, back.fields) == ticket


def test_foreign_remote_tickets_are_recognised() -> None:
    assert Snapshot.from_context({"note": "made in the vendor console"}) is None


def test_notes_accumulate_once_each() -> None:
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    one = note_of(TicketEvent("T-1", at, "a1", "note", note="客户来电催办"))
    two = note_of(TicketEvent("T-1", at, "a2", "note", note="已联系保险公司"))
    assert merge_notes((one,), (two, one)) == merge_notes((two,), (one,))
    assert len(merge_notes((one,), (two, one))) == 2
