"""Archive of CDRs and recordings against the simulator: windows, restore, URLs, lag, verify."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cscdesk.callcenter.port import CallCenterPort, CallRecord
from cscdesk.config import ArchiveSettings
from cscdesk.domain.retention import add_years
from cscdesk.store import open_store
from cscdesk.sync.archive import ArchivePolicy, archive_lag, sync_call_records
from cscdesk.sync.blobstore import BlobStore, file_sha256
from cscdesk.sync.recordings import RecordingPolicy, download_recording, fetch_recordings
from cscdesk.sync.retention_ops import verify_recordings
from cscdesk.sync.service import archive_round
from cscdesk.sync.storage import SyncStorage

from .archive_env import start_archive_sim, wall
from .conftest import make_port


@pytest.fixture
def history() -> Iterator[Any]:
    handle = start_archive_sim()
    try:
        yield handle
    finally:
        handle.stop()


async def all_vendor_records(port: CallCenterPort) -> list[CallRecord]:
    now = wall()
    found: list[CallRecord] = []
    start = now - timedelta(days=3)
    while start < now:  # day by day: each day fits the 100 × 100 cap comfortably
        cursor = None
        while True:
            page = await port.list_call_records(start, start + timedelta(days=1), cursor)
            found.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        start += timedelta(days=1)
    return found


def stored_contact_ids(storage: SyncStorage) -> list[str]:
    return [c.contact_id for c in storage.calls_between(wall() - timedelta(days=10), wall())]


async def test_every_cdr_is_copied_once_even_when_windows_must_be_split(
    history: Any, tmp_path: Path
) -> None:
    port = make_port(history)
    storage = SyncStorage(open_store(tmp_path / "a.db"))
    vendor = await all_vendor_records(port)
    assert len(vendor) > 20
    # a tiny paging cap (2 pages × 3) forces the splitting a 10,000-record window would need
    tight = ArchivePolicy(window=timedelta(hours=6), page_size=3, max_pages=2)
    report = await sync_call_records(
        port, storage, instance_id="ccc-demo", clock=wall, policy=tight
    )
    assert report.splits > 0
    ids = stored_contact_ids(storage)
    assert sorted(ids) == sorted(r.contact_id for r in vendor)
    # a second run re-reads the overlap and must not duplicate anything
    again = await sync_call_records(port, storage, instance_id="ccc-demo", clock=wall, policy=tight)
    assert again.records >= 0
    assert sorted(stored_contact_ids(storage)) == sorted(ids)
    await port.aclose()


async def test_recordings_are_copied_restored_and_checksummed(history: Any, tmp_path: Path) -> None:
    port = make_port(history)
    storage = SyncStorage(open_store(tmp_path / "a.db"))
    blobs = BlobStore(tmp_path / "blobs")
    settings = ArchiveSettings(lag_alarm_days=1)
    first = await archive_round(
        port, storage, blobs, instance_id="ccc-demo", settings=settings, clock=wall,
        restore_retry=timedelta(0),
    )  # fmt: skip
    recorded = {r.contact_id for r in await all_vendor_records(port) if r.recording_available}
    assert first.recordings.stored > 0
    assert first.recordings.restoring > 0  # older audio was in the vendor's cold archive
    assert first.lag.alarm is True  # audio of calls more than a day old is still missing
    history.advance(600)  # the vendor finishes restoring
    for _ in range(5):
        result = await archive_round(
            port, storage, blobs, instance_id="ccc-demo", settings=settings, clock=wall,
            restore_retry=timedelta(0),
        )  # fmt: skip
        if result.waiting_for_restore == 0:
            break
    manifest = {r.contact_id: r for r in storage.recordings()}
    assert recorded <= set(manifest)
    for recording in manifest.values():
        assert file_sha256(blobs.path_for(recording.sha256)) == recording.sha256
        five_years = add_years(wall().date(), 5)
        assert five_years - timedelta(days=3) <= recording.keep_until <= five_years
    assert verify_recordings(storage, blobs).ok
    lag = archive_lag(storage, wall(), instance_id="ccc-demo", alarm_days=1)
    assert lag.alarm is False and lag.oldest_pending_recording is None
    await port.aclose()


async def test_an_expired_download_url_is_fetched_again(history: Any, tmp_path: Path) -> None:
    port = make_port(history)
    storage = SyncStorage(open_store(tmp_path / "a.db"))
    blobs = BlobStore(tmp_path / "blobs")
    await sync_call_records(port, storage, instance_id="ccc-demo", clock=wall)
    [job] = [
        j
        for j in storage.due_recording_jobs(wall(), 500)
        if j.call_started_at > wall() - timedelta(hours=12)
    ][:1]
    stale = await port.get_recording(job.contact_id, 60)
    history.advance(120)  # the URL's minute is up
    await download_recording(
        port, storage, blobs, job, stale, wall, RecordingPolicy(), lambda _: ()
    )
    [stored] = [r for r in storage.recordings() if r.contact_id == job.contact_id]
    assert blobs.checksum(stored.sha256) == stored.sha256
    await port.aclose()


def test_lag_alarms_before_the_first_sync(tmp_path: Path) -> None:
    storage = SyncStorage(open_store(tmp_path / "a.db"))
    lag = archive_lag(storage, wall(), instance_id="ccc-demo", alarm_days=3)
    assert lag.alarm and lag.cdr_watermark is None


async def test_verify_names_missing_and_corrupt_recordings(history: Any, tmp_path: Path) -> None:
    port = make_port(history)
    storage = SyncStorage(open_store(tmp_path / "a.db"))
    blobs = BlobStore(tmp_path / "blobs")
    await sync_call_records(port, storage, instance_id="ccc-demo", clock=wall)
    due_by = wall()
    for _ in range(40):  # small batches until two recordings are in (the oldest need restore)
        await fetch_recordings(
            port, storage, blobs, clock=wall, policy=RecordingPolicy(batch=5), due_by=due_by
        )
        if len(storage.recordings()) >= 2:
            break
    first, second = storage.recordings()[:2]
    blobs.path_for(first.sha256).write_bytes(b"not the audio")
    blobs.path_for(second.sha256).unlink()
    report = verify_recordings(storage, blobs)
    assert report.corrupt == [first.contact_id]
    assert report.missing == [second.contact_id]
    assert not report.ok
    await port.aclose()


def test_status_line_reports_lag_backlog_and_conflicts(tmp_path: Path) -> None:
    from cscdesk.config import Settings
    from cscdesk.sync.service import sync_status

    store = open_store(tmp_path / "a.db")
    status = sync_status(store, Settings(), wall())
    assert status.archive.alarm  # never archived: the alarm is up from the start
    assert (status.outbox_backlog, status.conflicts, status.tickets_holder) == (0, 0, None)
    SyncStorage(store).set_time("archive.cdr_watermark:ccc-demo", wall() - timedelta(hours=1))
    assert not sync_status(store, Settings(), wall()).archive.alarm
