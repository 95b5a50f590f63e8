"""A complaint's handling as the regulator would check it, step by step, with its own clocks.

银行业保险业消费投诉处理管理办法 (2020, reference cn-csc-standards.md §1.4): decide and tell the
complainant within 15 days of receipt; a complex case up to 30 days; an especially complex one a
further 30 days with the approval of a senior manager and notice to the complainant; time spent
on external 鉴定/检测/评估 does not count, but the complainant must be told; a complainant who
disagrees may ask for 核查 (review), itself decided within 30 days. Periods count as the law
counts (``domain.sla.statutory_due``, 民法典 §201–§203).

A complaint is its own record beside the ticket it came from (``ticket_id``): the ticket keeps
the desk's work, the complaint keeps what the regulator asks about. Every step returns a new
:class:`Complaint`; a step that the rules do not allow raises :class:`ComplaintStepError`
naming the complaint and what was wrong. Reopening is not a step: a complainant who disagrees
asks for 核查, which runs its own clock instead of leaving the old one breached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.retention import Dispute
from cscdesk.domain.sla import SlaPolicy, StatutoryDue, local_day, statutory_due


class ComplaintChannel(StrEnum):
    """Where the complaint came from (the regulator's statistics ask for it)."""

    HOTLINE = "hotline"  # 400 热线
    REGULATOR_TRANSFER = "regulator_transfer"  # 监管转办
    PLATFORM_12378 = "12378"  # 12378 银行保险消费者投诉维权热线
    LETTER = "letter"  # 信函
    ONLINE = "online"  # 网络 / 邮件 / 线上
    VISIT = "visit"  # 来访


class ComplaintCategory(StrEnum):
    """What it is about, in the business groups the regulator's statistics use."""

    CLAIMS = "claims"  # 理赔
    SALES = "sales"  # 销售
    POLICY_SERVICE = "policy_service"  # 保全 / 退保
    SERVICE_QUALITY = "service_quality"  # 服务态度 / 服务质量
    PREMIUM = "premium"  # 保费 / 费用
    OTHER = "other"


class ComplaintState(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"  # the complainant was told it is being handled
    APPRAISAL = "appraisal"  # external 鉴定/检测/评估 running: the clock is stopped
    DECIDED = "decided"  # decision notice sent
    REVIEW_REQUESTED = "review_requested"  # 核查 asked for
    REVIEW_DECIDED = "review_decided"  # 核查 decision sent
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset(
    {
        ComplaintState.RECEIVED,
        ComplaintState.ACKNOWLEDGED,
        ComplaintState.APPRAISAL,
        ComplaintState.REVIEW_REQUESTED,
    }
)


class ComplaintStepError(ValueError):
    """A step the rules do not allow now; the message names the complaint and the reason."""


@dataclass(frozen=True, slots=True)
class Notice:
    """What was told to the complainant, how and when (the regulator asks to see it)."""

    content: str
    method: str  # phone (recorded) / letter / sms / email / in person
    at: datetime
    reasons: str = ""
    remedies: str = ""  # what the complainant is offered, or how to ask for 核查 / go further


@dataclass(frozen=True, slots=True)
class Extension:
    days: int  # the new total limit (30 or 60)
    reason: str
    approver: str | None  # required for the second extension (60 days)
    notice: Notice
    at: datetime


@dataclass(frozen=True, slots=True)
class Appraisal:
    """External 鉴定/检测/评估: the days it takes do not count; the complainant is told."""

    what: str
    started_at: datetime
    notice: Notice
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Complaint:
    id: str
    received_at: datetime
    channel: ComplaintChannel
    category: ComplaintCategory
    state: ComplaintState = ComplaintState.RECEIVED
    ticket_id: str | None = None
    member_id: str | None = None
    insurer_id: str | None = None
    summary: str = ""
    acknowledged: Notice | None = None
    extensions: tuple[Extension, ...] = ()
    appraisals: tuple[Appraisal, ...] = ()
    decision: Notice | None = None
    review_requested_at: datetime | None = None
    review_decision: Notice | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def limit_days(self, policy: SlaPolicy) -> int:
        return self.extensions[-1].days if self.extensions else policy.complaint_days


def _fail(complaint: Complaint, text: str) -> ComplaintStepError:
    return ComplaintStepError(f"complaint {complaint.id}: {text}")


def _need_open(complaint: Complaint, step: str) -> None:
    if not complaint.is_open:
        raise _fail(complaint, f"cannot {step}: it is {complaint.state.value}")


def _need_notice(complaint: Complaint, notice: Notice, step: str) -> None:
    if not notice.content.strip() or not notice.method.strip():
        raise _fail(complaint, f"{step} needs a notice with content and method")


def paused_days(complaint: Complaint, now: datetime, policy: SlaPolicy) -> int:
    """Whole days spent in external appraisal (an open one counts up to ``now``)."""
    return sum(
        max(0, (local_day(a.ended_at or now, policy) - local_day(a.started_at, policy)).days)
        for a in complaint.appraisals
    )


def decision_due(
    complaint: Complaint, policy: SlaPolicy, now: datetime, calendar: WorkingCalendar | None = None
) -> StatutoryDue:
    """The decision's legal due date: 15/30/60 days from receipt plus days of appraisal."""
    days = complaint.limit_days(policy) + paused_days(complaint, now, policy)
    return statutory_due(complaint.received_at, days, policy, calendar)


def review_due(
    complaint: Complaint, policy: SlaPolicy, calendar: WorkingCalendar | None = None
) -> StatutoryDue | None:
    """The 核查 decision's own due date (30 days from the request); None when none was asked."""
    if complaint.review_requested_at is None:
        return None
    return statutory_due(
        complaint.review_requested_at, policy.complaint_review_days, policy, calendar
    )


def breached(
    complaint: Complaint, policy: SlaPolicy, now: datetime, calendar: WorkingCalendar | None = None
) -> bool:
    """The decision came (or is) late; once 核查 was asked, its own 30-day clock counts too.

    A withdrawal stops the clocks at the moment it was made; a reopened complaint does not
    exist, so nothing shows breached merely because the complainant came back.
    """
    decided = complaint.decision.at if complaint.decision else None
    stop = decided or complaint.withdrawn_at or now
    late = stop > decision_due(complaint, policy, stop, calendar).due_at
    review = review_due(complaint, policy, calendar)
    if review is not None:
        met = complaint.review_decision.at if complaint.review_decision else None
        late = late or (met or complaint.withdrawn_at or now) > review.due_at
    return late


def new_complaint(
    complaint_id: str,
    *,
    received_at: datetime,
    channel: ComplaintChannel | str,
    category: ComplaintCategory | str,
    ticket_id: str | None = None,
    member_id: str | None = None,
    insurer_id: str | None = None,
    summary: str = "",
) -> Complaint:
    if received_at.tzinfo is None:
        raise ComplaintStepError(f"complaint {complaint_id}: received_at must be timezone-aware")
    try:
        chan, cat = ComplaintChannel(channel), ComplaintCategory(category)
    except ValueError:
        raise ComplaintStepError(
            f"complaint {complaint_id}: channel must be one of"
            f" {', '.join(c.value for c in ComplaintChannel)} and category one of"
            f" {', '.join(c.value for c in ComplaintCategory)}; got {channel!r}, {category!r}"
        ) from None
    return Complaint(complaint_id, received_at, chan, cat, ticket_id=ticket_id,
                     member_id=member_id, insurer_id=insurer_id, summary=summary)  # fmt: skip


def acknowledge(complaint: Complaint, notice: Notice) -> Complaint:
    _need_open(complaint, "acknowledge it")
    _need_notice(complaint, notice, "acknowledgement")
    if complaint.state is not ComplaintState.RECEIVED:
        raise _fail(complaint, "it was already acknowledged")
    return replace(complaint, acknowledged=notice, state=ComplaintState.ACKNOWLEDGED)


def extend(
    complaint: Complaint,
    *,
    reason: str,
    notice: Notice,
    approver: str | None,
    at: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> Complaint:
    """15 → 30 days (complex), then 30 → 60 (especially complex, approved): never after the due
    date has passed, always with notice, the second one only with a named approver."""
    _need_open(complaint, "extend it")
    if complaint.review_requested_at is not None or complaint.decision is not None:
        raise _fail(complaint, "only the first decision's clock can be extended")
    _need_notice(complaint, notice, "an extension")
    if not reason.strip():
        raise _fail(complaint, "an extension needs the reason the case is complex")
    steps = (
        policy.complaint_complex_days,
        policy.complaint_complex_days + policy.complaint_extension_days,
    )
    if len(complaint.extensions) >= len(steps):
        raise _fail(complaint, f"it was already extended to {steps[-1]} days, the most allowed")
    days = steps[len(complaint.extensions)]
    if len(complaint.extensions) == 1 and not (approver and approver.strip()):
        raise _fail(complaint, f"extending to {days} days needs the approving senior manager")
    if at > decision_due(complaint, policy, at, calendar).due_at:
        raise _fail(complaint, "the due date has passed: an extension cannot cure a breach")
    extension = Extension(days, reason, approver, notice, at)
    return replace(complaint, extensions=(*complaint.extensions, extension))


def start_appraisal(complaint: Complaint, *, what: str, at: datetime, notice: Notice) -> Complaint:
    _need_open(complaint, "pause it for appraisal")
    _need_notice(complaint, notice, "an appraisal pause")
    if complaint.state is ComplaintState.APPRAISAL:
        raise _fail(complaint, "an appraisal is already running")
    if complaint.review_requested_at is not None:
        raise _fail(complaint, "the 核查 clock is not paused for appraisal here")
    appraisal = Appraisal(what, at, notice)
    return replace(complaint, appraisals=(*complaint.appraisals, appraisal),
                   state=ComplaintState.APPRAISAL)  # fmt: skip


def end_appraisal(complaint: Complaint, *, at: datetime) -> Complaint:
    if complaint.state is not ComplaintState.APPRAISAL:
        raise _fail(complaint, "no appraisal is running")
    last = replace(complaint.appraisals[-1], ended_at=at)
    state = ComplaintState.ACKNOWLEDGED if complaint.acknowledged else ComplaintState.RECEIVED
    return replace(complaint, appraisals=(*complaint.appraisals[:-1], last), state=state)


def _check_decision(complaint: Complaint, notice: Notice) -> None:
    _need_notice(complaint, notice, "a decision")
    if not notice.reasons.strip():
        raise _fail(complaint, "a decision notice needs its reasons")
    if not notice.remedies.strip():
        raise _fail(complaint, "a decision notice needs the remedies (or how to ask for 核查)")


def decide(complaint: Complaint, notice: Notice) -> Complaint:
    """Record the decision notice: content, reasons, remedies, method and time."""
    if complaint.state not in (ComplaintState.RECEIVED, ComplaintState.ACKNOWLEDGED):
        raise _fail(complaint, f"cannot decide it while {complaint.state.value}")
    _check_decision(complaint, notice)
    return replace(complaint, decision=notice, state=ComplaintState.DECIDED)


def request_review(complaint: Complaint, *, at: datetime) -> Complaint:
    """核查: the complainant disagrees with the decision; a new 30-day clock starts."""
    if complaint.state is not ComplaintState.DECIDED:
        raise _fail(complaint, "核查 can be asked for only after a decision")
    return replace(complaint, review_requested_at=at, state=ComplaintState.REVIEW_REQUESTED)


def decide_review(complaint: Complaint, notice: Notice) -> Complaint:
    if complaint.state is not ComplaintState.REVIEW_REQUESTED:
        raise _fail(complaint, "no 核查 is waiting for a decision")
    _check_decision(complaint, notice)
    return replace(complaint, review_decision=notice, state=ComplaintState.REVIEW_DECIDED)


def withdraw(complaint: Complaint, *, at: datetime, reason: str) -> Complaint:
    """The complainant withdraws: allowed from any open state, escalated or not."""
    _need_open(complaint, "withdraw it")
    if not reason.strip():
        raise _fail(complaint, "a withdrawal needs how the complainant said so")
    return replace(complaint, withdrawn_at=at, withdrawal_reason=reason,
                   state=ComplaintState.WITHDRAWN)  # fmt: skip


def as_dispute(complaint: Complaint, policy: SlaPolicy) -> Dispute:
    """The complaint as a dispute for retention: open while it runs, ended on its last notice
    (核查 decision, decision, or withdrawal) in the center's calendar."""
    opened = local_day(complaint.received_at, policy)
    if complaint.is_open:
        return Dispute(opened)
    last = complaint.review_decision or complaint.decision
    end = complaint.withdrawn_at if complaint.state is ComplaintState.WITHDRAWN else None
    moment = end or (last.at if last else complaint.received_at)
    return Dispute(opened, local_day(moment, policy))
