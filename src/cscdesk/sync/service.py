"""One archive round and the archive drain, built from settings: what the CLI and daemons call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import ArchiveSettings
from cscdesk.sync.archive import (
    ArchiveLag,
    ArchivePolicy,
    CdrSyncReport,
    archive_lag,
    sync_call_records,
)
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.recordings import RecordingPolicy, RecordingReport, fetch_recordings
from cscdesk.sync.storage import SyncStorage


def archive_policy(settings: ArchiveSettings) -> ArchivePolicy:
    return ArchivePolicy(
        window=timedelta(minutes=settings.window_minutes),
        overlap=timedelta(minutes=settings.overlap_minutes),
    )


def recording_policy(
    settings: ArchiveSettings, *, restore_retry: timedelta | None = None
) -> RecordingPolicy:
    return RecordingPolicy(
        url_seconds=settings.recording_url_seconds,
        min_retention_years=settings.min_retention_years,
        restore_retry=timedelta(minutes=5) if restore_retry is None else restore_retry,
    )


@dataclass(slots=True)
class ArchiveRound:
    cdr: CdrSyncReport
    recordings: RecordingReport
    lag: ArchiveLag
    waiting_for_restore: int


async def archive_round(
    port: CallCenterPort,
    storage: SyncStorage,
    blobs: BlobStore,
    *,
    instance_id: str,
    settings: ArchiveSettings,
    clock: Callable[[], datetime],
    heartbeat: Callable[[], bool] | None = None,
    restore_retry: timedelta | None = None,
) -> ArchiveRound:
    """Copy new CDRs, then every recording job that is due now."""
    blobs.clean_partials()
    cdr = await sync_call_records(
        port,
        storage,
        instance_id=instance_id,
        clock=clock,
        policy=archive_policy(settings),
        heartbeat=heartbeat,
    )
    policy = recording_policy(settings, restore_retry=restore_retry)
    total = RecordingReport()
    due_by = clock()  # jobs re-scheduled during this round wait for the next one
    while True:
        batch = await fetch_recordings(
            port, storage, blobs, clock=clock, policy=policy, due_by=due_by
        )
        total.stored += batch.stored
        total.restoring += batch.restoring
        total.failed += batch.failed
        total.errors.extend(batch.errors)
        if batch.handled == 0 or (heartbeat is not None and not heartbeat()):
            break
    lag = archive_lag(storage, clock(), instance_id=instance_id, alarm_days=settings.lag_alarm_days)
    return ArchiveRound(cdr, total, lag, storage.pending_recording_count())
