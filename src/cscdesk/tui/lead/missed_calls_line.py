"""The wallboard's line for the missed calls worklist (漏话回拨): how many lost callers wait for a
callback, how many are being called, and how long the oldest has waited, in all and per group.

It reads the store (the worklist the background duty fills), in a thread worker on its own
timer, so the wallboard's call-system poll is not slowed by it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import work
from textual.message import Message
from textual.widgets import Static

from cscdesk.domain.missed_calls import WorklistSize
from cscdesk.store.missed_calls import MissedCalls
from cscdesk.tui.format import clock
from cscdesk.tui.i18n import _
from cscdesk.tui.lead import directory
from cscdesk.tui.services import DeskServices

REFRESH_SECONDS = 5.0


class WorklistCounted(Message):
    def __init__(self, sizes: list[WorklistSize], error: str | None = None) -> None:
        super().__init__()
        self.sizes = sizes
        self.error = error


def describe(sizes: list[WorklistSize], now: datetime,
             group_name: Callable[[str], str]) -> str:  # fmt: skip
    """One line: totals, then each group with waiting entries, the longest wait first."""
    waiting = sum(s.open for s in sizes)
    taken = sum(s.claimed for s in sizes)
    if not waiting and not taken:
        return _("Missed calls: none waiting for a callback")
    oldest = [s.oldest_seconds(now) for s in sizes]
    longest = max((o for o in oldest if o is not None), default=None)
    head = _("Missed calls: {waiting} waiting, {taken} being called back, oldest {age}").format(
        waiting=waiting, taken=taken, age="—" if longest is None else clock(longest)
    )
    groups = sorted(
        (s for s in sizes if s.open),
        key=lambda s: -(s.oldest_seconds(now) or 0.0),
    )
    parts = [
        "{name} {n} ({age})".format(
            name=group_name(s.skill_group) if s.skill_group else _("IVR (no group)"),
            n=s.open,
            age=clock(s.oldest_seconds(now) or 0.0),
        )
        for s in groups
    ]
    return head + (" · " + " · ".join(parts) if parts else "")


class MissedCallsLine(Static):
    """Size and age of the callback worklist, refreshed from the store."""

    DEFAULT_CSS = "MissedCallsLine { height: 1; padding: 0 1; }"

    def __init__(self, worklist: MissedCalls, *, now: Callable[[], datetime],
                 group_name: Callable[[str], str], id: str | None = None) -> None:  # fmt: skip
        super().__init__("", id=id)
        self.worklist = worklist
        self.now = now
        self.group_name = group_name
        self.sizes: list[WorklistSize] = []

    def on_mount(self) -> None:
        self.count()
        self.set_interval(REFRESH_SECONDS, self.count)

    @work(thread=True, exclusive=True, group="missed-calls-count", exit_on_error=False)
    def count(self) -> None:
        try:
            sizes = self.worklist.sizes()
        except Exception as exc:  # the wallboard keeps running; the line says what failed
            self.post_message(WorklistCounted([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(WorklistCounted(sizes))

    def on_worklist_counted(self, message: WorklistCounted) -> None:
        if message.error:
            self.update(_("Missed calls not readable: {error}").format(error=message.error))
            return
        self.sizes = message.sizes
        self.update(describe(message.sizes, self.now(), self.group_name))


def missed_calls_line(services: DeskServices, now: Callable[[], datetime]) -> MissedCallsLine:
    """The wallboard's line over the desk's store, groups by their names in the desk's language."""
    names = directory.group_names(services)
    return MissedCallsLine(MissedCalls(services.store), now=now,
                           group_name=lambda g: names.get(g, g), id="missed-calls")  # fmt: skip
