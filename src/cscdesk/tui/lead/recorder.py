"""Wallboard snapshots to and from the store: the screen's side of ``store.wallboard``."""

from __future__ import annotations

from datetime import datetime

from cscdesk.store.wallboard import WallboardSnapshots
from cscdesk.tui.lead.intraday import SnapshotSummary
from cscdesk.tui.lead.snapshot import WallboardSnapshot


class SnapshotRecorder:
    def __init__(self, repository: WallboardSnapshots) -> None:
        self.repository = repository

    def save(self, snapshot: WallboardSnapshot) -> None:
        self.repository.save(
            snapshot.taken_at,
            offered=sum(q.offered for q in snapshot.queues),
            answered=sum(q.answered for q in snapshot.queues),
            signed_in=snapshot.signed_in,
            waiting=sum(q.waiting for q in snapshot.queues),
            payload=snapshot.to_json(),
        )

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
