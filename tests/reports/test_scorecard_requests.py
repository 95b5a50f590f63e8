"""The insurer scorecard counts service requests against the terms agreed with each insurer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cscdesk.config import HandoffSettings, IndicatorSettings, ServiceTermSettings, SlaSettings
from cscdesk.domain.handoffs import Channel, Handoff, HandoffState, step
from cscdesk.domain.models import Insurer
from cscdesk.reports.output import to_csv
from cscdesk.reports.scorecard import (
    TeamFigures,
    insurer_scores,
    scorecard_report,
    service_terms,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INSURERS = [
    Insurer("ruian", "瑞安演示人寿保险", "瑞安演示"),
    Insurer("anhe", "安和演示保险", "安和演示"),
]
SETTINGS = HandoffSettings(
    default_terms=ServiceTermSettings(take_up_hours=4, answer_hours=48),
    terms={"ruian": ServiceTermSettings(take_up_hours=1, answer_hours=8)},
)


def _request(n: int, insurer: str, *, taken: float | None, answered: float | None) -> Handoff:
    handoff = Handoff(id=f"H{n}", ticket_id=f"T{n}", channel=Channel.API, state=HandoffState.QUEUED,
                      created_at=T0, created_by="agent1", idempotency_key=f"T{n}:esc:{n}",
                      insurer_id=insurer)  # fmt: skip
    handoff = step(handoff, HandoffState.SENT, T0)
    if taken is not None:
        handoff = step(handoff, HandoffState.ACKNOWLEDGED, T0 + timedelta(hours=taken))
    if answered is not None:
        handoff = step(handoff, HandoffState.ANSWERED, T0 + timedelta(hours=answered), reply="ok")
    return handoff


def test_requests_are_measured_from_delivery_against_each_insurers_terms() -> None:
    handoffs = [
        _request(1, "ruian", taken=0.5, answered=4),  # within 1 h / 8 h
        _request(2, "ruian", taken=2, answered=10),  # late on both
        _request(3, "ruian", taken=None, answered=None),  # open, past both terms by now
        _request(4, "anhe", taken=2, answered=10),  # within anhe's default 4 h / 48 h
    ]
    now = T0 + timedelta(hours=12)
    ruian, anhe = insurer_scores(
        insurers=INSURERS, tickets=[], calls=[], agents=[], groups=[], members_by_insurer={},
        indicators=IndicatorSettings(), now=now, handoffs=handoffs,
        terms=service_terms(SETTINGS),
    )  # fmt: skip
    assert ruian.requests is not None and anhe.requests is not None
    assert (ruian.requests.count, ruian.requests.answered) == (3, 2)
    assert (ruian.requests.response_hours, ruian.requests.resolution_hours) == (1.25, 7.0)
    assert (ruian.requests.response_breaches, ruian.requests.resolution_breaches) == (2, 2)
    assert (anhe.requests.response_breaches, anhe.requests.resolution_breaches) == (0, 0)

    report = scorecard_report([ruian, anhe], TeamFigures(None, None, None), SlaSettings(),
                              IndicatorSettings(), start=T0, end=now)  # fmt: skip
    header, first, second = to_csv(report).splitlines()[:3]
    assert "requests,requests_answered,request_response_hours" in header
    assert ",3,2,1.25,2,7.0,2," in first and ",1,1,2.0,0,10.0,0," in second
    assert (0, "request_resolution_breaches") in report.breaches
    assert (1, "request_resolution_breaches") not in report.breaches
