"""Copy call recordings into the blob store, one queued job per recorded call.

Jobs are queued in the same transaction as the CDR that announces the recording, so no recording
is forgotten across a crash. A job asks for a fresh download URL every time (vendor URLs expire),
streams the audio through SHA-256 into the content-addressed blob store, and only then writes the
manifest row and closes the job. Audio the vendor has moved to cold storage is restored first
(``RestoreArchivedRecordings``) and retried later.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cscdesk.callcenter.errors import CallCenterError
from cscdesk.callcenter.port import CallCenterPort, RecordingLocator
from cscdesk.domain.models import Recording
from cscdesk.domain.retention import PolicyTerm, keep_until
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.s3blobs import BlobStoreError
from cscdesk.sync.storage import RecordingJob, SyncStorage

log = logging.getLogger(__name__)

PolicyResolver = Callable[[str], tuple[PolicyTerm, ...]]


def no_policies(contact_id: str) -> tuple[PolicyTerm, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class RecordingPolicy:
    url_seconds: int = 600
    min_retention_years: int = 5
    restore_retry: timedelta = timedelta(minutes=5)
    failure_backoff: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=6)
    batch: int = 50
    download_attempts: int = 2  # an expired URL is fetched again once before giving up


@dataclass(slots=True)
class RecordingReport:
    stored: int = 0
    restoring: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.stored + self.restoring + self.failed

    errors: list[str] = field(default_factory=list)


async def fetch_recordings(
    port: CallCenterPort,
    storage: SyncStorage,
    blobs: BlobStore,
    *,
    clock: Callable[[], datetime],
    policy: RecordingPolicy | None = None,
    policies_for: PolicyResolver = no_policies,
    due_by: datetime | None = None,
) -> RecordingReport:
    """Work through one batch of the recording jobs due by ``due_by`` (default now)."""
    policy = policy or RecordingPolicy()
    report = RecordingReport()
    to_restore: list[str] = []
    for job in storage.due_recording_jobs(due_by or clock(), policy.batch):
        try:
            locator = await _locate(port, job.contact_id, policy.url_seconds)
            if locator is None:
                to_restore.append(job.contact_id)
                continue
            await download_recording(
                port, storage, blobs, job, locator, clock, policy, policies_for
            )
            report.stored += 1
        except BlobStoreError:  # the bucket, not this call: every job would fail the same way
            raise
        except Exception as exc:  # a failed job must not stop the others; it is retried
            report.failed += 1
            report.errors.append(f"{job.contact_id}: {type(exc).__name__}")
            delay = min(policy.failure_backoff * (2 ** min(job.attempts, 12)), policy.max_backoff)
            storage.recording_job_failed(job.contact_id, _describe(exc), clock() + delay)
            log.warning("recording %s not copied: %s", job.contact_id, type(exc).__name__)
    if to_restore:
        await port.restore_recordings(to_restore)
        storage.recording_jobs_restoring(to_restore, clock() + policy.restore_retry)
        report.restoring = len(to_restore)
    return report


async def download_recording(
    port: CallCenterPort,
    storage: SyncStorage,
    blobs: BlobStore,
    job: RecordingJob,
    locator: RecordingLocator,
    clock: Callable[[], datetime],
    policy: RecordingPolicy,
    policies_for: PolicyResolver,
) -> None:
    attempt = 1
    while True:
        try:
            blob = await blobs.put_stream(port.download(locator))
            break
        except BlobStoreError:
            raise  # a fresh URL does not help a bucket that cannot be written
        except Exception:
            if attempt >= policy.download_attempts:
                raise
            attempt += 1
            fresh = await _locate(port, job.contact_id, policy.url_seconds)
            if fresh is None:
                raise
            locator = fresh
    content_type = mimetypes.guess_type(locator.file_name)[0] or "application/octet-stream"
    until = keep_until(
        job.call_started_at.date(),
        policies=policies_for(job.contact_id),
        min_years=policy.min_retention_years,
    )
    storage.recording_stored(
        Recording(
            contact_id=job.contact_id,
            sha256=blob.sha256,
            size=blob.size,
            content_type=content_type,
            archived_at=clock(),
            keep_until=until,
        )
    )


async def _locate(
    port: CallCenterPort, contact_id: str, url_seconds: int
) -> RecordingLocator | None:
    """A fresh download URL, or None while the audio sits in the vendor's cold archive."""
    try:
        locator = await port.get_recording(contact_id, url_seconds)
    except CallCenterError as exc:
        if exc.code and "Archived" in exc.code:  # CCC: Forbidden.ArchivedRecording
            return None
        raise
    if locator.archived or not locator.url:
        return None
    return locator


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
