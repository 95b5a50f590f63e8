"""Recordings moved to another blob store (a local folder into a bucket, or back), the way the
store copy moves the tables: only what the target lacks, each checked against its SHA-256, so
an interrupted copy simply runs again."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cscdesk.sync.blobstore import private_temp_file


@dataclass(slots=True)
class BlobCopyReport:
    copied: int = 0
    present: int = 0  # already in the target (an earlier, interrupted run)
    missing: list[str] = field(default_factory=list)  # not in the source: run archive verify
    mismatched: list[str] = field(default_factory=list)  # the source's bytes changed

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


def copy_recordings(hashes: list[str], source: Any, target: Any, spool: Path) -> BlobCopyReport:
    """Copy the recordings named by ``hashes`` from ``source`` to ``target`` blob store."""
    report = BlobCopyReport()
    for sha in hashes:
        if target.exists(sha):
            report.present += 1
            continue
        fd, name = private_temp_file(spool)
        try:
            with os.fdopen(fd, "wb") as out:
                found = source.write_to(sha, out)
            if not found:
                report.missing.append(sha)
                continue
            stored = target.put_file(Path(name))
        finally:
            Path(name).unlink(missing_ok=True)
        if stored.sha256 != sha:
            target.delete(stored.sha256)
            report.mismatched.append(sha)
        else:
            report.copied += 1
    return report
