"""Agents' available idle time, estimated from the stored wallboard snapshots.

Calls carry handling time but not the time agents sat ready; the wallboard's snapshots do. Each
ready agent in a snapshot contributes the gap to the next snapshot (capped, so a closed desk
overnight does not count as idle), attributed to the report's bucket: day, interval, queue or
agent. This is what occupancy = handle ÷ (handle + idle) needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from itertools import pairwise

from cscdesk.store.wallboard import StoredSnapshot

MAX_GAP_SECONDS = 60.0


def _interval_key(moment: datetime, minutes: int) -> str:
    floored = moment.replace(second=0, microsecond=0)
    floored -= timedelta(minutes=floored.minute % minutes)
    return floored.strftime("%Y-%m-%d %H:%M")


def idle_seconds_by(
    snapshots: Iterable[StoredSnapshot],
    by: str,
    *,
    interval_minutes: int,
    tz: tzinfo,
    max_gap_seconds: float = MAX_GAP_SECONDS,
) -> dict[str, float]:
    """Ready-agent seconds per bucket key, plus the grand total under ``"TOTAL"``."""
    ordered = sorted(snapshots, key=lambda s: s.taken_at)
    out: dict[str, float] = defaultdict(float)
    for current, following in pairwise(ordered):
        gap = min(max_gap_seconds, (following.taken_at - current.taken_at).total_seconds())
        if gap <= 0:
            continue
        local = current.taken_at.astimezone(tz)
        agents = current.payload.get("agents", [])
        ready = [a for a in agents if a.get("status") == "ready"]
        out["TOTAL"] += gap * len(ready)
        if by == "day":
            out[local.date().isoformat()] += gap * len(ready)
        elif by == "interval":
            out[_interval_key(local, interval_minutes)] += gap * len(ready)
        elif by == "agent":
            for agent in ready:
                out[str(agent["agent_id"])] += gap
        elif by == "queue":
            for queue in current.payload.get("queues", []):
                out[str(queue["group_id"])] += gap * int(queue.get("ready", 0))
    return dict(out)
