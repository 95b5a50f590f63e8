"""Chinese text over other widgets (issue 16): the escalation dropdown of the ticket editor
opens over the editor's labels; a label's edge inside a double-width character made Textual
blank it (华盈演示 drawn as "  盈演示")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desk_harness import agent_screen, wait_for
from textual.widgets import DataTable, Select

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.ticket_editor import TicketEditor


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_every_insurer_in_the_escalation_dropdown_is_drawn_whole(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    size: tuple[int, int],
) -> None:  # fmt: skip
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=size) as pilot:
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.tickets, "the agent's tickets")
        if not screen.wide:
            await pilot.press("4")
        screen.query_one("#tickets", DataTable).focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
        app.screen.query_one("#insurer", Select).focus()
        await pilot.press("enter")
        await pilot.pause(0.3)
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        names = [name for name, _insurer in screen._insurer_options()]
        assert "华盈演示" in names
        for name in names:
            assert name in text, f"{name} is cut in the dropdown"
