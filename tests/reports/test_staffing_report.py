"""Staffing plan against hand-worked Erlang C (factorial form, cn-csc-standards §2)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from report_calls import CALLS, SHANGHAI

from cscdesk.config import QueueIndicatorSettings, StaffingSettings
from cscdesk.reports.output import emit
from cscdesk.reports.staffing import (
    ForecastError,
    forecast_from_history,
    plan_staffing,
    read_forecast,
    staffing_report,
)

DAY = date(2026, 3, 2)
STAFFING = StaffingSettings(
    interval_minutes=30, occupancy_cap=0.85, shrinkage=0.30, broker_headcount=12
)
SERVICE = QueueIndicatorSettings(target_percent=80, threshold_seconds=20)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forecast.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_plan_per_interval_with_seconded_request_and_peaks(tmp_path: Path) -> None:
    path = write(
        tmp_path, "interval_start,calls,aht_seconds\n09:00,100,180\n09:30,20,180\n10:00,0,\n"
    )
    forecast = read_forecast(path, default_aht_seconds=300, day=DAY, tz=SHANGHAI)
    plan = plan_staffing(forecast, STAFFING, SERVICE)
    busy, quiet, empty = plan.rows
    # 09:00: A = 100 × 180 / 1800 = 10 Erlangs. P(wait, N=13) = 0.2853 → SL = 1 − 0.2853 ·
    # e^(−3·20/180) = 79.56 % < 80 %; N=14: P = 0.1741 → SL 88.84 %, occupancy 10/14 = 71 %.
    assert busy.agents == 14
    assert busy.service_level == pytest.approx(88.84, abs=0.01)
    # rostered = ceil(14 / (1 − 0.30)) = 20; the broker's 12 leave 8 seconded to request
    assert (busy.rostered, busy.seconded_to_request) == (20, 8)
    # 09:30: A = 2; N=3 gives 60.2 %, N=4 gives 86.1 % → 4 agents, ceil(4/0.7) = 6 rostered
    assert (quiet.agents, quiet.rostered, quiet.seconded_to_request) == (4, 6, 0)
    assert (empty.agents, empty.rostered) == (0, 0)
    assert busy.peak and quiet.peak and not empty.peak  # only intervals with calls can peak
    report = staffing_report(plan)
    assert report.footer and "09:00 (20 rostered, request 8 seconded)" in report.footer[0]


def test_occupancy_cap_adds_agents(tmp_path: Path) -> None:
    path = write(tmp_path, "interval_start,calls\n09:00,100\n")
    forecast = read_forecast(path, default_aht_seconds=180, day=DAY, tz=SHANGHAI)
    capped = StaffingSettings(
        interval_minutes=30, occupancy_cap=0.70, shrinkage=0.0, broker_headcount=0
    )
    # SL alone needs 14, but 10/14 = 71.4 % > 70 % cap → 10/15 = 66.7 % → 15 agents
    assert plan_staffing(forecast, capped, SERVICE).rows[0].agents == 15


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("interval_start,calls\n09:00,100\n09:30,lots\n", "line 3, column 'calls'"),
        ("interval_start,calls\nnine,100\n", "line 2, column 'interval_start'"),
        ("start,calls\n09:00,1\n", "column 'interval_start'"),
        ("interval_start,calls,aht_seconds\n09:00,10,-5\n", "line 2, column 'aht_seconds'"),
    ],
)
def test_bad_forecast_names_line_and_column(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ForecastError, match=where):
        read_forecast(write(tmp_path, text), default_aht_seconds=180, day=DAY, tz=SHANGHAI)


def test_forecast_from_history_averages_per_interval() -> None:
    forecast = forecast_from_history(CALLS, day=date(2026, 3, 9), interval_minutes=30, tz=SHANGHAI)
    # one archived day: 09:00 had 4 requests (AHT (240+180)/2 = 210), 09:30 had 2 (AHT 360)
    assert [(f.start.strftime("%H:%M"), f.calls, f.aht_seconds) for f in forecast] == [
        ("09:00", 4.0, 210.0),
        ("09:30", 2.0, 360.0),
    ]
    assert forecast[0].start.date() == date(2026, 3, 9)


def test_json_output_keeps_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "interval_start,calls\n2026-03-02T09:00:00+08:00,100\n")
    plan = plan_staffing(
        read_forecast(path, default_aht_seconds=180, day=DAY, tz=SHANGHAI), STAFFING, SERVICE
    )
    out: list[str] = []
    emit(staffing_report(plan), "json", out.append)
    row = json.loads(out[0])["rows"][0]
    assert (row["agents"], row["rostered"], row["seconded_to_request"], row["peak"]) == (
        14,
        20,
        8,
        "PEAK",
    )


def test_history_is_averaged_over_the_same_weekday_only() -> None:
    """Four weeks: 10 requests at 09:00 each weekday, 1 on Saturdays and Sundays. A Monday is
    planned from Mondays (10), not from every day ((20 × 10 + 8 × 1) ÷ 28 ≈ 7.4, 26 % low)."""
    from datetime import datetime, timedelta

    from cscdesk.domain.models import Call, CallDirection, CallOutcome

    start = date(2026, 3, 2)  # a Monday
    history = []
    for offset in range(28):
        day = start + timedelta(days=offset)
        for n in range(10 if day.weekday() < 5 else 1):
            queued = datetime(day.year, day.month, day.day, 9, n, tzinfo=SHANGHAI)
            history.append(
                Call(f"h{offset}-{n}", CallDirection.INBOUND, "138", "400", queued,
                     CallOutcome.ANSWERED, queued_at=queued,
                     answered_at=queued + timedelta(seconds=5), talk_seconds=240)
            )  # fmt: skip
    monday = forecast_from_history(history, day=date(2026, 3, 30), interval_minutes=30, tz=SHANGHAI)
    assert [(f.start.hour, f.calls) for f in monday] == [(9, 10.0)]
    sunday = forecast_from_history(history, day=date(2026, 3, 29), interval_minutes=30, tz=SHANGHAI)
    assert [f.calls for f in sunday] == [1.0]


def test_forecasts_as_excel_saves_them_are_read(tmp_path: Path) -> None:
    """Excel on a Chinese Windows PC saves CSV as GBK; a title row and Chinese headers are
    usual; full-width digits are numbers. The same plan comes out as from a plain UTF-8 file."""
    plain = tmp_path / "plain.csv"
    plain.write_text("interval_start,calls\n09:00,120\n09:30,90\n", encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_text("二〇二六年三月来电预测\n时段,来电量\n09:00,１２０\n09:30,90\n", encoding="gbk")
    want = read_forecast(plain, default_aht_seconds=180, day=DAY, tz=SHANGHAI)
    got = read_forecast(gbk, default_aht_seconds=180, day=DAY, tz=SHANGHAI)
    assert [(f.start, f.calls) for f in got] == [(f.start, f.calls) for f in want]


def test_a_control_character_in_a_forecast_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_text("interval_start,calls\n09:00,1\x0020\n", encoding="utf-8")
    with pytest.raises(ForecastError, match="calls"):
        read_forecast(path, default_aht_seconds=180, day=DAY, tz=SHANGHAI)
