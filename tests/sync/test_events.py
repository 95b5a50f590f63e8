"""Pushed events over real HTTP: the simulator's webhook push (after UpdateSubscription) reaches
the cscdesk receiver, which stores each event once and copies the CDR and recording without
waiting for the polling archive; polling still catches up what a down receiver missed; a push
without the shared token is refused."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from cscdesk.config import ArchiveSettings
from cscdesk.store import open_store
from cscdesk.store.events import CallEvents
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.events import (
    SUBSCRIBED_EVENTS,
    EventArchiver,
    build_receiver,
    subscription_url,
)
from cscdesk.sync.lease import Lease, holder_id
from cscdesk.sync.service import archive_round
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.worker import ARCHIVE_LEASE

from .conftest import make_port

TOKEN = "test-webhook-token-7f3a"


def wall() -> datetime:
    return datetime.now(UTC)


class Receiver:
    """The receiver app under uvicorn on 127.0.0.1 in a thread (a real socket)."""

    def __init__(self, app: Any) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@pytest.fixture
def sim() -> Iterator[Any]:
    """Paused at 10:00 (Beijing) yesterday: a busy hour whatever time the tests run (an
    evening start had no recorded call within a quarter hour), and in the past, so every
    call it completes is settled for polling."""
    from cscdesk.callcenter.sim.server import start_simulator

    beijing = ZoneInfo("Asia/Shanghai")
    yesterday = wall().astimezone(beijing).date() - timedelta(days=1)
    handle = start_simulator(
        host="127.0.0.1",
        port=0,
        seed=3,
        start_time=datetime.combine(yesterday, dtime(10, 0), tzinfo=beijing),
        paused=True,
    )
    handle.events.retry_seconds = 0.01
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Any, SyncStorage, BlobStore, CallEvents]]:
    store = open_store(tmp_path / "site.db")
    try:
        yield store, SyncStorage(store), BlobStore(tmp_path / "blobs"), CallEvents(store)
    finally:
        store.close()


def _receiver(sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]) -> Receiver:
    _store, storage, blobs, events = site
    archiver = EventArchiver(
        make_port(sim), storage, blobs, events, settings=ArchiveSettings(), clock=wall
    )
    return Receiver(build_receiver(events, TOKEN, archiver=archiver, clock=wall))


async def _run_subscribed(
    sim: Any, url: str, seconds: float, events: tuple[str, ...] = SUBSCRIBED_EVENTS
) -> None:
    """Subscribe ``url`` through the adapter, run the center, wait until every push is done."""
    await make_port(sim).update_subscription(url, events)
    sim.advance(seconds)
    # ten minutes of a center's events, each pushed and stored (twice in the duplicates test):
    # seconds on a quiet machine, more under CI's load than wait_idle's default 10 s
    assert sim.events.wait_idle(60.0), "the simulator still had pushes pending after 60 s"


def _recorded_calls(sim: Any) -> list[str]:
    with sim.model.lock:
        return [c.contact_id for c in sim.model.records if c.recorded]


def _wait_for(condition: Any, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


async def test_pushed_cdr_ready_copies_the_cdr_and_its_recording_without_polling(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    store, storage, _blobs, events = site
    receiver = _receiver(sim, site)
    try:
        await _run_subscribed(sim, subscription_url(receiver.base_url, TOKEN), 900)
        recorded = _recorded_calls(sim)
        assert recorded, "the simulated quarter hour should have finished recorded calls"
        assert _wait_for(lambda: all(storage.recording(c) is not None for c in recorded))
        assert events.count("CDRReady") == sum(
            1 for e in sim.events.stats.log if e["EventType"] == "CDRReady"
        )
        assert events.count("AgentReady") > 0  # agent events are stored too
        assert _wait_for(lambda: events.unhandled() == [])
        # nothing was polled: the CDR watermark was never set
        assert storage.get_time(f"archive.cdr_watermark:{sim.instance_id}") is None
        assert store.calls.get(recorded[0]) is not None
    finally:
        receiver.stop()


async def test_duplicate_deliveries_are_stored_once(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    _store, _storage, _blobs, events = site
    sim.events.duplicates = 2
    receiver = _receiver(sim, site)
    try:
        await _run_subscribed(sim, subscription_url(receiver.base_url, TOKEN), 600)
        stats = sim.events.stats
        assert stats.published > 0 and stats.delivered == 2 * stats.published
        distinct = {tuple(sorted(e.items())) for e in stats.log}
        assert events.count() == len(distinct)
    finally:
        receiver.stop()


async def test_polling_catches_up_what_a_down_receiver_missed(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    _store, storage, blobs, events = site
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nothing listens there: every push is refused by the OS
    await _run_subscribed(sim, subscription_url(nobody, TOKEN), 600, ("CDRReady", "RecordingReady"))
    port = make_port(sim)
    assert sim.events.stats.failed > 0 and sim.events.stats.delivered == 0
    recorded = _recorded_calls(sim)
    assert recorded and all(storage.recording(c) is None for c in recorded)

    await archive_round(
        port, storage, blobs, instance_id=sim.instance_id, settings=ArchiveSettings(), clock=wall
    )

    assert all(storage.recording(c) is not None for c in recorded)
    assert events.count() == 0


async def test_a_push_without_the_right_token_is_refused_and_not_stored(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    _store, _storage, _blobs, events = site
    receiver = _receiver(sim, site)
    try:
        body = {"EventType": "CDRReady", "InstanceId": sim.instance_id, "JobId": "job-x"}
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                subscription_url(receiver.base_url, "not-the-token"), json=body
            )
            missing = await client.post(receiver.base_url + "/ccc/events", json=body)
            good = await client.post(subscription_url(receiver.base_url, TOKEN), json=body)
            again = await client.post(subscription_url(receiver.base_url, TOKEN), json=body)
        assert (wrong.status_code, missing.status_code) == (401, 401)
        assert "token" in wrong.json()["error"]
        assert good.json() == {"stored": 1, "duplicates": 0}
        assert again.json() == {"stored": 0, "duplicates": 1}
        assert events.count() == 1

        # the simulator, subscribed with a wrong token, is refused the same way
        await _run_subscribed(sim, subscription_url(receiver.base_url, "wrong"), 600, ("CDRReady",))
        assert sim.events.stats.refused > 0 and sim.events.stats.delivered == 0
        assert events.count() == 1
    finally:
        receiver.stop()


async def test_the_receiver_copies_only_under_the_archive_lease(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    """While `cscdesk archive sync` (another process) holds the archive lease, pushed events are
    stored but nothing is downloaded beside it; once the lease is free the receiver copies them
    and lets the lease go again."""
    store, storage, blobs, events = site
    archive_sync = Lease(store, ARCHIVE_LEASE, holder="archive-host:4242:a1b2c3", ttl_seconds=300)
    assert archive_sync.acquire()
    mine = Lease(store, ARCHIVE_LEASE, holder=holder_id(), ttl_seconds=300)
    archiver = EventArchiver(
        make_port(sim), storage, blobs, events, settings=ArchiveSettings(), clock=wall, lease=mine
    )
    receiver = Receiver(build_receiver(events, TOKEN, archiver=archiver, clock=wall))
    try:
        url = subscription_url(receiver.base_url, TOKEN)
        await _run_subscribed(sim, url, 900, ("CDRReady", "RecordingReady"))
    finally:
        receiver.stop()
    recorded = _recorded_calls(sim)
    assert recorded and events.count("CDRReady") > 0

    assert await archiver.drain() == 0  # the lease is someone else's: nothing handled
    assert len(events.unhandled(limit=10_000)) == events.count()
    assert sim.requests["GetCallDetailRecord"] == 0 and sim.requests["GetMonoRecording"] == 0
    assert all(storage.recording(c) is None for c in recorded)

    archive_sync.release()
    assert await archiver.drain() == events.count()
    assert all(storage.recording(c) is not None for c in recorded)
    assert events.unhandled() == []
    assert mine.current_holder() is None  # released after the drain: polling may run again


async def test_stored_events_keep_no_whole_phone_number_and_big_bodies_are_refused(
    sim: Any, site: tuple[Any, SyncStorage, BlobStore, CallEvents]
) -> None:
    """Call events carry the caller's and callee's numbers: stored masked, like calls are."""
    _store, _storage, _blobs, events = site
    receiver = _receiver(sim, site)
    try:
        body = {"EventType": "Established", "InstanceId": sim.instance_id, "JobId": "job-m",
                "Caller": "13912345678", "Callee": "4008001234"}  # fmt: skip
        async with httpx.AsyncClient() as client:
            stored = await client.post(subscription_url(receiver.base_url, TOKEN), json=body)
            huge = await client.post(subscription_url(receiver.base_url, TOKEN),
                                     content=b"[" + b" " * (300 * 1024) + b"]")  # fmt: skip
        assert stored.json() == {"stored": 1, "duplicates": 0}
        assert huge.status_code == 413
        (event,) = events.of_job("job-m")
        assert "13912345678" not in event.body and "139****5678" in event.body
    finally:
        receiver.stop()
