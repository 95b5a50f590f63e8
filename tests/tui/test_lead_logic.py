"""Wallboard logic without a screen: alert levels, the alert log, interval history, rates."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cscdesk.config import AlertLevel, AlertSettings, IndicatorSettings, QueueIndicatorSettings
from cscdesk.sync.wallboard import AgentRow, QueueRow, WallboardSnapshot, team_totals
from cscdesk.tui.lead.alerts import Severity, changes, evaluate, should_ring
from cscdesk.tui.lead.figures import queue_figures
from cscdesk.tui.lead.intraday import IntradayHistory, SnapshotSummary

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def test_thresholds_per_metric_with_per_queue_override() -> None:
    settings = AlertSettings(
        per_queue={"sg_vip": {"waiting_calls": AlertLevel(warning=1, critical=2)}}
    )
    active = evaluate(
        settings,
        {
            # defaults: waiting warn 5 / crit 10; SL warn ≤ 80 / crit ≤ 70 (lower is worse)
            "sg_a": {
                "waiting_calls": 6,
                "service_level_percent": 69.9,
                "abandon_rate_percent": None,
            },
            "sg_vip": {"waiting_calls": 2, "service_level_percent": 95.0},
        },
    )
    assert active[("sg_a", "waiting_calls")].severity is Severity.WARNING
    assert active[("sg_a", "service_level_percent")].severity is Severity.CRITICAL
    assert ("sg_a", "abandon_rate_percent") not in active  # no calls yet: no rate, no alert
    assert active[("sg_vip", "waiting_calls")].severity is Severity.CRITICAL  # its own levels
    assert ("sg_vip", "service_level_percent") not in active


def test_alert_log_records_raise_escalate_and_clear_and_bell_only_when_worse() -> None:
    settings = AlertSettings(bell=True)
    first = evaluate(settings, {"sg_a": {"waiting_calls": 6}})
    second = evaluate(settings, {"sg_a": {"waiting_calls": 12}})
    third = evaluate(settings, {"sg_a": {"waiting_calls": 0}})
    raised = changes(T0, {}, first)
    escalated = changes(T0, first, second)
    cleared = changes(T0, second, third)
    assert [(c.before, c.after) for c in raised] == [(Severity.OK, Severity.WARNING)]
    assert [(c.before, c.after, c.threshold) for c in escalated] == [
        (Severity.WARNING, Severity.CRITICAL, 10)
    ]
    assert [(c.after, c.threshold) for c in cleared] == [(Severity.OK, None)]
    assert changes(T0, second, second) == []  # steady state writes nothing
    assert should_ring(settings, escalated) and not should_ring(settings, cleared)
    assert not should_ring(AlertSettings(bell=False), escalated)


def test_queue_rates_follow_the_configured_variant() -> None:
    row = QueueRow("sg_a", "A", 3, 40.0, 1, 2, 0, 0, 3, offered=10, answered=7, abandoned=2,
                   short_abandoned=1, answered_within_threshold=5, total_wait_answered=70.0)  # fmt: skip
    figures = queue_figures(row, IndicatorSettings())
    # SL: 5 within ÷ (10 requests − 1 short abandon) = 55.6 %; abandon (2 − 1) ÷ (10 − 1) = 11.1 %
    assert round(figures["service_level_percent"] or 0, 1) == 55.6
    assert round(figures["abandon_rate_percent"] or 0, 1) == 11.1
    assert figures["asa_seconds"] == 10.0  # 70 s ÷ 7 answered
    answered_only = IndicatorSettings(queues={"sg_a": QueueIndicatorSettings(count_abandons=False)})
    # abandons not counted: 5 ÷ 7 answered = 71.4 %
    assert round(queue_figures(row, answered_only)["service_level_percent"] or 0, 1) == 71.4


def test_interval_history_differences_cumulative_totals_and_survives_reload() -> None:
    summaries = [
        SnapshotSummary(T0 + timedelta(minutes=1), 4, 3, 10, 0),
        SnapshotSummary(T0 + timedelta(minutes=29), 10, 8, 12, 2),
        SnapshotSummary(T0 + timedelta(minutes=31), 12, 9, 11, 1),
        SnapshotSummary(T0 + timedelta(minutes=59), 25, 20, 9, 0),
    ]
    history = IntradayHistory(30)
    for summary in summaries:
        history.add(summary)
    points = history.points()
    # 09:00: 10 offered / 8 answered by its last snapshot; 09:30: 25 − 10 = 15 / 20 − 8 = 12
    assert [
        (p.start.strftime("%H:%M"), p.offered, p.answered, p.signed_in_max) for p in points
    ] == [
        ("09:00", 10, 8, 12),
        ("09:30", 15, 12, 11),
    ]
    reloaded = IntradayHistory(30)
    for summary in reversed(summaries):  # order of arrival does not matter
        reloaded.add(summary)
    assert reloaded.points() == points


def test_snapshot_json_round_trip_and_team_totals() -> None:
    agents = (
        AgentRow("a1", "王芳", "broker", None, "talking", T0, 4, 800.0),
        AgentRow("a2", "郑浩", "seconded", "ruian", "ready", T0, 2, 600.0),
        AgentRow("a3", "冯雪", "seconded", "jiahe", "offline", None, 0, 0.0),
    )
    snapshot = WallboardSnapshot(T0, (QueueRow("sg_a", "A", 1, 2.0, 1, 1, 0, 0, 2),), agents)
    assert WallboardSnapshot.from_json(snapshot.to_json()) == snapshot
    totals = team_totals(agents)
    assert (totals["broker"].signed_in, totals["broker"].aht_seconds) == (1, 200.0)
    assert (
        totals["seconded"].agents,
        totals["seconded"].signed_in,
        totals["seconded"].aht_seconds,
    ) == (2, 1, 300.0)
    assert snapshot.signed_in == 2
