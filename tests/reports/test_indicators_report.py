"""The indicator report against hand-computed figures (rule: 80/20, short abandon 5 s)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from report_calls import CALLS, DAY

from cscdesk.config import IndicatorSettings, QueueIndicatorSettings
from cscdesk.reports.indicators import TOTAL_KEY, indicator_rows, indicators_report
from cscdesk.reports.output import emit

SETTINGS = IndicatorSettings()  # default queue rule: 80 % within 20 s, short abandon 5 s


def by_key(by: str, settings: IndicatorSettings = SETTINGS) -> dict[str, dict]:
    rows = indicator_rows(CALLS, by, settings, interval_minutes=30)  # type: ignore[arg-type]
    return {
        r.key: {"requests": r.requests, "answered": r.answered, **r.values, "breached": r.breached}
        for r in rows
    }


def test_by_queue_matches_hand_computed_figures() -> None:
    rows = by_key("queue")
    a = rows["sg_a"]
    # sg_a: 4 requests (calls 1-4), 2 answered → 人工接通率 2/4 = 50 %
    assert (a["requests"], a["answered"], a["connect_rate"]) == (4, 2, 50.0)
    # SL: 1 within 20 s (call 1) ÷ (2 answered + 2 abandoned − 1 short) = 1/3
    assert a["service_level"] == pytest.approx(33.33, abs=0.01)
    # abandon: (2 − 1 short) ÷ (4 − 1 short) = 1/3
    assert a["abandon_rate"] == pytest.approx(33.33, abs=0.01)
    # ASA (10 + 30) / 2 = 20 s; AHT (240 + 180) / 2 = 210 s
    assert (a["asa"], a["aht"]) == (20.0, 210.0)
    # FCR 1 of 2 known; CSAT scores 5 and 3, satisfied ≥ 4 → 1/2
    assert (a["fcr"], a["csat"]) == (50.0, 50.0)
    b = rows["sg_b"]
    # sg_b: calls 5 (answered) and 6 (timeout); the outbound call 8 is no request
    assert (b["requests"], b["answered"], b["connect_rate"]) == (2, 1, 50.0)
    # SL 1 ÷ (1 + 1 timeout − 0) = 50 %; abandon 0 ÷ 2 = 0 %; ASA 5 s; AHT 360 s
    assert (b["service_level"], b["abandon_rate"], b["asa"], b["aht"]) == (50.0, 0.0, 5.0, 360.0)


def test_total_row_and_breaches_against_config_targets() -> None:
    rows = by_key("queue")
    total = rows[TOTAL_KEY]
    # 6 requests, 3 answered; SL 2 ÷ (3 + 3 − 1) = 40 %; abandon 1 ÷ 5 = 20 %
    assert (total["requests"], total["answered"], total["service_level"]) == (6, 3, 40.0)
    assert total["abandon_rate"] == 20.0
    # ASA (10 + 30 + 5) / 3 = 15 s; AHT (240 + 180 + 360) / 3 = 260 s; FCR 2/3; CSAT 2/3
    assert (total["asa"], total["aht"]) == (15.0, 260.0)
    assert total["fcr"] == pytest.approx(66.67) and total["csat"] == pytest.approx(66.67)
    # Targets: connect ≥ 90, SL ≥ 80, abandon ≤ 5, ASA ≤ 20 (20 is not a breach), AHT ≤ 360
    assert rows["sg_a"]["breached"] == {
        "connect_rate",
        "service_level",
        "abandon_rate",
        "fcr",
        "csat",
    }
    assert rows["sg_b"]["breached"] == {"connect_rate", "service_level"}
    # occupancy needs idle time, which no snapshot gave: blank rather than a fake 100 %
    assert total["occupancy"] is None


def test_per_queue_rule_variant_changes_the_figure_and_the_header() -> None:
    settings = IndicatorSettings(
        queues={"sg_a": QueueIndicatorSettings(count_abandons=False, target_percent=40)}
    )
    rows = by_key("queue", settings)
    # abandons not counted: 1 within 20 s ÷ 2 answered = 50 % — and the 40 % target is met
    assert rows["sg_a"]["service_level"] == 50.0
    assert "service_level" not in rows["sg_a"]["breached"]
    report = indicators_report(
        CALLS, "queue", settings, start=DAY, end=DAY + timedelta(days=1), interval_minutes=30
    )
    assert any("sg_a" in note and "abandoned calls not counted" in note for note in report.notes)


def test_by_interval_day_and_agent_buckets() -> None:
    intervals = by_key("interval")
    assert list(intervals) == ["2026-03-02 09:00", "2026-03-02 09:30", TOTAL_KEY]
    assert intervals["2026-03-02 09:00"]["requests"] == 4
    assert by_key("day")["2026-03-02"]["requests"] == 6
    agents = by_key("agent")
    # agent buckets hold only calls an agent took: a1 took 1 and 2 (AHT 210 s)
    assert agents["a1"]["aht"] == 210.0 and agents["a1"]["requests"] == 2


def test_idle_time_gives_occupancy() -> None:
    rows = indicator_rows(
        CALLS, "day", SETTINGS, interval_minutes=30, idle_seconds={"2026-03-02": 780.0}
    )
    # handle 240 + 180 + 360 = 780 s; 780 ÷ (780 + 780 idle) = 50 %
    assert rows[0].values["occupancy"] == 50.0


def test_csv_json_and_table_outputs() -> None:
    report = indicators_report(
        CALLS, "queue", SETTINGS, start=DAY, end=DAY + timedelta(days=1), interval_minutes=30
    )
    out: list[str] = []
    emit(report, "json", out.append)
    payload = json.loads(out[-1])
    assert [row["key"] for row in payload["rows"]] == ["sg_a", "sg_b", TOTAL_KEY]
    assert {"row": 0, "column": "abandon_rate"} in payload["breaches"]
    emit(report, "csv", out.append)
    lines = out[-1].splitlines()
    assert lines[0].startswith("key,label,requests,answered,connect_rate")
    assert lines[1].startswith("sg_a,sg_a,4,2,50.0")
    emit(report, "table", out.append)
    table = out[-1]
    assert "answered within 20 s ÷ (answered + abandoned − abandoned within 5 s)" in table
    assert "33.3% !" in table  # a breach is marked even without colour
