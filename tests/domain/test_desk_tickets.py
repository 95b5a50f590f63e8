"""The desk's ticket rules without a terminal: wrap-up → draft, the editor's decision → steps,
and the steps saved all together or not at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cscdesk.domain.desk_tickets import (
    TicketChange,
    change_steps,
    draft_from_wrap_up,
    ticket_from_draft,
)
from cscdesk.domain.models import IdType, Member, Priority, Sex, TicketStatus, TicketType
from cscdesk.domain.sla import SlaPolicy

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SLA = SlaPolicy()


def _member(*flags: str) -> Member:
    return Member("m1", "王小明", IdType.RESIDENT_ID, "110101199001011234", date(1990, 1, 1),
                  Sex.MALE, "13800000000", "e1", flags=flags)  # fmt: skip


def test_a_complaint_wrap_up_drafts_a_high_priority_complaint_about_the_selected_claim() -> None:
    draft = draft_from_wrap_up(
        code="complaint", code_label="投诉登记", type_label="complaint", notes="理赔太慢" * 20,
        member=_member(), contact_id="c1", policy=("ruian", "P1"), claim=("jiahe", "C9"),
    )  # fmt: skip
    assert (draft.type, draft.priority) == (TicketType.COMPLAINT, Priority.HIGH)
    assert draft.title == "投诉登记: " + ("理赔太慢" * 20)[:40]
    assert (draft.policy_no, draft.claim_no, draft.insurer_id) == ("P1", "C9", "jiahe")
    assert (draft.member_id, draft.contact_id) == ("m1", "c1")


def test_a_vip_caller_raises_priority_and_an_unknown_code_gives_an_enquiry() -> None:
    vip = draft_from_wrap_up(code="resolved", code_label="", type_label="enquiry", notes="",
                             member=_member("vip"), contact_id="c2", policy=None, claim=None)  # fmt: skip
    plain = draft_from_wrap_up(code="odd", code_label="", type_label="enquiry", notes="",
                               member=None, contact_id="c3", policy=None, claim=None)  # fmt: skip
    assert (vip.type, vip.priority, vip.title) == (TicketType.ENQUIRY, Priority.HIGH, "enquiry")
    assert (plain.priority, plain.member_id, plain.insurer_id) == (Priority.NORMAL, None, None)


def _ticket() -> tuple:  # type: ignore[type-arg]
    draft = draft_from_wrap_up(code="claim_progress", code_label="理赔进度查询", type_label="",
                               notes="", member=_member(), contact_id="c1", policy=None,
                               claim=("jiahe", "C9"))  # fmt: skip
    return ticket_from_draft(draft, TicketChange(), ticket_id="T-1", at=NOW, actor="a1", sla=SLA)


def test_edit_escalate_and_note_become_steps_in_order_with_the_note_on_the_escalation() -> None:
    ticket, _event = _ticket()
    change = TicketChange(fields={"priority": "high"}, escalate_to="jiahe", note="请加急",
                          escalate_due=NOW + timedelta(days=1))  # fmt: skip
    steps = change_steps(ticket, change, at=NOW, actor="a1", sla=SLA)
    assert [event.kind for _t, event in steps] == ["field", "escalated"]
    assert steps[-1][1].note == "请加急" and steps[-1][0].status is TicketStatus.ESCALATED
    moved = change_steps(ticket, TicketChange(transition=TicketStatus.OPEN, note="已联系"),
                         at=NOW, actor="a1", sla=SLA)  # fmt: skip
    assert [event.kind for _t, event in moved] == ["status", "note"]
    assert change_steps(ticket, TicketChange(), at=NOW, actor="a1", sla=SLA) == []


def test_the_steps_are_saved_in_one_transaction_all_or_nothing(tmp_path: Path) -> None:
    """A step that fails undoes the ones before it: the ticket stays as the agent found it."""
    from cscdesk.store import open_store
    from cscdesk.store.tickets import UnknownTicket
    from cscdesk.tui.data import DeskData

    store = open_store(tmp_path / "desk.db")
    try:
        ticket, event = _ticket()
        ticket = store.tickets.save_new(ticket, event)
        data = DeskData(store, actor=lambda: "a1")
        change = TicketChange(fields={"priority": "high"}, transition=TicketStatus.OPEN)
        steps = change_steps(ticket, change, at=NOW, actor="a1", sla=SLA)
        assert len(steps) == 2
        broken = [steps[0], (replace(steps[1][0], id="T-gone"), steps[1][1])]
        with pytest.raises(UnknownTicket):
            data.save_changes(ticket, broken)
        assert store.tickets.get("T-1") == ticket
        assert [e.kind for e in store.tickets.events("T-1")] == ["created"]
        saved = data.save_changes(ticket, steps)
        assert saved.status is TicketStatus.OPEN and saved.priority is Priority.HIGH
        assert [e.kind for e in store.tickets.events("T-1")] == ["created", "field", "status"]
    finally:
        store.close()
