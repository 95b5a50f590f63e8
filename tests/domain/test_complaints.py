"""Complaint workflow as the regulator would check it.

Law: 银行业保险业消费投诉处理管理办法 (2020, reference §1.4): decision and notice "15日内"; 情况
复杂的 up to 30日; especially complex a further 30日 "经…高级管理人员批准" with notice to the
complainant; time of external 鉴定/检测/评估 not counted, the complainant told; 核查 decided
within 30日. Counting: 民法典 §201 (start day not counted), §203 (last day off → next working day).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.complaints import (
    ComplaintState,
    ComplaintStepError,
    Notice,
    acknowledge,
    breached,
    decide,
    decide_review,
    decision_due,
    end_appraisal,
    extend,
    new_complaint,
    request_review,
    review_due,
    start_appraisal,
    withdraw,
)
from cscdesk.domain.sla import SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
POLICY = SlaPolicy()
CAL = WorkingCalendar()


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


def told(month: int, day: int, content: str = "告知") -> Notice:
    return Notice(content, "phone (recorded)", at(month, day))


def decision_notice(month: int, day: int) -> Notice:
    return Notice("处理决定: 补付 800 元", "letter", at(month, day), reasons="核实属实",
                  remedies="不服可自收到之日起申请核查")  # fmt: skip


def received(month: int = 2, day: int = 12):  # type: ignore[no-untyped-def]
    return new_complaint("CP1", received_at=at(month, day), channel="12378", category="claims")


def test_decision_due_as_the_law_counts() -> None:
    assert decision_due(received(2, 12), POLICY, at(2, 13), CAL).due_day.isoformat() == "2026-02-27"
    assert decision_due(received(9, 16), POLICY, at(9, 17), CAL).due_day.isoformat() == "2026-10-08"


def test_extension_needs_notice_then_an_approver_for_60_days() -> None:
    c = acknowledge(received(), told(2, 12, "已受理"))
    c = extend(c, reason="涉及多家医院", notice=told(2, 20), approver=None, at=at(2, 20),
               policy=POLICY, calendar=CAL)  # fmt: skip
    assert c.limit_days(POLICY) == 30
    assert decision_due(c, POLICY, at(2, 21), CAL).due_day.isoformat() == "2026-03-16"
    with pytest.raises(ComplaintStepError, match="approving senior manager"):
        extend(c, reason="需要总公司复核", notice=told(3, 10), approver=None, at=at(3, 10),
               policy=POLICY, calendar=CAL)  # fmt: skip
    c = extend(c, reason="需要总公司复核", notice=told(3, 10), approver="副总经理 李",
               at=at(3, 10), policy=POLICY, calendar=CAL)  # fmt: skip
    assert c.limit_days(POLICY) == 60 and c.extensions[-1].approver == "副总经理 李"
    with pytest.raises(ComplaintStepError, match="most allowed"):
        extend(c, reason="x", notice=told(3, 11), approver="y", at=at(3, 11), policy=POLICY)


def test_an_extension_without_a_notice_or_after_the_due_date_is_refused() -> None:
    c = received()
    with pytest.raises(ComplaintStepError, match="notice with content and method"):
        extend(c, reason="复杂", notice=Notice("", "", at(2, 20)), approver=None, at=at(2, 20),
               policy=POLICY)  # fmt: skip
    with pytest.raises(ComplaintStepError, match="cannot cure a breach"):
        extend(c, reason="复杂", notice=told(2, 28), approver=None, at=at(2, 28), policy=POLICY)


def test_appraisal_days_do_not_count() -> None:
    c = start_appraisal(received(), what="伤残鉴定", at=at(2, 20), notice=told(2, 20))
    assert c.state is ComplaintState.APPRAISAL
    # still running on 10 Mar: the clock is stopped, not breached
    assert not breached(c, POLICY, at(3, 10), CAL)
    c = end_appraisal(c, at=at(3, 2))  # 10 days of appraisal: 12 Feb + 25 = 9 Mar (Mon)
    assert decision_due(c, POLICY, at(3, 3), CAL).due_day.isoformat() == "2026-03-09"


def test_decision_notice_must_carry_reasons_and_remedies() -> None:
    with pytest.raises(ComplaintStepError, match="reasons"):
        decide(received(), Notice("决定", "letter", at(2, 20)))
    c = decide(received(), decision_notice(2, 20))
    assert c.decision is not None and c.decision.method == "letter"
    assert not breached(c, POLICY, at(6, 1), CAL)


def test_review_runs_its_own_clock_instead_of_reopening() -> None:
    """A complaint decided in time whose complainant asks for 核查 on 1 Apr is not breached by
    its old due date (27 Feb); the 核查 is due 1 Apr + 30 = 1 May (劳动节) → 6 May."""
    c = request_review(decide(received(), decision_notice(2, 20)), at=at(4, 1))
    due = review_due(c, POLICY, CAL)
    assert due is not None and due.due_day.isoformat() == "2026-05-06"
    assert not breached(c, POLICY, at(4, 2), CAL)
    assert breached(c, POLICY, at(5, 7), CAL)
    done = decide_review(c, decision_notice(4, 20))
    assert done.state is ComplaintState.REVIEW_DECIDED and not breached(done, POLICY, at(5, 7), CAL)


def test_withdrawal_from_every_open_state() -> None:
    base = received()
    states = [
        base,
        acknowledge(base, told(2, 12)),
        start_appraisal(base, what="鉴定", at=at(2, 13), notice=told(2, 13)),
        request_review(decide(base, decision_notice(2, 20)), at=at(3, 1)),
    ]
    for c in states:
        gone = withdraw(c, at=at(3, 2), reason="投诉人来电撤回 (录音)")
        assert gone.state is ComplaintState.WITHDRAWN and not gone.is_open
    with pytest.raises(ComplaintStepError, match="cannot withdraw it: it is decided"):
        withdraw(decide(base, decision_notice(2, 20)), at=at(3, 2), reason="x")


def test_unknown_channel_is_named() -> None:
    with pytest.raises(ComplaintStepError, match="channel must be one of hotline"):
        new_complaint("CP9", received_at=at(2, 1), channel="fax", category="claims")
