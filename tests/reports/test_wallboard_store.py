"""Wallboard snapshots in SQLite: saved every poll, read back for restart, replay and occupancy."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cscdesk.reports.occupancy import idle_seconds_by
from cscdesk.store import open_store
from cscdesk.store.wallboard import WallboardSnapshots

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def payload(ready: list[str], queue_ready: int) -> dict:
    return {
        "agents": [{"agent_id": a, "status": "ready"} for a in ready]
        + [{"agent_id": "busy", "status": "talking"}],
        "queues": [{"group_id": "sg_a", "ready": queue_ready}],
    }


def repo(tmp_path: Path) -> WallboardSnapshots:
    return WallboardSnapshots(open_store(tmp_path / "wall.db"))


def test_save_summaries_and_neighbours(tmp_path: Path) -> None:
    snapshots = repo(tmp_path)
    for i in range(3):
        snapshots.save(
            T0 + timedelta(seconds=10 * i),
            offered=i,
            answered=i,
            signed_in=5,
            waiting=1,
            payload=payload(["a1"], 1),
        )
    # a second repository over the same file sees them: the history survives a restart
    again = WallboardSnapshots(open_store(tmp_path / "wall.db"))
    summaries = again.summaries_between(T0, T0 + timedelta(hours=1))
    assert [s.offered for s in summaries] == [0, 1, 2]
    assert again.neighbour(T0 + timedelta(seconds=10), -1).taken_at == T0  # type: ignore[union-attr]
    assert again.neighbour(T0 + timedelta(seconds=10), 1).taken_at == T0 + timedelta(seconds=20)  # type: ignore[union-attr]
    assert again.neighbour(T0 + timedelta(seconds=20), 1) is None
    assert again.purge_before(T0 + timedelta(seconds=15)) == 2 and again.count() == 1


def test_idle_seconds_from_snapshots(tmp_path: Path) -> None:
    snapshots = repo(tmp_path)
    # 09:00:00 two ready; 09:00:30 one ready; 09:10:00 end (gap capped at 60 s)
    for at, ready in (
        (T0, ["a1", "a2"]),
        (T0 + timedelta(seconds=30), ["a1"]),
        (T0 + timedelta(minutes=10), []),
    ):
        snapshots.save(
            at, offered=0, answered=0, signed_in=3, waiting=0, payload=payload(ready, len(ready))
        )
    stored = list(snapshots.snapshots_between(T0, T0 + timedelta(hours=1)))
    by_agent = idle_seconds_by(stored, "agent", interval_minutes=30, tz=TZ)
    # a1: 30 s + 60 s (capped); a2: 30 s; the talking agent never counts
    assert by_agent == {"TOTAL": 120.0, "a1": 90.0, "a2": 30.0}
    assert (
        idle_seconds_by(stored, "interval", interval_minutes=30, tz=TZ)["2026-03-02 09:00"] == 120.0
    )
    assert idle_seconds_by(stored, "queue", interval_minutes=30, tz=TZ)["sg_a"] == 120.0
