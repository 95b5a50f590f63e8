"""SVG snapshots of the agent screen (English, Chinese, 80×24) and a privacy check over them.

Each snapshot is taken with simulated time paused, the desk's own clock fixed, polling stopped and
notices cleared, so the same code draws the same picture. Update with ``--snapshot-update``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from desk_harness import (
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    sign_in_and_ready,
    wait_for,
)
from textual.pilot import Pilot

from cscdesk.callcenter.port import CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def _on_a_call(sim: SimulatorHandle) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, DeskApp)
        await sign_in_and_ready(pilot)
        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.profile is not None, "the screen pop")
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        screen.pause_polling()
        await pilot.pause(0.3)  # let a poll already on its way land
        screen.poll_queues()  # one last look at the (frozen) queues
        await pilot.pause(0.3)
        screen.state.facts.latency_ms = 12.0
        screen.state.facts.last_ok = sim.clock.now()
        screen._repaint()
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("language", "size"),
    [("en", (120, 36)), ("zh_CN", (120, 36)), ("en", (80, 24)), ("zh_CN", (80, 24))],
)
def test_agent_screen_on_a_call(
    snap_compare: Any, store: Any, make_sim: Callable[..., SimulatorHandle],
    make_app: Callable[..., DeskApp], language: str, size: tuple[int, int],
) -> None:  # fmt: skip
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_on_a_call(sim))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_policies_tab_at_80_columns_keeps_status_and_period(
    snap_compare: Any, store: Any, make_sim: Callable[..., SimulatorHandle],
    make_app: Callable[..., DeskApp], language: str,
) -> None:  # fmt: skip
    """At 80×24 the policy table keeps its key columns (insurer, number, status, the whole
    period); the product and the insured person are what the width cuts (issue 16)."""
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim, language=language)
    on_a_call = _on_a_call(sim)

    async def run_before(pilot: Pilot[None]) -> None:
        await on_a_call(pilot)
        await pilot.press("3")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_no_full_mobile_or_id_number_in_any_snapshot(store: Any) -> None:
    svgs = sorted(SNAPSHOTS.rglob("*.svg"))
    assert len(svgs) >= 4, "run the snapshot tests first (--snapshot-update)"
    text = ""
    for svg in svgs:
        raw = unescape(re.sub(r"<[^>]+>", "", svg.read_text("utf-8"))).replace("\xa0", " ")
        text += re.sub(r"\s+", "", raw)  # a number split across spans still counts
    numbers = set()
    for member in store.members.all():
        numbers.add(member.id_number)
        if member.mobile:
            numbers.add(member.mobile)
    leaked = sorted(n for n in numbers if n in text)
    assert not leaked, f"{len(leaked)} personal numbers appear in the snapshots"
