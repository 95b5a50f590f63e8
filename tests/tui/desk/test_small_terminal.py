"""The desk at 80×24 (issue 16): the footer keeps the call's keys, the help screen and the command
palette speak the desk's language with its own keys first, the policy table keeps its key
columns, and a choice is visible without colour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from desk_harness import (
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    sign_in_and_ready,
    status,
    wait_for,
)
from textual.command import CommandInput, CommandPalette
from textual.widgets import DataTable, Footer, SelectionList

from cscdesk.callcenter.port import AgentStatus, CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.help import HelpScreen


def footer_text(app: DeskApp) -> str:
    """The footer line as the terminal shows it (what fits, in order)."""
    footer = agent_screen(app).query_one(Footer)
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    return lines[footer.region.y]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_at_80_columns_the_footer_keeps_the_keys_of_the_call(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    language: str,
) -> None:  # fmt: skip
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim, language=language)
    words = {"en": ("Answer", "Hang up", "Hold", "Ticket", "Wrap up"),
             "zh_CN": ("接听", "挂机", "保持", "工单", "小结")}[language]  # fmt: skip
    answer, hang_up, hold, ticket, wrap_up = words
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_ready(pilot)
        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        await wait_for(pilot, lambda: f"a {answer}" in footer_text(app), "a answer in the footer")
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        await wait_for(pilot, lambda: f"x {hang_up}" in footer_text(app), "x in the footer")
        line = footer_text(app)
        assert f"h {hold}" in line and f"e {ticket}" in line and f"w {wrap_up}" in line, line
        assert f"a {answer}" not in line, "answer no longer applies"
        await pilot.press("x")
        await wait_for(pilot, lambda: status(app) is AgentStatus.WORKING, "after-call work")


async def test_at_120_columns_quit_is_not_cut(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in_and_ready(pilot)
        await pilot.pause(0.3)
        assert "^q 退出" in footer_text(app)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_help_lists_the_desks_keys_first_in_its_language_and_arrows_scroll_it(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp], language: str
) -> None:
    app = make_app(make_sim([]), language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        ids = [row[2] for row in rows]
        assert ids[:3] == ["answer", "release", "hold"], "the desk's own keys first"
        assert "quit" in ids and ids.index("quit") > ids.index("help")
        assert not {"cursor_up", "scroll_up", "page_down"} & set(ids), "no Textual widget keys"
        if language == "zh_CN":
            labels = {row[2]: row[1] for row in rows}
            assert labels["reveal-id"] == "显示完整证件号" and labels["answer"] == "接听"
            assert not any(label.isascii() and label for label in labels.values()), labels
        assert table.scroll_y == 0 and table.max_scroll_y > 0, "a list longer than the screen"
        for _ in range(30):
            await pilot.press("down")
        await wait_for(pilot, lambda: table.scroll_y > 0, "the arrow keys scroll the help")


async def test_the_command_palette_speaks_chinese_and_offers_the_desk_first(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        commands = list(app.get_system_commands(agent_screen(app)))
        titles = [c.title for c in commands]
        assert "Theme" not in titles and "Quit" not in titles and "主题" in titles, titles
        own = {"签入技能组", "搜索客户", "新建工单"}
        assert max(titles.index(t) for t in own) < titles.index("主题"), titles


async def test_choices_show_a_mark_not_only_a_colour(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen.query(SelectionList), "the sign-in dialog")
        groups = app.screen.query_one(SelectionList)
        groups.deselect_all()
        groups.select("sg_group_claims")
        await pilot.pause(0.2)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        chosen = [line for line in lines if "Group claims" in line or "团险理赔" in line]
        other = [line for line in lines if "Group enquiries" in line]
        assert chosen and "✓" in chosen[0], chosen
        assert other and "✓" not in other[0], other
