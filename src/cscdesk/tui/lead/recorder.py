"""Wallboard snapshots from the store: the screen's side of ``store.wallboard`` (history, replay).

Recording is not the screen's job: the ``wallboard.snapshots`` duty does it (``sync.background``).
"""

from __future__ import annotations

from datetime import datetime

from cscdesk.store.wallboard import WallboardSnapshots
from cscdesk.sync.wallboard import WallboardSnapshot
from cscdesk.tui.lead.intraday import SnapshotSummary


class SnapshotRecorder:
    def __init__(self, repository: WallboardSnapshots) -> None:
        self.repository = repository

    def summaries_between(self, start: datetime, end: datetime) -> list[SnapshotSummary]:
        return [
            SnapshotSummary(s.taken_at, s.offered, s.answered, s.signed_in, s.waiting)
            for s in self.repository.summaries_between(start, end)
        ]

    def purge_before(self, moment: datetime) -> int:
        return self.repository.purge_before(moment)

    def neighbour(self, moment: datetime, step: int) -> WallboardSnapshot | None:
        found = self.repository.neighbour(moment, step)
        return None if found is None else WallboardSnapshot.from_json(found.payload)
