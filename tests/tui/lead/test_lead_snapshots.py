"""SVG snapshots of the wallboard in both languages, one with a critical alert firing.

The simulator's clock is paused and seeded, so every figure on screen is the same on each run;
the wallboard shows agents and queues only, never a caller's number or ID.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from lead_harness import LeadApp, first_snapshot, wait_for
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import RichLog

from cscdesk.config import AlertLevel, AlertSettings, Settings
from cscdesk.tui.lead.screen import LeadScreen
from cscdesk.tui.lead.tables import LiveTable

SIZE = (130, 40)
ALERTING = Settings(
    alerts=AlertSettings(
        per_queue={"sg_group_claims": {"waiting_calls": AlertLevel(warning=0, critical=0)}}
    )
)


async def settle(pilot: Pilot[None]) -> None:
    screen = await first_snapshot(pilot.app, pilot)  # type: ignore[arg-type]
    assert isinstance(screen, LeadScreen)
    hide_cursors(screen)
    await pilot.pause()
    assert_no_personal_numbers(pilot.app.export_screenshot())


def hide_cursors(screen: Screen[None]) -> None:
    """The cursor row's colour follows focus timing; the snapshots compare content."""
    for table in screen.query(LiveTable):
        table.show_cursor = False


def assert_no_personal_numbers(svg: str) -> None:
    """Only the text a person sees counts: drop the SVG's styles and tags first."""
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", svg, flags=re.S))
    text = text.replace("&#160;", " ").replace("\xa0", " ")
    assert text.strip()
    assert not re.search(r"1[3-9]\d{9}", text)  # a full mobile number
    assert not re.search(r"\d{17}[\dX]", text)  # a full resident ID number


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_wallboard_snapshot(
    language: str, lead_app: Callable[..., LeadApp], snap_compare: Callable[..., bool]
) -> None:
    app = lead_app(settings=ALERTING, language=language)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_alert_log_snapshot(
    language: str, lead_app: Callable[..., LeadApp], snap_compare: Callable[..., bool]
) -> None:
    async def open_log(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("t", "t", "t")  # agents → intraday → staffing → alert log
        log = pilot.app.screen.query_one("#alert-log", RichLog)
        await wait_for(lambda: bool(log.lines), pilot)  # type: ignore[arg-type]
        hide_cursors(pilot.app.screen)
        await pilot.pause()
        assert_no_personal_numbers(pilot.app.export_screenshot())

    app = lead_app(settings=ALERTING, language=language)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_log)
