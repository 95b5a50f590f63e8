"""Policy and claim numbers on a ticket are checked; the form's assignee becomes hand-over steps."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cscdesk.domain.desk_tickets import (
    TicketChange,
    TicketDraftFields,
    change_steps,
    ticket_from_draft,
)
from cscdesk.domain.models import Priority, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.ticket_refs import check_ref

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_number_is_the_customers_or_shaped_like_an_insurers() -> None:
    known = ["GP2026RUIAN001"]
    assert check_ref("policy_no", "", known=known, insurer_id=None) is None
    assert check_ref("policy_no", " gp2026ruian001 ", known=known, insurer_id=None) is None
    assert check_ref("claim_no", "BARU202600000042", known=[], insurer_id="ruian") is None
    problem = check_ref("policy_no", "AB12", known=known, insurer_id=None)
    assert problem is not None and problem.known == ("GP2026RUIAN001",)
    strict = {"ruian": re.compile(r"^RA\d{10}$")}
    assert (
        check_ref("claim_no", "RA2026000042", known=[], insurer_id="ruian", formats=strict) is None
    )
    assert check_ref("claim_no", "BARU202600000042", known=[], insurer_id="ruian",
                     formats=strict) is not None  # fmt: skip


def test_the_assignee_of_the_form_creates_and_moves_the_ticket() -> None:
    draft = TicketDraftFields(type=TicketType.ENQUIRY, priority=Priority.NORMAL, title="咨询")
    queued, _event = ticket_from_draft(draft, TicketChange(assign_to="group:sg_complaints"),
                                       ticket_id="T1", at=AT, actor="agent001",
                                       sla=SlaPolicy())  # fmt: skip
    assert (queued.owner, queued.group_id) == (None, "sg_complaints")
    mine, _event = ticket_from_draft(draft, TicketChange(), ticket_id="T2", at=AT,
                                     actor="agent001", sla=SlaPolicy())  # fmt: skip
    assert mine.owner == "agent001"
    steps = change_steps(queued, TicketChange(assign_to="agent:agent002"), at=AT,
                         actor="agent001", sla=SlaPolicy())  # fmt: skip
    assert [(e.kind, t.owner) for t, e in steps] == [("assigned", "agent002")]
    assert change_steps(queued, TicketChange(assign_to="group:sg_complaints"), at=AT,
                        actor="agent001", sla=SlaPolicy()) == []  # fmt: skip
