"""Claim-duty clocks per claim: from documents complete, paused during 补材料, payment from the
agreement, terms per insurer or contract.

Law: 保险法 §23 "情形复杂的，应当在三十日内作出核定…达成赔偿或者给付保险金的协议后十日内，履行赔偿或者
给付保险金义务。保险合同对赔偿或者给付保险金的期限有约定的，保险人应当按照约定履行"; §24 "自作出核定
之日起三日内…发出拒绝赔偿或者拒绝给付保险金通知书"; §25 "自收到赔偿或者给付保险金的请求和有关证明、资料
之日起六十日内"; 保险法司法解释(二) §15 (the 30 days run from first receipt of the claim and its
documents; the time spent supplying further documents is deducted) — reference §1.5.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.claim_duties import (
    ClaimDuty,
    ClaimMilestones,
    DocumentRequest,
    claim_duty_clocks,
    claim_terms,
)
from cscdesk.domain.models import Claim, ClaimStage
from cscdesk.domain.sla import SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar()
POLICY = SlaPolicy()


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


def end_of(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 23, 59, 59, tzinfo=SH)


def make_claim(**changes: object) -> Claim:
    claim = Claim(
        claim_no="BA2026001",
        insurer_id="ins-a",
        policy_no="GP001",
        member_id="m1",
        accident_date=date(2026, 2, 25),
        reported_at=at(3, 2),
        stage=ClaimStage.UNDER_REVIEW,
        amount_claimed=Decimal("1200.00"),
    )
    return replace(claim, **changes)  # type: ignore[arg-type]


def clocks(claim: Claim, now: datetime, milestones: ClaimMilestones | None = None, policy=POLICY):  # type: ignore[no-untyped-def]
    return {c.duty: c for c in claim_duty_clocks(claim, policy, now, milestones, CAL)}


def test_decision_runs_from_documents_complete_not_from_the_report() -> None:
    # reported 2 Mar, documents complete 10 Mar: + 30 = 9 Apr (a Thursday)
    got = clocks(make_claim(), at(3, 20), ClaimMilestones(documents_complete_at=at(3, 10)))
    decision = got[ClaimDuty.DECISION]
    assert decision.due_at == end_of(4, 9) and decision.start_recorded
    # + 60 = Sat 9 May, a 调休 make-up working day: it does not roll
    assert got[ClaimDuty.ADVANCE_PAYMENT].due_at == end_of(5, 9)
    assert not decision.breached(at(4, 9, 23))


def test_document_request_pauses_the_decision_clock() -> None:
    """Complete 10 Mar; 补材料 from 20 Mar to 27 Mar (7 days): 30 + 7 = 37 days → 16 Apr."""
    milestones = ClaimMilestones(
        documents_complete_at=at(3, 10),
        document_requests=(DocumentRequest(at(3, 20), at(3, 27)),),
    )
    decision = clocks(make_claim(), at(4, 14), milestones)[ClaimDuty.DECISION]
    assert decision.paused_days == 7 and not decision.paused
    assert decision.due_at == end_of(4, 16)
    assert "paused for 补材料" in decision.rule


def test_open_document_request_stops_the_clock_so_it_never_shows_breached() -> None:
    claim = make_claim(stage=ClaimStage.DOCUMENTS_REQUESTED, stage_changed_at=at(3, 20))
    milestones = ClaimMilestones(documents_complete_at=at(3, 10))
    decision = clocks(claim, at(5, 20), milestones)[ClaimDuty.DECISION]
    assert decision.paused
    assert not decision.breached(at(5, 20))  # 61 days after the request, still stopped
    left = decision.remaining(at(5, 20))
    # frozen at what was left when 补材料 began (20 Mar 10:00 → 9 Apr 23:59:59)
    assert left is not None and left.days == 20 and left.seconds == 13 * 3600 + 59 * 60 + 59


def test_payment_runs_from_the_agreement_not_the_decision() -> None:
    claim = make_claim(stage=ClaimStage.SETTLED, decided_at=at(3, 20), stage_changed_at=at(3, 20))
    milestones = ClaimMilestones(documents_complete_at=at(3, 10), agreed_at=at(3, 26))
    payment = clocks(claim, at(3, 27), milestones)[ClaimDuty.PAYMENT]
    # decision 20 Mar + 10 would be 30 Mar; the agreement on 26 Mar + 10 = Sun 5 Apr (清明) → 7 Apr
    assert payment.due_at == end_of(4, 7)
    assert "agreement" in payment.basis


def test_paid_claim_without_an_agreement_date_does_not_guess_one() -> None:
    claim = make_claim(stage=ClaimStage.PAID, decided_at=at(3, 20), paid_at=at(4, 15))
    payment = clocks(claim, at(4, 20))[ClaimDuty.PAYMENT]
    assert payment.due_at is None and not payment.breached(at(4, 20))
    assert "not recorded" in payment.basis


def test_refusal_notice_across_national_day() -> None:
    """Decided to refuse 28 Sep + 3 = 1 Oct (国庆) → 8 Oct (民法典 §203)."""
    claim = make_claim(
        stage=ClaimStage.REFUSED,
        decided_at=at(9, 28),
        stage_changed_at=datetime(2026, 10, 8, 17, 0, tzinfo=SH),
    )
    got = clocks(claim, at(10, 9))
    notice = got[ClaimDuty.REFUSAL_NOTICE]
    assert notice.due_at == end_of(10, 8) and not notice.breached(at(10, 9))
    assert ClaimDuty.PAYMENT not in got


def test_without_a_documents_date_the_fallback_is_named() -> None:
    decision = clocks(make_claim(), at(3, 3))[ClaimDuty.DECISION]
    assert not decision.start_recorded and "报案" in decision.basis


def test_terms_per_insurer_and_contract() -> None:
    policy = SlaPolicy(
        insurer_claim_terms={"ins-a": {"claim_decision_days": 20, "claim_payment_days": None}},
        contract_claim_terms={"GP001": {"claim_payment_days": 5}},
    )
    terms = claim_terms(policy, "ins-a", "GP001")
    assert terms.of(ClaimDuty.DECISION) == 20 and terms.of(ClaimDuty.PAYMENT) == 5
    assert terms.of(ClaimDuty.REFUSAL_NOTICE) == 3
    assert terms.source == "insurer ins-a + contract GP001"
    assert claim_terms(policy, "ins-b", "GP9").source == "statutory default"
    # the 20 days reach the clock: complete 10 Mar + 20 = 30 Mar
    got = clocks(make_claim(), at(3, 11), ClaimMilestones(documents_complete_at=at(3, 10)), policy)
    assert got[ClaimDuty.DECISION].due_at == end_of(3, 30)
