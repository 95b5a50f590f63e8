"""Copy every call detail record (CDR) from the rented call system into our own store.

The vendor pages at most 100 pages × 100 records per query and reaches back only 180 days, so
the copy walks time windows forward from a per-instance watermark. Windows are on the call's
start time, but a CDR is listed only once its call has ended and the vendor has published it
(``CDRReady`` comes some time after the call): a call that started before the watermark can
appear later. So each run walks again from ``late`` before its horizon (at least ``overlap``
before the watermark); a window holding more records than one query can page through is split
in halves until each half fits. Records
are upserted by ContactId, so overlap and re-runs after a crash never duplicate anything, and the
watermark moves only after a whole window is stored: a ``kill -9`` at any point just repeats the
window it was in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cscdesk.callcenter.port import CallCenterPort, CallRecord
from cscdesk.sync.storage import SyncStorage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArchivePolicy:
    """The knobs of the CDR walk; defaults follow the vendor limits and config defaults."""

    window: timedelta = timedelta(minutes=60)
    max_window: timedelta = timedelta(days=30)  # quiet stretches are walked in growing windows
    overlap: timedelta = timedelta(minutes=10)
    late: timedelta = timedelta(hours=2)  # the longest call plus the vendor's publish delay
    page_size: int = 100
    max_pages: int = 100
    reach: timedelta = timedelta(days=180)
    settle: timedelta = timedelta(minutes=2)  # CDRs of calls just ended may not be listed yet
    min_window: timedelta = timedelta(seconds=1)

    @property
    def max_records(self) -> int:
        return self.page_size * self.max_pages


@dataclass(slots=True)
class CdrSyncReport:
    windows: int = 0
    splits: int = 0
    records: int = 0
    recordings_queued: int = 0
    watermark: datetime | None = None
    gap_from: datetime | None = None  # set when the watermark had fallen beyond the vendor's reach
    notes: list[str] = field(default_factory=list)


class WindowTooFull(Exception):
    """A window holds more records than one query can page through; split it."""


def cdr_watermark_key(instance_id: str) -> str:
    return f"archive.cdr_watermark:{instance_id}"


async def sync_call_records(
    port: CallCenterPort,
    storage: SyncStorage,
    *,
    instance_id: str,
    clock: Callable[[], datetime],
    policy: ArchivePolicy | None = None,
    max_windows: int | None = None,
    heartbeat: Callable[[], bool] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> CdrSyncReport:
    """Walk windows from the watermark up to now − settle; returns what was copied.

    ``heartbeat`` is called after every window (renew the lease); False stops the walk.
    ``progress`` hears the hours walked of the hours to walk (a bar on a terminal)."""
    policy = policy or ArchivePolicy()
    report = CdrSyncReport()
    now = clock()
    key = cdr_watermark_key(instance_id)
    watermark = storage.get_time(key)
    earliest = now - policy.reach + timedelta(hours=1)
    horizon = now - policy.settle
    if watermark is None:
        start = earliest
    elif watermark - policy.overlap < earliest:
        start = watermark - policy.overlap
        report.gap_from = start
        report.notes.append(
            f"archive fell beyond the vendor's reach: records from {start:%Y-%m-%d %H:%M} "
            f"to {earliest:%Y-%m-%d %H:%M} can no longer be listed"
        )
        log.error("CDR archive gap for %s from %s to %s", instance_id, start, earliest)
        start = earliest
    else:  # again over the calls whose CDRs may have been published since the last run
        start = max(earliest, min(watermark - policy.overlap, horizon - policy.late))
    size = policy.window
    first, hours = start, max(0, int((horizon - start).total_seconds() // 3600))
    while start < horizon:
        if max_windows is not None and report.windows >= max_windows:
            break
        end = min(start + size, horizon)
        before = (report.records, report.splits)
        await _copy_window(port, storage, start, end, policy, report)
        storage.set_time(key, end)
        report.windows += 1
        report.watermark = end
        records, splits = report.records - before[0], report.splits - before[1]
        if splits:
            size = max(policy.window, size / 2)
        elif records <= policy.max_records // 4:
            size = min(size * 2, policy.max_window)
        start = end  # windows within one run are contiguous; overlap is for resuming
        if progress is not None:
            progress("CDRs (hours)", min(hours, int((end - first).total_seconds() // 3600)), hours)
        if heartbeat is not None and not heartbeat():
            report.notes.append("stopped: the archive lease was lost")
            break
    return report


async def _copy_window(
    port: CallCenterPort,
    storage: SyncStorage,
    start: datetime,
    end: datetime,
    policy: ArchivePolicy,
    report: CdrSyncReport,
) -> None:
    try:
        await _copy_exact(port, storage, start, end, policy, report)
    except WindowTooFull:
        if end - start <= policy.min_window:
            raise
        report.splits += 1
        middle = start + (end - start) / 2
        await _copy_window(port, storage, start, middle, policy, report)
        await _copy_window(port, storage, middle, end, policy, report)


async def _copy_exact(
    port: CallCenterPort,
    storage: SyncStorage,
    start: datetime,
    end: datetime,
    policy: ArchivePolicy,
    report: CdrSyncReport,
) -> None:
    cursor: str | None = None
    pages = 0
    while True:
        page = await port.list_call_records(start, end, cursor=cursor, page_size=policy.page_size)
        if pages == 0 and page.total is not None and page.total > policy.max_records:
            raise WindowTooFull
        pages += 1
        _store_page(storage, page.items, report)
        cursor = page.next_cursor
        if cursor is None:
            return
        if page.total is None and pages >= policy.max_pages:
            raise WindowTooFull  # cannot tell how full the window is: be safe and split


def _store_page(storage: SyncStorage, records: list[CallRecord], report: CdrSyncReport) -> None:
    if not records:
        return
    queued = storage.store_call_records(records)
    report.records += len(records)
    report.recordings_queued += queued


@dataclass(frozen=True, slots=True)
class ArchiveLag:
    lag: timedelta
    alarm: bool
    cdr_watermark: datetime | None
    oldest_pending_recording: datetime | None


def archive_lag(
    storage: SyncStorage,
    now: datetime,
    *,
    instance_id: str,
    alarm_days: int,
    reach: timedelta = timedelta(days=180),
) -> ArchiveLag:
    """How far the archive trails the vendor: the older of the CDR watermark and the oldest
    recording still waiting. Never synced counts as the whole vendor reach, so it alarms."""
    watermark = storage.get_time(cdr_watermark_key(instance_id))
    oldest = storage.oldest_pending_recording()
    marks = [m for m in (watermark, oldest) if m is not None]
    lag = reach if watermark is None else max(timedelta(0), now - min(marks))
    return ArchiveLag(
        lag=lag,
        alarm=lag > timedelta(days=alarm_days),
        cdr_watermark=watermark,
        oldest_pending_recording=oldest,
    )


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
