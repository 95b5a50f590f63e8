"""The insurer's statutory duties on one claim, as clocks the desk and the scorecard can show.

保险法 §23: decide "及时…情形复杂的，应当在三十日内作出核定" and pay "十日内" after the amount is
agreed; §24: a refusal notice "自作出核定之日起三日内"; §25: "自收到…请求和有关证明、资料之日起
六十日内" pay the part that can be fixed. Each term yields to the contract ("合同另有约定的除外"),
so the days come from :func:`claim_terms` (contract, then insurer, then the [sla] defaults).

When the clocks start (reference cn-csc-standards.md §1.5): decision and advance payment from
receipt of the claim *and its documents*; the decision clock does not run while the insurer has
asked for further documents (补材料; 保险法司法解释(二) §15, the time from the notice to the
documents' arrival is deducted); payment from the agreement on the amount, not the decision.
Periods are counted as :func:`cscdesk.domain.sla.statutory_due` counts (民法典 §201–§203).

The claim record carries the documents-complete and agreement moments and the 补材料 rounds
(``Claim.documents_complete_at``, ``agreed_at``, ``document_requests``; stored, seeded and read
from the insurers that send them); :func:`claim_duty_clocks` counts from them. An explicit
:class:`ClaimMilestones` overrides them (a person's own knowledge, a what-if). Where neither
knows a moment the clocks fall back to what the claim says and name the fallback in ``basis``
so nobody mistakes it for the legal start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.models import Claim, ClaimStage, DocumentRequest
from cscdesk.domain.sla import SlaPolicy, local_day, statutory_due


class ClaimDuty(StrEnum):
    """The insurer's statutory duties on a claim (保险法 第23–25条)."""

    DECISION = "decision"  # 核定: 30 days from the claim and its documents
    PAYMENT = "payment"  # 赔付: 10 days from agreeing the amount
    REFUSAL_NOTICE = "refusal_notice"  # 拒赔通知: 3 days from deciding to refuse
    ADVANCE_PAYMENT = "advance_payment"  # 先行赔付: amount not fixed within 60 days


_SETTING = {
    ClaimDuty.DECISION: "claim_decision_days",
    ClaimDuty.PAYMENT: "claim_payment_days",
    ClaimDuty.REFUSAL_NOTICE: "claim_refusal_notice_days",
    ClaimDuty.ADVANCE_PAYMENT: "claim_advance_payment_days",
}
LAW = {
    ClaimDuty.DECISION: "保险法 §23 (30日 from the claim and its documents)",
    ClaimDuty.PAYMENT: "保险法 §23 (10日 from agreeing the amount)",
    ClaimDuty.REFUSAL_NOTICE: "保险法 §24 (3日 from the refusal decision)",
    ClaimDuty.ADVANCE_PAYMENT: "保险法 §25 (60日 from the claim and its documents)",
}


@dataclass(frozen=True, slots=True)
class ClaimTerms:
    """The days of each duty for one claim and where they came from."""

    days: dict[ClaimDuty, int]
    source: str  # "statutory default", "insurer ins-a", "contract GP2026001"

    def of(self, duty: ClaimDuty) -> int:
        return self.days[duty]


def claim_terms(
    policy: SlaPolicy, insurer_id: str | None = None, policy_no: str | None = None
) -> ClaimTerms:
    """Days per duty: a contract's own terms win, then the insurer's, then the defaults."""
    days = {duty: int(getattr(policy, key)) for duty, key in _SETTING.items()}
    sources = []
    for label, table, key in (
        ("insurer", policy.insurer_claim_terms, insurer_id),
        ("contract", policy.contract_claim_terms, policy_no),
    ):
        override = table.get(key) if key else None
        if not override:
            continue
        for duty, setting in _SETTING.items():
            value = override.get(setting)
            if value is not None:
                days[duty] = int(value)
        sources.append(f"{label} {key}")
    return ClaimTerms(days, " + ".join(sources) if sources else "statutory default")


@dataclass(frozen=True, slots=True)
class ClaimMilestones:
    """The moments the clocks count from; None where not known."""

    documents_complete_at: datetime | None = None  # claim + its documents received
    document_requests: tuple[DocumentRequest, ...] = ()
    agreed_at: datetime | None = None  # amount agreed (达成赔付协议)

    @classmethod
    def of(cls, claim: Claim) -> ClaimMilestones:
        """What the claim record itself says (stored, seeded or sent by the insurer)."""
        return cls(claim.documents_complete_at, claim.document_requests, claim.agreed_at)


@dataclass(frozen=True, slots=True)
class DutyClock:
    """One duty on one claim: due moment (None while it cannot start), met, paused, why."""

    duty: ClaimDuty
    days: int
    started_at: datetime | None
    due_at: datetime | None
    met_at: datetime | None
    basis: str  # how the start was known, and the law
    rule: str = ""  # the count, for a person
    paused: bool = False  # 补材料 open now: the clock is stopped
    paused_days: int = 0
    start_recorded: bool = True  # False when the start is a fallback, not the legal start

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left (negative past due); None when the clock has not started or was met."""
        if self.due_at is None or self.met_at is not None:
            return None
        return self.due_at - now

    def breached(self, now: datetime) -> bool:
        """Met after the due moment, or still open after it (a stopped clock is not running)."""
        if self.due_at is None:
            return False
        if self.met_at is not None:
            return self.met_at > self.due_at
        return now > self.due_at


def _paused_days(
    requests: tuple[DocumentRequest, ...],
    start: datetime,
    now: datetime,
    policy: SlaPolicy,
) -> tuple[int, bool]:
    """Whole days the decision clock stood still for 补材料 after it started, and if it still does."""
    total, open_now = 0, False
    for request in requests:
        if request.requested_at < start:
            continue
        end = request.received_at or now
        open_now = open_now or request.received_at is None
        total += max(0, (local_day(end, policy) - local_day(request.requested_at, policy)).days)
    return total, open_now


def _clock(
    duty: ClaimDuty,
    terms: ClaimTerms,
    start: datetime | None,
    met: datetime | None,
    basis: str,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    *,
    paused_days: int = 0,
    paused: bool = False,
    start_recorded: bool = True,
) -> DutyClock:
    days = terms.of(duty)
    law = f"{LAW[duty]}; terms: {terms.source}"
    if start is None:
        return DutyClock(duty, days, None, None, met, f"{basis}; {law}", start_recorded=False)
    worked = statutory_due(start, days + paused_days, policy, calendar)
    rule = worked.rule()
    if paused_days:
        rule = f"{days} days + {paused_days} paused for 补材料: {rule}"
    return DutyClock(
        duty=duty,
        days=days,
        started_at=start,
        due_at=worked.due_at,
        met_at=met,
        basis=f"{basis}; {law}",
        rule=rule,
        paused=paused,
        paused_days=paused_days,
        start_recorded=start_recorded,
    )


def claim_duty_clocks(
    claim: Claim,
    policy: SlaPolicy,
    now: datetime,
    milestones: ClaimMilestones | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[DutyClock]:
    """The insurer's duty clocks on ``claim`` (decision, advance payment, then payment or the
    refusal notice), each with due, remaining (``clock.remaining(now)``) and breached.

    ``milestones`` defaults to the claim's own (:meth:`ClaimMilestones.of`); pass one only to
    count from moments the record does not hold."""
    calendar = calendar or WorkingCalendar()
    known = milestones if milestones is not None else ClaimMilestones.of(claim)
    terms = claim_terms(policy, claim.insurer_id, claim.policy_no)
    requests = known.document_requests
    if not requests and claim.stage is ClaimStage.DOCUMENTS_REQUESTED and claim.stage_changed_at:
        requests = (DocumentRequest(claim.stage_changed_at),)  # 补材料 open now
    if known.documents_complete_at is not None:
        start, basis, recorded = known.documents_complete_at, "from claim + documents", True
    else:
        start, recorded = claim.reported_at, False
        basis = "from 报案 (documents-complete date not recorded)"
    paused_days, paused = _paused_days(requests, start, now, policy)
    refused = claim.stage is ClaimStage.REFUSED
    agreed = known.agreed_at
    if agreed is None and claim.stage is ClaimStage.SETTLED:
        agreed = claim.stage_changed_at  # SETTLED is 结案 with the amount agreed
    clocks = [
        _clock(
            ClaimDuty.DECISION,
            terms,
            start,
            claim.decided_at,
            basis,
            policy,
            calendar,
            paused_days=paused_days,
            paused=paused and claim.decided_at is None,
            start_recorded=recorded,
        ),
        _clock(
            ClaimDuty.ADVANCE_PAYMENT,
            terms,
            start,
            agreed or claim.paid_at or (claim.decided_at if refused else None),
            basis,
            policy,
            calendar,
            start_recorded=recorded,
        ),
    ]
    if refused and claim.decided_at is not None:
        clocks.append(
            _clock(
                ClaimDuty.REFUSAL_NOTICE,
                terms,
                claim.decided_at,
                claim.stage_changed_at,
                "from the refusal decision",
                policy,
                calendar,
            )
        )
    elif agreed is not None or claim.stage is ClaimStage.PAID:
        clocks.append(
            _clock(
                ClaimDuty.PAYMENT,
                terms,
                agreed,
                claim.paid_at,
                "from the agreement on the amount"
                if agreed
                else "agreement date not recorded: clock not started",
                policy,
                calendar,
            )
        )
    return clocks
