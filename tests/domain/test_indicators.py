"""Indicator formulas on one small hand-computed day of calls (arithmetic in the comments)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cscdesk.domain.indicators import (
    ServiceLevelRule,
    abandon_rate,
    agent_requests,
    average_handle_time,
    average_speed_of_answer,
    compute_all,
    connect_rate,
    csat,
    first_contact_resolution,
    occupancy,
    service_level,
)
from cscdesk.domain.models import Call, CallDirection, CallOutcome

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 5, 6, 9, 0, tzinfo=SH)


def call(
    n: int,
    outcome: CallOutcome,
    wait: float | None = None,
    *,
    direction: CallDirection = CallDirection.INBOUND,
    talk: float = 0.0,
    hold: float = 0.0,
    acw: float = 0.0,
    satisfaction: int | None = None,
    fcr: bool | None = None,
) -> Call:
    queued = T0 + timedelta(minutes=n) if wait is not None else None
    end = queued + timedelta(seconds=wait) if queued is not None and wait is not None else None
    answered = outcome is CallOutcome.ANSWERED
    return Call(
        contact_id=f"c{n}",
        direction=direction,
        caller="13800000000",
        callee="4008000000",
        started_at=T0 + timedelta(minutes=n),
        outcome=outcome,
        queued_at=queued,
        answered_at=end if answered else None,
        ended_at=None if answered else end,
        talk_seconds=talk,
        hold_seconds=hold,
        acw_seconds=acw,
        satisfaction=satisfaction,
        resolved_first_contact=fcr,
    )


A, AB, TO = CallOutcome.ANSWERED, CallOutcome.ABANDONED, CallOutcome.TIMEOUT
DAY = [
    call(1, A, 10, talk=100, hold=20, acw=30, satisfaction=5, fcr=True),  # handle 150
    call(2, A, 30, talk=200, acw=40, satisfaction=3, fcr=False),  # handle 240, late
    call(3, A, 20, talk=150, hold=10, acw=20),  # handle 180, exactly T: within
    call(4, A, 0, talk=50, acw=10, satisfaction=4, fcr=True),  # handle 60
    call(5, AB, 3),  # short abandon (< 5 s)
    call(6, AB, 45),
    call(7, TO, 120),  # queue timeout
    call(8, CallOutcome.IVR_ONLY),  # never asked for an agent
    call(9, A, None, direction=CallDirection.OUTBOUND, talk=300, satisfaction=1),
    call(10, AB, 5),  # exactly 5 s: not short (short means < 5 s)
]
# agent requests = calls 1–7 and 10 = 8; answered = 4; abandoned = 3 (5, 6, 10); timeout = 1
# answered within 20 s = calls 1, 3, 4 = 3


def test_agent_requests_and_connect_rate() -> None:
    assert agent_requests(DAY) == 8
    assert connect_rate(DAY) == pytest.approx(50.0)  # 4 / 8


def test_service_level_variants() -> None:
    # abandons counted, none short: 3 / (4 + 3 + 1) = 3 / 8
    assert service_level(DAY, ServiceLevelRule(20)) == pytest.approx(37.5)
    # abandons under 5 s dropped: 3 / (4 + 3 + 1 − 1) = 3 / 7
    assert service_level(DAY, ServiceLevelRule(20, short_abandon_seconds=5)) == pytest.approx(
        300 / 7
    )
    # abandons ignored: 3 / 4
    assert service_level(DAY, ServiceLevelRule(20, count_abandons=False)) == pytest.approx(75.0)
    # tighter threshold of 10 s: calls 1 and 4 → 2 / 8
    assert service_level(DAY, ServiceLevelRule(10)) == pytest.approx(25.0)


def test_rule_states_its_variant() -> None:
    assert "abandoned within 5 s" in ServiceLevelRule(20, 5).describe()
    assert "not counted" in ServiceLevelRule(20, count_abandons=False).describe()
    assert ServiceLevelRule(20).describe() == "answered within 20 s ÷ (answered + abandoned)"
    with pytest.raises(ValueError, match="threshold"):
        ServiceLevelRule(0)


def test_abandon_rate() -> None:
    assert abandon_rate(DAY) == pytest.approx(37.5)  # 3 abandoned / 8 queued
    # short abandon (call 5) leaves both sides: 2 / 7
    assert abandon_rate(DAY, short_abandon_seconds=5) == pytest.approx(200 / 7)


def test_speed_and_handle_time() -> None:
    assert average_speed_of_answer(DAY) == pytest.approx(15.0)  # (10 + 30 + 20 + 0) / 4
    # (150 + 240 + 180 + 60) / 4 = 630 / 4; the outbound call is not in it
    assert average_handle_time(DAY) == pytest.approx(157.5)


def test_occupancy() -> None:
    assert occupancy(630, 270) == pytest.approx(70.0)  # 630 / 900
    assert occupancy(0, 0) is None


def test_fcr_and_csat() -> None:
    assert first_contact_resolution(DAY) == pytest.approx(200 / 3)  # 2 of 3 known
    # surveyed: 5, 3, 4, 1 → satisfied (≥ 4): 2 of 4
    assert csat(c.satisfaction for c in DAY) == pytest.approx(50.0)
    assert csat([5, 3, None, 4, 1], satisfied_min=3) == pytest.approx(75.0)


def test_nothing_to_measure_gives_none_not_zero() -> None:
    quiet = [call(8, CallOutcome.IVR_ONLY)]
    assert agent_requests(quiet) == 0
    assert connect_rate(quiet) is None
    assert service_level(quiet, ServiceLevelRule(20)) is None
    assert abandon_rate(quiet) is None
    assert average_speed_of_answer(quiet) is None
    assert average_handle_time(quiet) is None
    assert first_contact_resolution(quiet) is None
    assert csat([None, None]) is None


def test_compute_all_matches_the_single_formulas() -> None:
    rule = ServiceLevelRule(20, short_abandon_seconds=5)
    result = compute_all(DAY, rule, idle_seconds=270)
    assert (result.agent_requests, result.answered, result.abandoned, result.timeouts) == (
        8,
        4,
        3,
        1,
    )
    assert result.connect_rate == pytest.approx(50.0)
    assert result.service_level == pytest.approx(300 / 7)
    assert result.abandon_rate == pytest.approx(200 / 7)
    assert result.average_speed_of_answer == pytest.approx(15.0)
    assert result.average_handle_time == pytest.approx(157.5)
    assert result.occupancy == pytest.approx(70.0)  # 630 handled / (630 + 270)
    assert result.first_contact_resolution == pytest.approx(200 / 3)
    assert result.csat == pytest.approx(50.0)
    assert result.service_level_rule == rule.describe()


def test_abandon_with_no_end_time_is_a_full_abandon_and_flagged() -> None:
    """A caller queued and hung up, but the record has no end time: the wait is unknown. Taken
    as 0 s it was a short abandon, dropped from both denominators (SL up, abandon rate 0).
    Here it counts: 人工接通率-style denominators keep it, and it is reported as bad data."""
    broken = replace(call(20, AB, 10), ended_at=None)
    assert broken.wait_seconds is None
    calls = [call(21, A, 10, talk=60), broken]
    rule = ServiceLevelRule(threshold_seconds=20, short_abandon_seconds=5)
    assert service_level(calls, rule) == 50.0  # 1 within T ÷ (1 answered + 1 abandoned)
    assert abandon_rate(calls, 5) == 50.0
    assert compute_all(calls, rule).incomplete == 1


def test_occupancy_needs_the_idle_time() -> None:
    """Unknown idle time gives no figure, not 100 %; a measured 0 s idle is 100 %."""
    assert compute_all(DAY, ServiceLevelRule(threshold_seconds=20)).occupancy is None
    assert (
        compute_all(DAY, ServiceLevelRule(threshold_seconds=20), idle_seconds=0).occupancy == 100.0
    )
    assert occupancy(630, None) is None
