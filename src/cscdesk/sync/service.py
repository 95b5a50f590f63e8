"""One archive round built from settings, and the sync status line: what the CLI, daemons, the
desk status bar, the lead view and ``doctor`` call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import ArchiveSettings, Settings
from cscdesk.sync.archive import (
    ArchiveLag,
    ArchivePolicy,
    CdrSyncReport,
    archive_lag,
    sync_call_records,
)
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.lease import HolderInfo, live_holder
from cscdesk.sync.recordings import RecordingPolicy, RecordingReport, fetch_recordings
from cscdesk.sync.storage import SyncStorage

if TYPE_CHECKING:
    from cscdesk.store import Store


def archive_policy(settings: ArchiveSettings) -> ArchivePolicy:
    return ArchivePolicy(
        window=timedelta(minutes=settings.window_minutes),
        overlap=timedelta(minutes=settings.overlap_minutes),
        late=timedelta(minutes=settings.late_cdr_minutes),
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
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ArchiveRound:
    """Copy new CDRs, then every recording job that is due now; ``progress`` hears how far
    each part is (``cscdesk archive sync`` draws it as bars on a terminal)."""
    blobs.clean_partials()
    cdr = await sync_call_records(
        port,
        storage,
        instance_id=instance_id,
        clock=clock,
        policy=archive_policy(settings),
        heartbeat=heartbeat,
        progress=progress,
    )
    policy = recording_policy(settings, restore_retry=restore_retry)
    total = RecordingReport()
    due_by = clock()  # jobs re-scheduled during this round wait for the next one
    waiting = storage.pending_recording_count() if progress is not None else None
    while True:
        batch = await fetch_recordings(
            port,
            storage,
            blobs,
            clock=clock,
            policy=policy,
            due_by=due_by,
            policies_for=storage.policy_terms_for_call,
        )
        total.stored += batch.stored
        total.restoring += batch.restoring
        total.failed += batch.failed
        total.errors.extend(batch.errors)
        if progress is not None:
            done = total.stored + total.restoring + total.failed
            progress("recordings", done, max(waiting or 0, done))
        if batch.handled == 0 or (heartbeat is not None and not heartbeat()):
            break
    lag = archive_lag(storage, clock(), instance_id=instance_id, alarm_days=settings.lag_alarm_days)
    return ArchiveRound(cdr, total, lag, storage.pending_recording_count())


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the desk status bar, the lead view and ``doctor`` show about background sync."""

    archive: ArchiveLag
    outbox_backlog: int
    conflicts: int
    tickets_holder: HolderInfo | None  # which process holds the ticket-sync lease, if any
    archive_holder: HolderInfo | None


def sync_status(store: Store, settings: Settings, now: datetime) -> SyncStatus:
    """One cheap read of everything a status line needs (a few indexed queries)."""
    from cscdesk.sync.worker import ARCHIVE_LEASE, TICKETS_LEASE

    storage = SyncStorage(store)
    return SyncStatus(
        archive=archive_lag(
            storage,
            now,
            instance_id=settings.callcenter.instance_id,
            alarm_days=settings.archive.lag_alarm_days,
        ),
        outbox_backlog=storage.backlog(),
        conflicts=len(storage.conflicts()),
        tickets_holder=live_holder(store, TICKETS_LEASE),
        archive_holder=live_holder(store, ARCHIVE_LEASE),
    )
