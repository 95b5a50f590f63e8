"""After-call work at the desk (issue 16): a countdown to the call system's limit, configurable
per skill group; Escape closes the dialog for good (w reopens it); a clear "code required" mark
in both languages; and a choice at the end between Ready and staying not ready with a reason.

The limit is the call system's (CCC sets 话后处理 per skill group in its console); the simulator
ends a human's after-call work at ``human_acw_limit_seconds`` (help.aliyun.com: ReadyForService,
page 439619, and TakeBreak end it early, which is what Finish does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from desk_harness import (
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    screen_text,
    status,
    wait_for,
)
from textual.widgets import Checkbox, Input, Select, SelectionList

from cscdesk.callcenter.port import AgentStatus, CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.dialogs import WrapUpDialog
from cscdesk.tui.screens.ticket_editor import TicketEditor


async def _to_talking(pilot: Any, app: DeskApp, sim: SimulatorHandle, group: str) -> None:
    await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
    await pilot.press("g")
    await wait_for(pilot, lambda: app.screen.query(SelectionList), "the sign-in dialog")
    groups = app.screen.query_one(SelectionList)
    groups.deselect_all()
    groups.select(group)
    await pilot.click("#ok")
    await wait_for(pilot, lambda: status(app) not in (None, AgentStatus.OFFLINE), "signed in")
    await pilot.press("r")
    await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready")
    await offer_a_call(pilot, sim, DEMO_AGENT_ID)
    await pilot.press("a")
    await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")


async def _to_wrap_up(pilot: Any, app: DeskApp, sim: SimulatorHandle, group: str) -> None:
    await _to_talking(pilot, app, sim, group)
    await pilot.press("x")
    await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "the wrap-up dialog")


async def test_the_countdown_runs_to_the_groups_own_limit(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim, desk={"wrap_up_seconds": 600,
                              "wrap_up_seconds_per_group": {"sg_group_enquiry": 120}})  # fmt: skip
    async with app.run_test(size=(120, 36)) as pilot:
        await _to_wrap_up(pilot, app, sim, "sg_group_enquiry")
        await wait_for(pilot, lambda: "After-call work ends in 02:00" in screen_text(app),
                       "the group's 120 s limit")  # fmt: skip
        await asyncio.to_thread(sim.advance, 30)
        await wait_for(pilot, lambda: "After-call work ends in 01:30" in screen_text(app),
                       "the countdown")  # fmt: skip


async def test_escape_closes_the_dialog_until_w_and_finishing_can_stay_not_ready(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim)
    async with app.run_test(size=(120, 36)) as pilot:
        await _to_wrap_up(pilot, app, sim, "sg_group_enquiry")
        await wait_for(pilot, lambda: "After-call work ends in 10:00" in screen_text(app),
                       "the default 600 s")  # fmt: skip
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WrapUpDialog), "closed")
        await pilot.pause(1.0)  # two session polls later it is still closed
        assert not isinstance(app.screen, WrapUpDialog)
        assert status(app) is AgentStatus.WORKING
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "w reopens it")
        app.screen.query_one("#then", Select).value = "meal"
        app.screen.query_one("#ticket", Checkbox).value = False
        await pilot.click("#ok")
        await wait_for(pilot, lambda: status(app) is AgentStatus.BREAK, "not ready")
        session = agent_screen(app).state.session
        assert session is not None and session.break_code == "meal"
        assert sim.model.agent(DEMO_AGENT_ID).state.value == "BREAK"


async def test_finishing_goes_ready_by_default(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim)
    async with app.run_test(size=(120, 36)) as pilot:
        await _to_wrap_up(pilot, app, sim, "sg_group_enquiry")
        app.screen.query_one("#ticket", Checkbox).value = False
        await pilot.click("#ok")
        await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready")


async def test_a_call_that_already_has_a_ticket_is_not_offered_another_by_default(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim)
    async with app.run_test(size=(120, 36)) as pilot:
        await _to_talking(pilot, app, sim, "sg_group_enquiry")
        await pilot.press("n")  # the agent writes the ticket while still on the call
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        app.screen.query_one("#title", Input).value = "Asked about the renewal"
        await pilot.press("ctrl+s")
        screen = agent_screen(app)
        await wait_for(pilot, lambda: any(t.number for t in screen.state.tickets), "it is listed")
        (made,) = [t for t in screen.state.tickets if t.title == "Asked about the renewal"]
        await pilot.press("x")
        # the dialog is on the stack before it is composed and drawn: wait for what it says
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog) and (
            f"This call has a ticket already: {made.number}" in screen_text(app)),
            "the wrap-up dialog naming the call's ticket")  # fmt: skip
        assert app.screen.query_one("#ticket", Checkbox).value is False
        await pilot.click("#ok")
        await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready, no second editor")
        assert [t.contact_id for t in screen.state.tickets].count(made.contact_id) == 1


@pytest.mark.parametrize(
    ("language", "required", "optional"),
    [("en", "* A wrap-up code is required for this skill group", "Wrap-up code optional"),
     ("zh_CN", "* 本技能组必须选择小结代码", "小结代码可不选")],
)  # fmt: skip
async def test_the_dialog_says_whether_a_code_is_required(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    language: str, required: str, optional: str,
) -> None:  # fmt: skip
    sim = make_sim([caller_with_one_match(store).mobile])
    app = make_app(sim, language=language)
    async with app.run_test(size=(120, 36)) as pilot:
        await _to_wrap_up(pilot, app, sim, "sg_group_claims")  # 团险理赔: code required
        await wait_for(pilot, lambda: required in screen_text(app), "the required mark")
        assert optional not in screen_text(app)


@pytest.mark.parametrize("existing", [None, "GD-20260310-0001"])
@pytest.mark.parametrize(("language", "finish"), [("en", "Finish"), ("zh_CN", "完成")])
async def test_at_80x24_the_whole_dialog_fits_down_to_finish(
    language: str, finish: str, existing: str | None
) -> None:
    from datetime import datetime, timedelta

    from textual.app import App

    from cscdesk.domain.center_directory import STANDARD_BREAK_CODES, STANDARD_WRAP_UP_CODES
    from cscdesk.tui.i18n import current_language, set_language

    before = current_language()
    set_language(language)
    start = datetime(2026, 3, 10, 10, 0)
    english = language == "en"
    codes = [(c, e if english else z) for c, z, e in STANDARD_WRAP_UP_CODES]
    breaks = [(c, e if english else z) for c, z, e in STANDARD_BREAK_CODES]

    class _Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(WrapUpDialog(codes, True, True, breaks=breaks, clock=lambda: start,
                                          deadline=start + timedelta(seconds=600),
                                          existing_ticket=existing))  # fmt: skip

    try:
        app = _Host()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            ok = app.screen.query_one("#ok")
            assert ok.region.bottom <= 24 and ok.region.height > 0, ok.region
    finally:
        set_language(before)
    assert finish in text and ("10:00" in text)
    assert existing is None or existing in text


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_every_break_reason_in_the_then_dropdown_is_drawn_whole(
    size: tuple[int, int],
) -> None:
    """The dropdown opens over the Finish and Cancel buttons; a button's edge inside a
    double-width character made Textual blank it (完成后示忙 (休息) drawn as "(  息)")."""
    from datetime import datetime

    from textual.app import App

    from cscdesk.domain.center_directory import STANDARD_BREAK_CODES, STANDARD_WRAP_UP_CODES
    from cscdesk.tui.i18n import current_language, set_language

    before = current_language()
    set_language("zh_CN")
    codes = [(c, z) for c, z, _e in STANDARD_WRAP_UP_CODES]
    breaks = [(c, z) for c, z, _e in STANDARD_BREAK_CODES]

    class _Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(WrapUpDialog(codes, False, True, breaks=breaks,
                                          clock=lambda: datetime(2026, 3, 10, 10, 0)))  # fmt: skip

    try:
        app = _Host()
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.2)
            app.screen.query_one("#then", Select).focus()
            await pilot.press("enter")
            await pilot.pause(0.3)
            text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    finally:
        set_language(before)
    for _code, label in breaks:
        assert f"完成后示忙 ({label})" in text, f"{label} is cut in the dropdown"
