"""SLA clocks: when a ticket is due, which insurer claim duties run, and how urgent a clock is.

The days come from regulation (银行业保险业消费投诉处理管理办法 2020: complaints 15 / 30 / +30 days;
保险法 第23–25条: decide 30, pay 10, refusal notice 3, advance payment 60 days) and the first-response
hours are an internal target; every number is configuration (``SlaPolicy`` mirrors
``config.SlaSettings``), never a constant in the rules.

A day-based clock ends at 23:59:59 local time of its last day: "within 15 days" gives the whole
15th day. The day the clock starts is day 0 whether counted in natural or working days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import Claim, ClaimStage, Complexity, TicketType

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


@dataclass(frozen=True)
class SlaPolicy:
    """The clock settings; field names match ``config.SlaSettings`` so it can be built from it."""

    complaint_days: int = 15
    complaint_complex_days: int = 30
    complaint_extension_days: int = 30
    claim_decision_days: int = 30
    claim_payment_days: int = 10
    claim_refusal_notice_days: int = 3
    claim_advance_payment_days: int = 60
    first_response_hours: float = 24.0
    resolution_hours: Mapping[str, float] = field(default_factory=lambda: DEFAULT_RESOLUTION_HOURS)
    working_days: bool = False  # count day clocks in working days on the official calendar
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


def day_clock_due(
    start: datetime,
    days: int,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """End (23:59:59 local) of the ``days``-th natural or working day after ``start``'s local day."""
    _require_aware(start, "clock start")
    zone = policy.zone
    start_day: date = start.astimezone(zone).date()
    if policy.working_days:
        due_day = (calendar or WorkingCalendar()).add_working_days(start_day, days)
    else:
        due_day = start_day + timedelta(days=days)
    return datetime.combine(due_day, END_OF_DAY, tzinfo=zone)


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


class ClaimDuty(StrEnum):
    """The insurer's statutory duties on a claim (保险法 第23–25条)."""

    DECISION = "decision"  # 核定: decide within 30 days of the claim
    PAYMENT = "payment"  # 赔付: pay within 10 days of agreeing the amount
    REFUSAL_NOTICE = "refusal_notice"  # 拒赔通知: within 3 days of deciding to refuse
    ADVANCE_PAYMENT = "advance_payment"  # 先行赔付: amount not fixed within 60 days


@dataclass(frozen=True, slots=True)
class Deadline:
    """One running or finished duty: its due moment and when it was met (None while open)."""

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


def claim_deadlines(
    claim: Claim,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> list[Deadline]:
    """The insurer duties that apply to a claim in its current stage.

    The decision and advance-payment clocks run from the report (报案) time, which is the
    broker's best knowledge of when the insurer had the claim. Payment runs from the decision
    unless the claim was refused; the refusal notice runs from the decision of a refused claim
    and counts as met when the stage became REFUSED (the moment the insurer told us).
    """
    calendar = calendar or (WorkingCalendar() if policy.working_days else None)
    decided = claim.decided_at
    deadlines = [
        Deadline(
            ClaimDuty.DECISION.value,
            day_clock_due(claim.reported_at, policy.claim_decision_days, policy, calendar),
            decided,
        ),
        Deadline(
            ClaimDuty.ADVANCE_PAYMENT.value,
            day_clock_due(claim.reported_at, policy.claim_advance_payment_days, policy, calendar),
            decided or claim.paid_at,
        ),
    ]
    if decided is not None and claim.stage is ClaimStage.REFUSED:
        deadlines.append(
            Deadline(
                ClaimDuty.REFUSAL_NOTICE.value,
                day_clock_due(decided, policy.claim_refusal_notice_days, policy, calendar),
                claim.stage_changed_at,
            )
        )
    elif decided is not None:
        deadlines.append(
            Deadline(
                ClaimDuty.PAYMENT.value,
                day_clock_due(decided, policy.claim_payment_days, policy, calendar),
                claim.paid_at,
            )
        )
    return deadlines


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
