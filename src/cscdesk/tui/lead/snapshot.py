"""The wallboard's snapshot types, from ``sync.wallboard`` (kept here for older imports: bench)."""

from cscdesk.sync.wallboard import (
    AgentRow,
    QueueRow,
    TeamTotals,
    WallboardSnapshot,
    build_snapshot,
    poll_snapshot,
    team_totals,
)

__all__ = [
    "AgentRow",
    "QueueRow",
    "TeamTotals",
    "WallboardSnapshot",
    "build_snapshot",
    "poll_snapshot",
    "team_totals",
]
