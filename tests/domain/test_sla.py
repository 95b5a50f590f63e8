"""SLA clocks: statutory due dates as the law counts them, internal targets, urgency.

Law relied on (reference cn-csc-standards.md §1.4–§1.5):
- 银行业保险业消费投诉处理管理办法 (2020): decide and tell the complainant "15日内"; complex
  cases 30日; especially complex + 30日 with approval. Written in 日 (calendar days); the same
  rules write "工作日" where working days are meant.
- 民法典 §201: "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算。"
- 民法典 §203: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。"
  and "期间的最后一日的截止时间为二十四时".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cscdesk.config import SlaSettings
from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import Complexity, TicketType
from cscdesk.domain.sla import (
    SlaPolicy,
    Urgency,
    first_response_due,
    internal_target_due,
    remaining,
    resolution_due,
    statutory_due,
    urgency,
)

SH = ZoneInfo("Asia/Shanghai")
POLICY = SlaPolicy()
CAL = WorkingCalendar()


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SH)


def test_policy_builds_from_the_config_section() -> None:
    settings = SlaSettings(
        complaint_days=10,
        internal_complaint_target_working_days=5,
        insurer_claim_terms={"ins-a": {"claim_decision_days": 20}},
    )
    policy = SlaPolicy(**settings.model_dump())
    assert policy.complaint_days == 10
    assert policy.internal_complaint_target_working_days == 5
    assert policy.insurer_claim_terms["ins-a"]["claim_decision_days"] == 20
    assert policy.resolution_hours["urgent"] == 4.0


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Done-when cases of issue 17 (reference §1.5 worked cases)
        (date(2026, 2, 12), date(2026, 2, 27)),  # 12 Feb + 15 = Fri 27 Feb, a working day
        (date(2026, 9, 16), date(2026, 10, 8)),  # + 15 = 1 Oct 国庆; break ends 7 Oct
        # The date tests/domain/test_sla.py used to assert as 21 Feb: Sat 21 Feb is in the
        # Spring Festival break (15–23 Feb), so the period ends on Tue 24 Feb.
        (date(2026, 2, 6), date(2026, 2, 24)),
    ],
)
def test_complaint_due_as_the_law_counts(received: date, due: date) -> None:
    start = datetime.combine(received, datetime.min.time(), tzinfo=SH) + timedelta(hours=10)
    got = resolution_due(TicketType.COMPLAINT, start, Complexity.NORMAL, POLICY, CAL)
    assert got == end_of(due)


def test_refusal_notice_across_national_day() -> None:
    """保险法 §24: refusal notice "三日内"; decided 28 Sep + 3 = 1 Oct (国庆) → 8 Oct."""
    worked = statutory_due(date(2026, 9, 28), 3, POLICY, CAL)
    assert worked.nominal_day == date(2026, 10, 1)
    assert worked.due_day == date(2026, 10, 8)
    assert "民法典 §203" in worked.rule() and "2026-10-08" in worked.rule()


def test_a_period_ending_on_a_make_up_saturday_does_not_move() -> None:
    """Sat 14 Feb 2026 is a 调休 working day: not a rest day, so §203 does not apply."""
    worked = statutory_due(date(2026, 2, 4), 10, POLICY, CAL)
    assert worked.due_day == date(2026, 2, 14) and not worked.rolled


def test_ordinary_weekend_rolls_to_monday() -> None:
    worked = statutory_due(date(2026, 3, 6), 15, POLICY, CAL)  # + 15 = Sat 21 Mar
    assert worked.nominal_day == date(2026, 3, 21)
    assert worked.due_day == date(2026, 3, 23)


def test_complex_and_extended_complaints_also_roll() -> None:
    received = datetime(2026, 2, 6, 10, 0, tzinfo=SH)
    # + 30 = Sun 8 Mar → Mon 9 Mar; + 60 = Tue 7 Apr, a working day
    assert resolution_due(
        TicketType.COMPLAINT, received, Complexity.COMPLEX, POLICY, CAL
    ) == end_of(date(2026, 3, 9))
    assert resolution_due(
        TicketType.COMPLAINT, received, Complexity.EXTENDED, POLICY, CAL
    ) == end_of(date(2026, 4, 7))


def test_working_days_only_as_an_internal_target() -> None:
    """15 working days from 6 Feb is 5 Mar (调休 Saturdays counted) — later than the legal
    24 Feb, which is why it may only be an internal target and never the due date."""
    received = datetime(2026, 2, 6, 10, 0, tzinfo=SH)
    assert internal_target_due(received, 15, POLICY, CAL) == end_of(date(2026, 3, 5))
    legal = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, POLICY, CAL)
    assert legal == end_of(date(2026, 2, 24))


def test_day_clock_uses_the_local_day_not_utc() -> None:
    # 20:00 UTC on 6 Feb is 04:00 on Sat 7 Feb in Shanghai: day 0 is 7 Feb.
    received = datetime(2026, 2, 6, 20, 0, tzinfo=UTC)
    # 7 Feb + 15 = Sun 22 Feb, still in the break → Tue 24 Feb
    due = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, POLICY, CAL)
    assert due == end_of(date(2026, 2, 24))


def test_configured_days_are_used() -> None:
    received = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
    policy = SlaPolicy(complaint_days=10)
    due = resolution_due(TicketType.COMPLAINT, received, Complexity.NORMAL, policy, CAL)
    assert due == end_of(date(2026, 5, 18))  # 6 May + 10 = Sat 16 May → Mon 18 May


def test_other_types_use_resolution_hours() -> None:
    created = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
    assert resolution_due(
        TicketType.ENQUIRY, created, Complexity.NORMAL, POLICY, CAL
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
    assert first_response_due(created, POLICY) == created + timedelta(hours=24)
    assert first_response_due(created, SlaPolicy(first_response_hours=2.5)) == created + timedelta(
        hours=2, minutes=30
    )


def test_naive_times_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        first_response_due(datetime(2026, 5, 6, 9, 0), POLICY)


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
