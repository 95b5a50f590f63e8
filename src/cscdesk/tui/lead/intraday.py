"""Offered and answered calls per 15/30-minute interval, rebuilt from stored snapshots.

Each snapshot carries since-midnight totals; the calls of one interval are the total at the last
snapshot inside it minus the total at the last snapshot before it. Because only these totals are
needed, the history survives a restart: the screen replays today's stored summaries on mount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SnapshotSummary:
    """The few numbers of a snapshot that the chart and the staffing panel need."""

    taken_at: datetime
    offered: int
    answered: int
    signed_in: int
    waiting: int


@dataclass(frozen=True, slots=True)
class IntervalPoint:
    start: datetime
    offered: int
    answered: int
    signed_in_max: int


def interval_start(moment: datetime, minutes: int) -> datetime:
    floored = moment.replace(second=0, microsecond=0)
    return floored - timedelta(minutes=floored.minute % minutes)


class IntradayHistory:
    """Cumulative totals at the end of each interval seen so far today."""

    def __init__(self, interval_minutes: int) -> None:
        self.interval_minutes = interval_minutes
        self._last: dict[datetime, SnapshotSummary] = {}
        self._peak_signed_in: dict[datetime, int] = {}

    def add(self, summary: SnapshotSummary) -> None:
        start = interval_start(summary.taken_at, self.interval_minutes)
        previous = self._last.get(start)
        if previous is None or summary.taken_at >= previous.taken_at:
            self._last[start] = summary
        self._peak_signed_in[start] = max(self._peak_signed_in.get(start, 0), summary.signed_in)

    def points(self) -> list[IntervalPoint]:
        out = []
        offered_before = answered_before = 0
        for start in sorted(self._last):
            last = self._last[start]
            # A counter that went down means the call system reset its day: start again.
            if last.offered < offered_before or last.answered < answered_before:
                offered_before = answered_before = 0
            out.append(
                IntervalPoint(
                    start,
                    last.offered - offered_before,
                    last.answered - answered_before,
                    self._peak_signed_in[start],
                )
            )
            offered_before, answered_before = last.offered, last.answered
        return out
