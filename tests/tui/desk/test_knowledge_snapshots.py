"""Snapshots of the knowledge panel beside a call (issue 16): the agent searched 等待期 for a demo
caller; the caller's insurer's article is first (★) and shown, the call stays on screen. In both
languages, wide and at 80×24. Update with ``--snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from desk_harness import agent_screen, caller_with_one_match, wait_for
from test_knowledge import panel, with_knowledge
from test_snapshots import _on_a_call
from textual.pilot import Pilot

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.tui.app import DeskApp


def _searched_waiting_period(sim: SimulatorHandle) -> Callable[[Pilot[None]], Any]:
    on_a_call = _on_a_call(sim)

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, DeskApp)
        await on_a_call(pilot)
        await pilot.press("k")
        await wait_for(
            pilot, lambda: agent_screen(app).query("#knowledge") and panel(app).hits, "the panel"
        )
        await pilot.press(*"等待期")
        await wait_for(pilot, lambda: panel(app).query_text == "等待期", "the search")
        await pilot.press("enter")  # on to the list: no blinking cursor in the picture
        await pilot.pause(0.3)  # the Markdown renders
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("language", "size"), [("zh_CN", (120, 36)), ("en", (120, 36)), ("zh_CN", (80, 24))]
)
def test_knowledge_beside_the_call(
    snap_compare: Any, store: Any, make_sim: Callable[..., SimulatorHandle],
    make_app: Callable[..., DeskApp], language: str, size: tuple[int, int],
) -> None:  # fmt: skip
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim, language=language)
    with_knowledge(app)
    assert snap_compare(app, terminal_size=size, run_before=_searched_waiting_period(sim))
