"""Purge past keep-until and verify checksums: the archive's two maintenance jobs.

Purge never removes anything the retention rule still protects or a legal hold covers, and it
leaves an audit event per recording. The manifest row goes first (with its audit event, in one
transaction), the file second: a crash in between leaves an orphan file that ``verify`` reports,
never a manifest row that points at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cscdesk.domain.models import Recording
from cscdesk.domain.retention import may_purge
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.storage import SyncStorage


@dataclass(slots=True)
class PurgeReport:
    due: list[Recording] = field(default_factory=list)
    held: list[Recording] = field(default_factory=list)  # past keep-until but on legal hold
    purged: int = 0
    dry_run: bool = True


def purge_recordings(
    storage: SyncStorage,
    blobs: BlobStore,
    *,
    today: date,
    actor: str,
    dry_run: bool,
) -> PurgeReport:
    report = PurgeReport(dry_run=dry_run)
    manifest = storage.recordings()
    for recording in manifest:
        if may_purge(
            keep_until_day=recording.keep_until, legal_hold=recording.legal_hold, today=today
        ):
            report.due.append(recording)
        elif recording.legal_hold and today >= recording.keep_until:
            report.held.append(recording)
    if dry_run:
        return report
    still_used = {r.sha256 for r in manifest} - {r.sha256 for r in report.due}
    for recording in report.due:
        storage.purge_recording(recording, actor=actor)
        if recording.sha256 not in still_used:
            blobs.delete(recording.sha256)
        report.purged += 1
    return report


@dataclass(slots=True)
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # contact ids whose file is gone
    corrupt: list[str] = field(default_factory=list)  # contact ids whose bytes changed
    orphans: list[str] = field(default_factory=list)  # files no manifest row names

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def verify_recordings(storage: SyncStorage, blobs: BlobStore) -> VerifyReport:
    """Recompute every recording's SHA-256 against its manifest row."""
    report = VerifyReport()
    known: set[str] = set()
    for recording in storage.recordings():
        report.checked += 1
        known.add(recording.sha256)
        actual = blobs.checksum(recording.sha256)
        if actual is None:
            report.missing.append(recording.contact_id)
        elif actual != recording.sha256:
            report.corrupt.append(recording.contact_id)
    report.orphans = sorted(h for h in blobs.iter_hashes() if h not in known)
    return report
