"""Calls taken after a first archive run are archived by the next, each once: calls whose CDRs
the call system lists only after the watermark passed their start (CDRs appear once a call has
ended and the vendor has published it), on SQLite and on PostgreSQL; and ``archive sync`` of the
demo copies the calls of the center its desks work on (the data dir's running simulator)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cscdesk.callcenter.sim import shared
from cscdesk.callcenter.sim.arrivals import DEMO_CALLS_PER_HOUR, TrafficProfile
from cscdesk.config import ArchiveSettings
from cscdesk.store import open_store
from cscdesk.sync.archive import ArchivePolicy
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.service import archive_round
from cscdesk.sync.storage import SyncStorage

from .archive_env import wall
from .cli_env import cli
from .conftest import make_port

BUSY = TrafficProfile.constant({group: 1.5 for group in DEMO_CALLS_PER_HOUR})


@pytest.fixture
def center() -> Iterator[Any]:
    """A center an hour behind the wall clock, paused: time moves when the test advances it,
    and each call it then takes has a CDR listed only after the archive's watermark passed
    the call's start."""
    from cscdesk.callcenter.sim.server import start_simulator

    handle = start_simulator(
        host="127.0.0.1", port=0, seed=9, paused=True, traffic=BUSY, prefill_days=0.2,
        start_time=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1),
    )  # fmt: skip
    try:
        yield handle
    finally:
        handle.stop()


def finished_calls(center: Any, *, settled: bool = False) -> dict[str, bool]:
    """Every call the center has a CDR for: contact id → recorded; ``settled``: only those
    started before the archive's horizon on the center's own clock (now − settle)."""
    with center.model.lock:
        horizon = center.clock.seconds - ArchivePolicy().settle.total_seconds()
        return {
            c.contact_id: c.recorded
            for c in center.model.records
            if not settled or c.started_at <= horizon
        }


def _open(kind: str, tmp_path: Path) -> Any:
    if kind == "sqlite":
        return open_store(tmp_path / "archive.db")
    import postgres_db
    from cscdesk.store.postgres import open_postgres

    url = postgres_db.new_database("cscdesk_new_calls")
    return open_postgres(url, pool_size=2, audit_head_file=tmp_path / "heads")


def archived(store: Any) -> list[str]:
    with store.reading() as db:
        return [row[0] for row in db.execute("SELECT contact_id FROM calls")]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_calls_taken_after_a_sync_are_archived_by_the_next_each_once(
    center: Any, tmp_path: Path, kind: str
) -> None:
    store = _open(kind, tmp_path)
    storage, blobs = SyncStorage(store), BlobStore(tmp_path / "blobs")
    port = make_port(center)
    settings = ArchiveSettings(lag_alarm_days=1)

    async def sync() -> Any:
        return await archive_round(
            port, storage, blobs, instance_id="ccc-demo", settings=settings, clock=wall,
            restore_retry=timedelta(0),
        )  # fmt: skip

    try:
        await sync()
        before = finished_calls(center)
        assert sorted(archived(store)) == sorted(before)
        center.advance(1800)  # half an hour of calls, their CDRs published after the run
        taken = {cid: rec for cid, rec in finished_calls(center).items() if cid not in before}
        assert len(taken) >= 3
        second = await sync()
        assert sorted(archived(store)) == sorted({**before, **taken})  # each call once
        recorded = {cid for cid, rec in {**before, **taken}.items() if rec}
        assert {r.contact_id for r in storage.recordings()} == recorded
        assert second.recordings.stored == sum(taken.values())  # none downloaded again
        third = await sync()
        assert third.recordings.stored == 0
        assert sorted(archived(store)) == sorted({**before, **taken})
    finally:
        await port.aclose()
        store.close()


def _publish(center: Any, data_dir: Path) -> None:
    """The data dir's center as a desk publishes it, its clock where the model is now."""
    address = shared.ask(center.base_url)
    with center.model.lock:
        now = center.clock.now()
    shared.publish(
        data_dir, replace(address, sim_start=now.isoformat(), wall_start=time.time(), speed=1.0)
    )


def test_archive_sync_of_the_demo_copies_the_calls_its_desks_take(
    center: Any, data_dir: Path
) -> None:
    _publish(center, data_dir)
    first = cli("--data-dir", str(data_dir), "archive", "sync", "--restore-retry-seconds", "0")
    assert first.exit_code == 0, first.output
    store = open_store(data_dir / "cscdesk.db")
    try:
        before = finished_calls(center, settled=True)
        assert sorted(archived(store)) == sorted(before)
        center.advance(1800)  # the desks take more calls
        _publish(center, data_dir)
        second = cli("--data-dir", str(data_dir), "archive", "sync", "--restore-retry-seconds", "0")
        assert second.exit_code == 0, second.output
        now = finished_calls(center, settled=True)
        assert len(now) > len(before)
        assert sorted(archived(store)) == sorted(now)
    finally:
        store.close()
