"""The indicator report over archived CDRs agrees with the simulator's own reports.

The simulator runs advance-driven (paused clock, deterministic seed); its CDRs travel through
the real adapter into a real store, and the report computed from the store must give the same
requests, answers, service level, abandon rate and ASA as the call system's since-midnight and
interval reports for the same calls. Rule: 20 s, no short abandons (what the vendor reports).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.port import CallRecord
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.config import IndicatorSettings, QueueIndicatorSettings
from cscdesk.domain.models import Call
from cscdesk.reports.indicators import indicator_rows
from cscdesk.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
MIDNIGHT = START.replace(hour=0)
RULE = IndicatorSettings(
    default=QueueIndicatorSettings(threshold_seconds=20, short_abandon_seconds=0)
)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(seed=11, start_time=START, paused=True)
    handle.advance(2 * 3600)  # 09:00 → 11:00 of simulated traffic, no wall-clock waiting
    yield handle
    handle.stop()


@pytest.fixture
async def port(sim: SimulatorHandle) -> AsyncIterator[AliyunCallCenter]:
    client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret, scheme="http")
    adapter = AliyunCallCenter(client, sim.instance_id)
    yield adapter
    await adapter.aclose()


async def archived_calls(port: AliyunCallCenter, tmp_path: Path, end: datetime) -> list[Call]:
    records: list[CallRecord] = []
    cursor = None
    while True:
        page = await port.list_call_records(MIDNIGHT, end, cursor=cursor)
        records.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    store = open_store(tmp_path / "archive.db")
    store.calls.upsert_many(records)
    calls: list[Call] = store.calls.between(MIDNIGHT, end + timedelta(seconds=1))
    return calls


async def test_since_midnight_per_queue_agrees(
    port: AliyunCallCenter, sim: SimulatorHandle, tmp_path: Path
) -> None:
    reports = {r.subject_id: r for r in await port.skill_group_reports_since_midnight()}
    calls = await archived_calls(port, tmp_path, sim.clock.now())
    rows = {r.key: r for r in indicator_rows(calls, "queue", RULE, interval_minutes=30)}
    busy = [r for r in reports.values() if r.offered > 0]
    assert len(busy) >= 3, "the simulated morning should load several queues"
    for report in busy:
        row = rows[report.subject_id]
        assert (row.requests, row.answered) == (report.offered, report.answered), report.subject_id
        expected_sl = 100.0 * report.answered_within_threshold / report.offered
        assert row.values["service_level"] == pytest.approx(expected_sl, abs=0.01)
        expected_abandon = 100.0 * report.abandoned / report.offered
        assert row.values["abandon_rate"] == pytest.approx(expected_abandon, abs=0.01)
        if report.answered:
            # the vendor rounds its wait total to whole seconds
            expected_asa = report.total_wait_seconds_answered / report.answered
            assert row.values["asa"] == pytest.approx(expected_asa, abs=1.0)


async def test_interval_reports_agree(
    port: AliyunCallCenter, sim: SimulatorHandle, tmp_path: Path
) -> None:
    calls = await archived_calls(port, tmp_path, sim.clock.now())
    group = max(
        {c.skill_group for c in calls if c.skill_group},
        key=lambda g: sum(c.skill_group == g for c in calls),
    )
    # the vendor reports intervals per hour (or per day), not per 30 min
    intervals = await port.skill_group_interval_reports(
        group, START, START + timedelta(hours=2), 60
    )
    mine = {
        r.key: r
        for r in indicator_rows(
            [c for c in calls if c.skill_group == group], "interval", RULE, interval_minutes=60
        )
    }
    checked = 0
    for report in intervals:
        assert report.interval_start is not None
        key = report.interval_start.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
        if report.offered == 0:
            assert key not in mine or mine[key].requests == 0
            continue
        assert (mine[key].requests, mine[key].answered) == (report.offered, report.answered), key
        assert mine[key].values["service_level"] == pytest.approx(
            100.0 * report.answered_within_threshold / report.offered, abs=0.01
        )
        checked += 1
    assert checked == 2  # 09:00 and 10:00
