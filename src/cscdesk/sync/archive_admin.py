"""The archive's admin use cases: purge, export and import, each audited under the acting user.

The commands sign the person in (a prompt is theirs); these functions do the work and write the
audit record whatever the outcome, and return the report for the command to print. A bundle
fault is raised as ``BundleError`` after the failed attempt is audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cscdesk.sync.bundle import BundleError, BundleReport, export_bundle, import_bundle
from cscdesk.sync.retention_ops import PurgeReport, purge_recordings
from cscdesk.sync.storage import SyncStorage


def purge_archive(store: Any, blobs: Any, security: Any, actor: str, *, today: date,
                  dry_run: bool) -> PurgeReport:  # fmt: skip
    """Recordings past keep-until deleted (none on legal hold); the run audited with its counts."""
    report = purge_recordings(SyncStorage(store), blobs, today=today, actor=actor, dry_run=dry_run)
    security.audit(actor, "archive_purge", "archive",
                   {"dry_run": dry_run, "due": len(report.due), "held": len(report.held),
                    "purged": report.purged})  # fmt: skip
    return report


def export_archive(store: Any, blobs: Any, security: Any, actor: str,
                   directory: Path) -> BundleReport:  # fmt: skip
    """A portable bundle in ``directory``; a failed export is audited too, then raised."""
    try:
        report = export_bundle(store, blobs, directory)
    except BundleError as exc:
        security.audit(actor, "archive_export", "archive",
                       {"directory": str(directory), "error": str(exc)}, success=False)  # fmt: skip
        raise
    security.audit(actor, "archive_export", "archive",
                   {"directory": str(directory), "rows": sum(report.entities.values()),
                    "recordings": report.recordings})  # fmt: skip
    return report


def import_archive(store: Any, blobs: Any, security: Any, actor: str,
                   directory: Path) -> BundleReport:  # fmt: skip
    """A bundle loaded into an empty store (checksums checked first), then audited."""
    report = import_bundle(store, blobs, directory)
    security.audit(actor, "archive_import", "archive",
                   {"directory": str(directory), "rows": sum(report.entities.values()),
                    "recordings": report.recordings})  # fmt: skip
    return report
