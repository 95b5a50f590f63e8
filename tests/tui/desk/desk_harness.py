"""Shared pieces of the desk tests: a fixed start, bounded waits, and a still frame for snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from cscdesk.callcenter.port import AgentStatus, CallState
from cscdesk.callcenter.sim.model import CENTER_TZ
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import AGENTS, DEMO_AGENT_ID
from cscdesk.domain.models import AgentKind, Member
from cscdesk.tui.app import DeskApp
from cscdesk.tui.desk import AgentScreen

START = datetime(2026, 3, 10, 10, 0, tzinfo=CENTER_TZ)  # a Tuesday morning in claim season
WALL_NOW = datetime(2026, 3, 10, 10, 5, tzinfo=CENTER_TZ)  # the desk's own clock, fixed
SCENARIO_AGENTS = tuple(a for a in AGENTS if a.id == DEMO_AGENT_ID or a.kind is AgentKind.SECONDED)


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], what: str,
                   *, sim: SimulatorHandle | None = None, step: float = 0.0,
                   tries: int = 300) -> None:  # fmt: skip
    """Poll ``condition`` (optionally moving simulated time) up to ``tries`` times."""
    for _ in range(tries):
        if condition():
            return
        if sim is not None and step:
            await asyncio.to_thread(sim.advance, step)
        await pilot.pause(0.05)
    raise AssertionError(f"gave up waiting for: {what}")


async def offer_a_call(pilot: Pilot[None], sim: SimulatorHandle, agent_id: str) -> None:
    """Move simulated time until the simulator rings this agent, then wait for the desk to see
    it without moving time further (so the picture does not depend on poll timing)."""
    for _ in range(2000):
        if sim.model.agent(agent_id).call is not None:
            break
        await asyncio.to_thread(sim.advance, 5)
    else:
        raise AssertionError("the simulator never offered a call to the desk")
    app = pilot.app
    assert isinstance(app, DeskApp)
    await wait_for(pilot, lambda: call_state(app) is CallState.OFFERED, "the desk sees the call")


def agent_screen(app: DeskApp) -> AgentScreen:
    for screen in app.screen_stack:
        if isinstance(screen, AgentScreen):
            return screen
    raise AssertionError("the agent screen is not open")


def status(app: DeskApp) -> AgentStatus | None:
    session = agent_screen(app).state.session
    return session.status if session else None


def call_state(app: DeskApp) -> CallState | None:
    session = agent_screen(app).state.session
    return session.call.state if session and session.call else None


async def sign_in_and_ready(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, DeskApp)
    await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
    await pilot.press("g")
    await wait_for(pilot, lambda: app.screen.query("#ok"), "the sign-in dialog")
    await pilot.click("#ok")
    await wait_for(pilot, lambda: status(app) is not None and status(app) is not AgentStatus.OFFLINE,
                   "signed in")  # fmt: skip
    await pilot.press("r")
    await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready")


def screen_text(app: DeskApp) -> str:
    """What the terminal shows, as plain text, for every screen on the stack (privacy checks)."""
    texts = []
    for screen in app.screen_stack:
        strips = screen._compositor.render_strips()
        texts.append("\n".join(strip.text for strip in strips))
    return "\n".join(texts)


def steady_cursors(app: DeskApp) -> None:
    """A focused field's cursor blinks every half second, so a screenshot caught it or not by
    chance: held steady (shown) it is the same in every picture."""
    for field in app.screen.query(Input):
        field.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


def caller_with_one_match(store: Any) -> Member:
    """A member whose mobile belongs to nobody else, so screen pop has one answer."""
    from cscdesk.demo.seed import demo_mobiles

    for mobile in demo_mobiles(store, 50):
        found = list(store.members.by_mobile(mobile))
        if len(found) == 1:
            return found[0]  # type: ignore[no-any-return]
    raise AssertionError("the seeded store has no member with a unique mobile")
