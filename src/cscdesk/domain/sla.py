"""SLA clocks: statutory due dates counted as the law counts, internal targets, urgency.

The days come from regulation (银行业保险业消费投诉处理管理办法 2020: complaints 15 / 30 / +30 days;
保险法 第23–25条: decide 30, pay 10, refusal notice 3, advance payment 60 days) and the hours are
internal targets; every number is configuration (``SlaPolicy`` mirrors ``config.SlaSettings``).

How a statutory limit is counted (民法典 §201–§203, reference cn-csc-standards.md §1.5): the
limits are written in calendar days (日), never 工作日; the day the period starts is not counted;
when the last day is a statutory holiday or rest day the period ends on the first working day
after it (调休 make-up days are working days); the period ends at 24:00 of its last day in the
center's time zone (here 23:59:59, so a moment at or before it is in time). Working-day counts
exist only as *internal* targets (:func:`internal_target_due`), never as the legal due date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import Complexity, TicketType

DEFAULT_RESOLUTION_HOURS: Mapping[str, float] = MappingProxyType(
    {
        TicketType.ENQUIRY.value: 48.0,
        TicketType.CLAIM_ASSIST.value: 240.0,
        TicketType.POLICY_CHANGE.value: 120.0,
        TicketType.FOLLOW_UP.value: 72.0,
        TicketType.FEEDBACK.value: 120.0,
        TicketType.URGENT.value: 4.0,
    }
)

END_OF_DAY = time(23, 59, 59)
CLAIM_TERM_KEYS = (
    "claim_decision_days",
    "claim_payment_days",
    "claim_refusal_notice_days",
    "claim_advance_payment_days",
)


@dataclass(frozen=True)
class SlaPolicy:
    """The clock settings; field names match ``config.SlaSettings`` so it can be built from it.

    ``insurer_claim_terms`` / ``contract_claim_terms`` override the four claim-duty days per
    insurer id or per group policy number: 保险法 §23 lets the contract set other terms
    ("合同另有约定的除外"). ``internal_complaint_target_working_days`` (0 = none) is the
    center's own earlier target in working days; it never replaces the statutory due date.
    """

    complaint_days: int = 15
    complaint_complex_days: int = 30
    complaint_extension_days: int = 30
    complaint_review_days: int = 30
    claim_decision_days: int = 30
    claim_payment_days: int = 10
    claim_refusal_notice_days: int = 3
    claim_advance_payment_days: int = 60
    first_response_hours: float = 24.0
    resolution_hours: Mapping[str, float] = field(default_factory=lambda: DEFAULT_RESOLUTION_HOURS)
    internal_complaint_target_working_days: int = 0
    insurer_claim_terms: Mapping[str, Mapping[str, int | None]] = field(default_factory=dict)
    contract_claim_terms: Mapping[str, Mapping[str, int | None]] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def complaint_days_for(self, complexity: Complexity) -> int:
        """15 days normally, 30 when complex, 30 + 30 when the extension was approved."""
        if complexity is Complexity.COMPLEX:
            return self.complaint_complex_days
        if complexity is Complexity.EXTENDED:
            return self.complaint_complex_days + self.complaint_extension_days
        return self.complaint_days


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")


@dataclass(frozen=True, slots=True)
class StatutoryDue:
    """One statutory period worked out, with what is needed to explain it to a person."""

    start_day: date  # day 0, not counted (民法典 §201)
    days: int  # calendar days
    nominal_day: date  # start_day + days
    due_day: date  # nominal_day rolled forward over rest days and holidays (§203)
    due_at: datetime  # end of due_day in the center's time zone
    holiday: str | None = None  # the library's name of nominal_day when it was a day off

    @property
    def rolled(self) -> bool:
        return self.due_day != self.nominal_day

    def rule(self) -> str:
        """Plain-language account of the count, for the command line and the desk."""
        text = (
            f"{self.days} calendar days after {self.start_day.isoformat()} (start day not"
            f" counted, 民法典 §201) = {self.nominal_day.isoformat()}"
        )
        if self.rolled:
            why = self.holiday or self.nominal_day.strftime("%A")
            text += (
                f", a day off ({why}); moved to the next working day"
                f" {self.due_day.isoformat()} (民法典 §203)"
            )
        return text + f"; ends 24:00 {self.due_at.tzinfo}"


def local_day(moment: datetime | date, policy: SlaPolicy) -> date:
    """The center's calendar day of a moment (a date is taken as already local)."""
    if isinstance(moment, datetime):
        _require_aware(moment, "clock start")
        return moment.astimezone(policy.zone).date()
    return moment


def statutory_due(
    start: datetime | date,
    days: int,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> StatutoryDue:
    """The legal due date of a period of ``days`` calendar days starting at ``start``."""
    calendar = calendar or WorkingCalendar()
    start_day = local_day(start, policy)
    nominal = start_day + timedelta(days=days)
    due_day = calendar.statutory_last_day(start_day, days)
    return StatutoryDue(
        start_day=start_day,
        days=days,
        nominal_day=nominal,
        due_day=due_day,
        due_at=datetime.combine(due_day, END_OF_DAY, tzinfo=policy.zone),
        holiday=calendar.holiday_name(nominal) if due_day != nominal else None,
    )


def day_clock_due(
    start: datetime,
    days: int,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """End (23:59:59 local) of the statutory last day of ``days`` calendar days after ``start``."""
    return statutory_due(start, days, policy, calendar).due_at


def internal_target_due(
    start: datetime | date,
    working_days: int,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """An internal target of ``working_days`` working days (调休 counted); not a legal due date.

    A target later than the statutory due date would hide real breaches, so it is capped there
    by the caller's choice of days; this function only counts.
    """
    day = (calendar or WorkingCalendar()).add_working_days(local_day(start, policy), working_days)
    return datetime.combine(day, END_OF_DAY, tzinfo=policy.zone)


def first_response_due(created_at: datetime, policy: SlaPolicy) -> datetime:
    """Internal first-response target: a plain number of hours after creation."""
    _require_aware(created_at, "created_at")
    return created_at + timedelta(hours=policy.first_response_hours)


def resolution_due(
    ticket_type: TicketType,
    created_at: datetime,
    complexity: Complexity,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """When a ticket must be resolved: the regulatory day clock for complaints, hours otherwise."""
    _require_aware(created_at, "created_at")
    if ticket_type is TicketType.COMPLAINT:
        return day_clock_due(created_at, policy.complaint_days_for(complexity), policy, calendar)
    hours = policy.resolution_hours.get(ticket_type.value)
    if hours is None:
        hours = DEFAULT_RESOLUTION_HOURS[ticket_type.value]
    return created_at + timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One running or finished clock: its due moment and when it was met (None while open)."""

    name: str
    due_at: datetime
    met_at: datetime | None = None

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at

    def breached(self, now: datetime) -> bool:
        """Missed: met after the due moment, or still open after it."""
        if self.met_at is not None:
            return self.met_late
        return now > self.due_at


class Urgency(StrEnum):
    OK = "ok"
    WARNING = "warning"  # under 25 % of the clock left
    CRITICAL = "critical"  # under 10 % left
    BREACHED = "breached"  # past due


WARNING_FRACTION = 0.25
CRITICAL_FRACTION = 0.10


def remaining(due_at: datetime, now: datetime) -> timedelta:
    """Time left on a clock; negative once it is past due."""
    return due_at - now


def urgency(due_at: datetime, now: datetime, total: timedelta) -> Urgency:
    """How alarmed the desk should be, by the share of the clock's ``total`` still left."""
    left = remaining(due_at, now)
    if left < timedelta(0):
        return Urgency.BREACHED
    if total <= timedelta(0):
        return Urgency.CRITICAL
    share = left / total
    if share < CRITICAL_FRACTION:
        return Urgency.CRITICAL
    if share < WARNING_FRACTION:
        return Urgency.WARNING
    return Urgency.OK
