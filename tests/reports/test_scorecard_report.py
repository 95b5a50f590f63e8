"""The insurer scorecard against hand-computed figures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from report_calls import CALLS, SHANGHAI

from cscdesk.config import IndicatorSettings, SlaSettings
from cscdesk.domain.models import (
    Agent,
    AgentKind,
    Insurer,
    Priority,
    SkillGroup,
    Ticket,
    TicketStatus,
    TicketType,
)
from cscdesk.reports.output import emit
from cscdesk.reports.scorecard import broker_figures, insurer_scores, scorecard_report

INSURERS = [
    Insurer("ruian", "瑞安演示人寿保险", "瑞安演示"),
    Insurer("jiahe", "嘉禾演示健康保险", "嘉禾演示"),
]
GROUPS = [
    SkillGroup("sg_a", "团险咨询", "Enquiries"),
    SkillGroup("sg_b", "瑞安专席", "Ruian", insurer_id="ruian"),
]
AGENTS = [
    Agent("a1", "王芳", AgentKind.BROKER),
    Agent("a2", "郑浩", AgentKind.SECONDED, insurer_id="ruian"),
]
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


def ticket(
    n: int, kind: TicketType, insurer: str | None, created: datetime, **times: datetime | None
) -> Ticket:
    return Ticket(
        id=f"T{n}",
        type=kind,
        status=TicketStatus.ESCALATED,
        priority=Priority.NORMAL,
        title="—",
        created_at=created,
        updated_at=created,
        created_by="a1",
        insurer_id=insurer,
        first_response_due_at=created + timedelta(hours=24),
        **times,  # type: ignore[arg-type]
    )


TICKETS = [
    # ruian: answered in 4 h, resolved in 96 h, both in time
    ticket(
        1,
        TicketType.COMPLAINT,
        "ruian",
        at(1, 9),
        first_response_at=at(1, 13),
        due_at=at(16, 9),
        resolved_at=at(5, 9),
    ),
    # ruian: first response after 30 h (> 24 h: breach); due 03-11, still open on 03-20 (breach)
    ticket(
        2,
        TicketType.CLAIM_ASSIST,
        "ruian",
        at(1, 10),
        first_response_at=at(2, 16),
        due_at=at(11, 10),
    ),
    # never escalated: not on anyone's card
    ticket(3, TicketType.ENQUIRY, None, at(2, 9)),
    # jiahe: no response at all and unresolved past its due time: two breaches
    ticket(4, TicketType.COMPLAINT, "jiahe", at(3, 8), due_at=at(18, 8)),
]


def test_scores_per_insurer() -> None:
    scores = insurer_scores(
        insurers=INSURERS,
        tickets=TICKETS,
        calls=CALLS,
        agents=AGENTS,
        groups=GROUPS,
        members_by_insurer={"ruian": 20_000, "jiahe": 5_000},
        indicators=IndicatorSettings(),
        now=NOW,
    )
    ruian, jiahe = scores
    # ruian: 2 escalated; first response mean (4 + 30) / 2 = 17 h, 1 breach; resolution 96 h
    assert (ruian.escalated, ruian.first_response_hours, ruian.first_response_breaches) == (
        2,
        17.0,
        1,
    )
    assert (ruian.resolution_hours, ruian.resolution_breaches) == (96.0, 1)
    # 1 complaint over 20,000 members → 0.5 per 10,000
    assert ruian.complaints_per_10k == 0.5
    # its queue sg_b: calls 5 (answered) and 6 (timeout) → answer rate 50 %;
    # its agent a2 answered call 5: AHT 300 + 60 = 360 s, CSAT score 4 → 100 %
    assert (ruian.seconded.answer_rate, ruian.seconded.aht_seconds, ruian.seconded.csat) == (
        50.0,
        360.0,
        100.0,
    )
    # jiahe: 1 ticket, no response, unresolved: both clocks breached; 1 / 5,000 → 2 per 10,000
    assert (jiahe.escalated, jiahe.first_response_hours, jiahe.first_response_breaches) == (
        1,
        None,
        1,
    )
    assert (jiahe.resolution_breaches, jiahe.complaints_per_10k) == (1, 2.0)
    assert jiahe.seconded.answer_rate is None  # no queue of its own, no calls: no figure


def test_broker_column_and_report_output() -> None:
    indicators = IndicatorSettings()
    broker = broker_figures(CALLS, AGENTS, GROUPS, indicators)
    # sg_a: 4 requests, 2 answered → 50 %; a1's calls 1 and 2: AHT 210 s, CSAT 1 of 2
    assert (broker.answer_rate, broker.aht_seconds, broker.csat) == (50.0, 210.0, 50.0)
    scores = insurer_scores(
        insurers=INSURERS,
        tickets=TICKETS,
        calls=CALLS,
        agents=AGENTS,
        groups=GROUPS,
        members_by_insurer={"ruian": 20_000},
        indicators=indicators,
        now=NOW,
    )
    report = scorecard_report(scores, broker, SlaSettings(), indicators, start=at(1, 0), end=NOW)
    out: list[str] = []
    emit(report, "json", out.append)
    rows = json.loads(out[0])["rows"]
    assert rows[0]["insurer"] == "瑞安演示" and rows[0]["broker_aht_seconds"] == 210.0
    assert rows[1]["complaints_per_10k"] is None  # members unknown: no rate rather than ∞
    breaches = {(b["row"], b["column"]) for b in json.loads(out[0])["breaches"]}
    # 50 % answer rate misses the 90 % target; both insurers breached their first-response clock
    assert {
        (0, "answer_rate"),
        (0, "first_response_breaches"),
        (1, "first_response_breaches"),
    } <= breaches
    assert (0, "csat") not in breaches
    emit(report, "table", out.append)
    assert "瑞安演示" in out[1] and "1 !" in out[1]


def test_zero_members_gives_no_rate() -> None:
    scores = insurer_scores(
        insurers=INSURERS[:1],
        tickets=TICKETS,
        calls=[],
        agents=AGENTS,
        groups=GROUPS,
        members_by_insurer={"ruian": 0},
        indicators=IndicatorSettings(),
        now=NOW,
    )
    assert scores[0].complaints_per_10k is None and scores[0].complaints == 1


def test_claim_duty_breaches_counted_as_the_law_counts() -> None:
    """保险法 §24 refusal notice "三日内", 民法典 §203 roll-forward: refused on 28 Sep 2026 and
    told on 8 Oct is in time (28 Sep + 3 = 1 Oct, 国庆 until 7 Oct); the old plain count gave
    1 Oct and called it a breach. A claim settled (amount agreed) 1 Sep and unpaid on
    20 Oct is a breach of §23's 10 days."""
    from dataclasses import replace
    from datetime import date
    from decimal import Decimal

    from cscdesk.domain.models import Claim, ClaimStage

    base = Claim(
        claim_no="C1",
        insurer_id="ruian",
        policy_no="GP1",
        member_id="m1",
        accident_date=date(2026, 8, 1),
        reported_at=datetime(2026, 8, 20, 9, 0, tzinfo=SHANGHAI),
        stage=ClaimStage.REFUSED,
        amount_claimed=Decimal("500"),
        decided_at=datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI),
        stage_changed_at=datetime(2026, 10, 8, 17, 0, tzinfo=SHANGHAI),
    )
    unpaid = replace(
        base,
        claim_no="C2",
        insurer_id="jiahe",
        stage=ClaimStage.SETTLED,
        decided_at=datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI),
        stage_changed_at=datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI),
    )
    now = datetime(2026, 10, 20, 12, 0, tzinfo=SHANGHAI)
    ruian, jiahe = insurer_scores(
        insurers=INSURERS,
        tickets=[],
        calls=[],
        agents=AGENTS,
        groups=GROUPS,
        members_by_insurer={},
        indicators=IndicatorSettings(),
        now=now,
        claims=[base, unpaid],
    )
    # ruian: decision (met 28 Sep, due from 报案 20 Aug + 30 = 19 Sep → late), advance
    # payment (met by the refusal, in time), refusal notice (in time)
    assert (ruian.claim_clocks, ruian.claim_breaches, ruian.claim_starts_unrecorded) == (3, 1, 2)
    # jiahe: decision on 1 Sep in time, advance payment met by the agreement, payment due
    # 1 Sep + 10 = Fri 11 Sep, still unpaid → breached
    assert (jiahe.claim_clocks, jiahe.claim_breaches) == (3, 1)
    report = scorecard_report(
        [ruian, jiahe], broker_figures([], AGENTS, GROUPS, IndicatorSettings()),
        SlaSettings(), IndicatorSettings(),
        start=datetime(2026, 8, 1, tzinfo=SHANGHAI), end=now,
    )  # fmt: skip
    assert (1, "claim_breaches") in report.breaches
    assert report.rows[0]["claim_breaches"] == 1
