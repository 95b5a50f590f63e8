"""Keys, help, keymap, layout and language of the agent screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk_harness import (
    agent_screen,
    caller_with_one_match,
    screen_text,
    sign_in_and_ready,
    status,
    wait_for,
)
from textual.widgets import DataTable, Input, Tabs

from cscdesk.callcenter.port import AgentStatus
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain.privacy import mask_mobile
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.help import HelpScreen
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.widgets.policies_pane import PoliciesPane
from cscdesk.tui.widgets.profile_pane import ProfilePane
from cscdesk.tui.widgets.queue_pane import QueuePane
from cscdesk.tui.widgets.tickets_pane import TicketTable


async def test_a_remapped_key_works_and_the_help_screen_lists_it_with_its_id(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), keymap={"ready": "f6"})
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen.query("#ok"), "the sign-in dialog")
        await pilot.click("#ok")
        await wait_for(pilot, lambda: status(app) not in (None, AgentStatus.OFFLINE), "signed in")
        await pilot.press("f6")
        await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready through F6")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("f6", "Ready", "ready") in rows
        ids = {row[2] for row in rows}
        assert {"search", "sign-in", "break", "answer", "transfer", "wrap-up", "quit"} <= ids


async def test_search_finds_a_member_by_mobile_and_shows_only_masked_data(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search dialog")
        app.screen.query_one("#query", Input).value = member.mobile
        await pilot.press("enter")
        table = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, "one result")
        row = [str(cell) for cell in table.get_row_at(0)]
        assert mask_mobile(member.mobile) in row
        assert member.mobile not in row and member.id_number not in row and member.name not in row
        await pilot.press("enter")
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.member is not None, "the profile")
        assert screen.state.member.id == member.id  # type: ignore[union-attr]
        text = screen_text(app)
        assert member.id_number not in text and member.mobile not in text


async def test_a_small_terminal_gets_tabs_and_a_wide_one_shows_every_pane(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([])
    async with make_app(sim).run_test(size=(80, 24)) as pilot:
        await sign_in_and_ready(pilot)
        screen = pilot.app.screen

        def shown() -> set[str]:
            panes = {"tabs": Tabs, "queues": QueuePane, "profile": ProfilePane,
                     "policies": PoliciesPane, "tickets": TicketTable}  # fmt: skip
            return {name for name, kind in panes.items() if screen.query_one(kind).region.area}

        assert shown() == {"tabs", "queues"}
        await pilot.press("4")
        await wait_for(pilot, lambda: shown() == {"tabs", "tickets"}, "the tickets tab alone")
        await pilot.resize_terminal(150, 40)
        every_pane = {"queues", "profile", "policies", "tickets"}
        await wait_for(pilot, lambda: shown() == every_pane, "the wide layout without tabs")
        assert status(pilot.app) is AgentStatus.READY  # type: ignore[arg-type]
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: shown() == {"tabs", "tickets"}, "the tab left open")


async def test_the_chinese_desk_speaks_chinese(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        text = screen_text(app)
        assert "帮助" in text and "技能组" in text and "工单" in text
        assert "Skill group" not in text


async def test_the_theme_comes_from_the_settings(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), theme="gruvbox")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.theme == "gruvbox", "the configured theme")
