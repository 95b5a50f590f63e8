"""Small domain objects to put in a test store."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cscdesk.domain.models import (
    Employer,
    IdType,
    Member,
    Priority,
    Relation,
    Sex,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def employer(eid: str = "E1") -> Employer:
    return Employer(eid, f"演示单位{eid}")


def member(
    mid: str,
    name: str,
    id_number: str,
    mobile: str | None,
    *,
    employer_id: str = "E1",
    relation: Relation = Relation.SELF,
    main: str | None = None,
    employee_no: str | None = None,
) -> Member:
    return Member(
        id=mid,
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number=id_number,
        birth_date=date(1990, 1, 1),
        sex=Sex.MALE,
        mobile=mobile,
        employer_id=employer_id,
        employee_no=employee_no,
        relation=relation,
        main_member_id=main or mid,
    )


def ticket(tid: str, title: str = "咨询门诊报销比例", **extra: object) -> Ticket:
    fields: dict[str, object] = {
        "id": tid,
        "type": TicketType.ENQUIRY,
        "status": TicketStatus.NEW,
        "priority": Priority.NORMAL,
        "title": title,
        "created_at": T0,
        "updated_at": T0,
        "created_by": "agent001@ccc-demo",
        "owner": "agent001@ccc-demo",
    }
    fields.update(extra)
    return Ticket(**fields)  # type: ignore[arg-type]


def created(t: Ticket) -> TicketEvent:
    return TicketEvent(t.id, t.created_at, t.created_by, "created")
