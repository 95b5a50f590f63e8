"""Helpers for the lead screen tests: a minimal App and bounded waits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from cscdesk.tui.i18n import set_language
from cscdesk.tui.lead.screen import LeadScreen
from cscdesk.tui.services import DeskServices

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


class LeadApp(App[None]):
    """Just enough App to push the lead screen; counts bells so alerts can be checked."""

    def __init__(self, services: DeskServices) -> None:
        super().__init__()
        self.services = services
        self.bells = 0
        self.animation_level = "none"  # tab underlines jump: screenshots are repeatable

    def on_mount(self) -> None:
        set_language(self.services.language)
        self.push_screen(LeadScreen(self.services))

    def bell(self) -> None:
        self.bells += 1


async def wait_for(condition: Callable[[], bool], pilot: Pilot[None], tries: int = 200) -> None:
    """Bounded wait on a condition (never a bare sleep)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def first_snapshot(app: LeadApp, pilot: Pilot[None]) -> LeadScreen:
    await wait_for(
        lambda: isinstance(app.screen, LeadScreen) and app.screen.last is not None, pilot
    )
    screen = app.screen
    assert isinstance(screen, LeadScreen)
    return screen


def columns_fit(table: DataTable[object]) -> bool:
    """Every cell is as wide as its column: DataTable measures new rows only when it is next
    idle, and a screenshot taken before that shows every column cut to its label."""
    for key, column in table.columns.items():
        widest = max((cell_len(str(table.get_cell(row, key))) for row in table.rows), default=0)
        if column.content_width < widest:
            return False
    return True


async def tables_settled(pilot: Pilot[None]) -> None:
    """Workers done, their rows added and measured: the screen a person would now read."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    tables = list(pilot.app.screen.query(DataTable))
    await wait_for(lambda: all(columns_fit(table) for table in tables), pilot)
    toasts = [f"{n.severity}: {n.message}" for n in pilot.app._notifications]
    # a toast over a snapshot (a poll that timed out on a loaded machine) is said in words here,
    # not left to an SVG diff that CI's log does not show
    assert not toasts, f"toasts on screen before the picture: {toasts}"
