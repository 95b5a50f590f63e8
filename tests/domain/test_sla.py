"""SLA clocks: complaint days (natural and working), first response, claim duties, urgency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cscdesk.config import SlaSettings
from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import Claim, ClaimStage, Complexity, TicketType
from cscdesk.domain.sla import (
    ClaimDuty,
    Deadline,
    SlaPolicy,
    Urgency,
    claim_deadlines,
    first_response_due,
    remaining,
    resolution_due,
    urgency,
)

SH = ZoneInfo("Asia/Shanghai")
NATURAL = SlaPolicy()
WORKING = SlaPolicy(working_days=True)
CAL = WorkingCalendar()


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SH)


def test_policy_builds_from_the_config_section() -> None:
    settings = SlaSettings(complaint_days=10, working_days=True)
    policy = SlaPolicy(**settings.model_dump())
    assert policy.complaint_days == 10
    assert policy.working_days
    assert policy.resolution_hours["urgent"] == 4.0


def test_complaint_before_spring_festival_in_working_days() -> None:
    """Received Fri 6 Feb 2026. Counting working days after it (day 0 = 6 Feb):
    9,10,11,12,13 Feb = 1..5; Sat 14 Feb (调休) = 6; 15–23 Feb off (break + weekend);
    24,25,26,27 Feb = 7..10; Sat 28 Feb (调休) = 11; 2,3,4,5 Mar = 12..15 → due 5 Mar 23:59:59.
    """
    received = datetime(2026, 2, 6, 10, 0, tzinfo=SH)
    due = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, WORKING, CAL)
    assert due == end_of(date(2026, 3, 5))
    # Without the two 调休 Saturdays it would have run to 9 Mar: they really counted.
    assert CAL.working_days_between(date(2026, 2, 6), date(2026, 3, 5)) == 15


def test_complaint_in_natural_days() -> None:
    received = datetime(2026, 2, 6, 10, 0, tzinfo=SH)
    # 6 Feb + 15 = 21 Feb, holidays or not
    assert resolution_due(
        TicketType.COMPLAINT, received, Complexity.NORMAL, NATURAL, CAL
    ) == end_of(date(2026, 2, 21))
    # complex: 6 Feb + 30 = 8 Mar; extended: + 60 = 7 Apr
    assert resolution_due(
        TicketType.COMPLAINT, received, Complexity.COMPLEX, NATURAL, CAL
    ) == end_of(date(2026, 3, 8))
    assert resolution_due(
        TicketType.COMPLAINT, received, Complexity.EXTENDED, NATURAL, CAL
    ) == end_of(date(2026, 4, 7))


def test_day_clock_uses_the_local_day_not_utc() -> None:
    # 20:00 UTC on 6 Feb is 04:00 on Sat 7 Feb in Shanghai: day 0 is 7 Feb.
    received = datetime(2026, 2, 6, 20, 0, tzinfo=UTC)
    due = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, NATURAL, CAL)
    assert due == end_of(date(2026, 2, 22))


def test_configured_days_are_used() -> None:
    received = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
    policy = SlaPolicy(complaint_days=10)
    due = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, policy, CAL)
    assert due == end_of(date(2026, 5, 16))


def test_other_types_use_resolution_hours() -> None:
    created = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
    assert resolution_due(
        TicketType.ENQUIRY, created, Complexity.NORMAL, NATURAL, CAL
    ) == created + timedelta(hours=48)
    policy = SlaPolicy(resolution_hours={"enquiry": 8.0})
    assert resolution_due(
        TicketType.ENQUIRY, created, Complexity.NORMAL, policy, CAL
    ) == created + timedelta(hours=8)
    # a type the deployment left out keeps its default instead of having no clock
    assert resolution_due(
        TicketType.URGENT, created, Complexity.NORMAL, policy, CAL
    ) == created + timedelta(hours=4)


def test_first_response_due() -> None:
    created = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
    assert first_response_due(created, NATURAL) == created + timedelta(hours=24)
    assert first_response_due(created, SlaPolicy(first_response_hours=2.5)) == created + timedelta(
        hours=2, minutes=30
    )


def test_naive_times_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        first_response_due(datetime(2026, 5, 6, 9, 0), NATURAL)


def make_claim(**changes: object) -> Claim:
    claim = Claim(
        claim_no="BA2026001",
        insurer_id="ins-a",
        policy_no="GP001",
        member_id="m1",
        accident_date=date(2026, 2, 25),
        reported_at=datetime(2026, 3, 2, 9, 0, tzinfo=SH),
        stage=ClaimStage.UNDER_REVIEW,
        amount_claimed=Decimal("1200.00"),
    )
    return replace(claim, **changes)  # type: ignore[arg-type]


def by_name(claim: Claim, policy: SlaPolicy = NATURAL) -> dict[str, Deadline]:
    return {d.name: d for d in claim_deadlines(claim, policy, CAL)}


def test_undecided_claim_runs_decision_and_advance_payment_clocks() -> None:
    deadlines = by_name(make_claim())
    assert set(deadlines) == {ClaimDuty.DECISION, ClaimDuty.ADVANCE_PAYMENT}
    decision = deadlines[ClaimDuty.DECISION]
    # reported 2 Mar + 30 = 1 Apr; + 60 = 1 May
    assert decision.due_at == end_of(date(2026, 4, 1))
    assert decision.met_at is None
    assert decision.breached(datetime(2026, 4, 2, tzinfo=SH))
    assert not decision.breached(datetime(2026, 4, 1, 18, 0, tzinfo=SH))
    assert deadlines[ClaimDuty.ADVANCE_PAYMENT].due_at == end_of(date(2026, 5, 1))


def test_settled_claim_must_be_paid_within_ten_days_of_the_decision() -> None:
    decided = datetime(2026, 3, 20, 15, 0, tzinfo=SH)
    deadlines = claim_deadlines(
        make_claim(stage=ClaimStage.SETTLED, decided_at=decided), NATURAL, CAL
    )
    names = [d.name for d in deadlines]
    assert ClaimDuty.REFUSAL_NOTICE not in names
    payment = next(d for d in deadlines if d.name == ClaimDuty.PAYMENT)
    assert payment.due_at == end_of(date(2026, 3, 30))  # 20 Mar + 10
    assert payment.breached(datetime(2026, 3, 31, 0, 0, 1, tzinfo=SH))
    decision = next(d for d in deadlines if d.name == ClaimDuty.DECISION)
    assert decision.met_at == decided and not decision.met_late


def test_refused_claim_notice_within_three_days() -> None:
    decided = datetime(2026, 3, 20, 15, 0, tzinfo=SH)
    notified = datetime(2026, 3, 25, 10, 0, tzinfo=SH)
    deadlines = claim_deadlines(
        make_claim(stage=ClaimStage.REFUSED, decided_at=decided, stage_changed_at=notified),
        NATURAL,
        CAL,
    )
    assert ClaimDuty.PAYMENT not in [d.name for d in deadlines]
    notice = next(d for d in deadlines if d.name == ClaimDuty.REFUSAL_NOTICE)
    assert notice.due_at == end_of(date(2026, 3, 23))  # 20 Mar + 3
    assert notice.met_late  # told on 25 Mar: two days late


def test_claim_clocks_in_working_days_across_the_festival() -> None:
    """Decided Fri 13 Feb 2026. Payment, 10 working days: Sat 14 (调休) = 1, 24–27 Feb = 2..5,
    Sat 28 (调休) = 6, 2–5 Mar = 7..10 → 5 Mar. Refusal notice, 3 working days → 25 Feb."""
    decided = datetime(2026, 2, 13, 11, 0, tzinfo=SH)
    paid = make_claim(
        reported_at=datetime(2026, 2, 2, 9, 0, tzinfo=SH),
        stage=ClaimStage.SETTLED,
        decided_at=decided,
    )
    payment = by_name(paid, WORKING)[ClaimDuty.PAYMENT]
    assert payment.due_at == end_of(date(2026, 3, 5))
    refused = replace(paid, stage=ClaimStage.REFUSED)
    notice = by_name(refused, WORKING)[ClaimDuty.REFUSAL_NOTICE]
    assert notice.due_at == end_of(date(2026, 2, 25))


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(days=5), Urgency.OK),  # 50 % left
        (timedelta(days=2.5), Urgency.OK),  # exactly 25 %: not yet a warning
        (timedelta(days=2), Urgency.WARNING),  # 20 %
        (timedelta(hours=12), Urgency.CRITICAL),  # 5 %
        (timedelta(0), Urgency.CRITICAL),  # due this very second
        (-timedelta(seconds=1), Urgency.BREACHED),
    ],
)
def test_urgency_by_share_of_clock_left(left: timedelta, expected: Urgency) -> None:
    due = datetime(2026, 5, 16, 23, 59, 59, tzinfo=SH)
    now = due - left
    assert urgency(due, now, timedelta(days=10)) is expected
    assert remaining(due, now) == left
