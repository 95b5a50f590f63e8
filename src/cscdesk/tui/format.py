"""Small text helpers for the desk: durations, countdowns and CJK-aware padding.

Chinese characters take two terminal cells, so padding uses Rich's cell widths, never ``len``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from rich.cells import cell_len, set_cell_size

from cscdesk.domain.sla import Urgency, remaining, urgency
from cscdesk.tui.i18n import _


def clock(seconds: float) -> str:
    """A talk or state timer: ``04:07`` or ``1:02:03``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def countdown(due_at: datetime, now: datetime) -> str:
    """Time left on an SLA clock (``2d 04h``, ``3h 10m``, ``-1h 05m`` when overdue)."""
    left = remaining(due_at, now)
    sign = "-" if left < timedelta(0) else ""
    total = abs(int(left.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}d {hours:02d}h"
    return f"{sign}{hours}h {minutes:02d}m"


URGENCY_STYLE = {
    Urgency.OK: "green",
    Urgency.WARNING: "yellow",
    Urgency.CRITICAL: "bold red",
    Urgency.BREACHED: "bold white on red",
}


def sla_urgency(created_at: datetime, due_at: datetime, now: datetime) -> Urgency:
    return urgency(due_at, now, due_at - created_at)


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` terminal cells (CJK counts double)."""
    return set_cell_size(text, width)


def cells(text: str) -> int:
    return cell_len(text)


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def local_time(moment: datetime | None, zone: tzinfo | None, fmt: str = "%m-%d %H:%M") -> str:
    """A moment in the center's time zone (not the terminal's), so every desk agrees."""
    if moment is None:
        return "—"
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    return moment.strftime(fmt)
