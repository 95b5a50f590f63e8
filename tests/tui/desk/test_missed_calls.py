"""The desk's missed calls worklist (漏话回拨): calls the simulator lost while nobody was ready
are on the list, numbers masked; the agent claims one, calls the customer back through the call
system, and closes it with an outcome; an entry another desk holds cannot be taken."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from desk_harness import SCENARIO_AGENTS, START, agent_screen, screen_text, status, wait_for
from textual.widgets import DataTable, OptionList

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.port import AgentStatus
from cscdesk.callcenter.sim.model import CENTER_TZ, ModelConfig
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.demo.scenario import DEMO_AGENT_ID, SKILL_GROUPS
from cscdesk.domain.missed_calls import CallbackOutcome, CallbackState
from cscdesk.domain.privacy import mask_mobile
from cscdesk.store.missed_calls import MissedCalls
from cscdesk.sync.missed_calls import MissedCallIngest
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.missed_calls import MissedCallsScreen


@pytest.fixture
def lossy_sim(store: Any) -> Iterator[SimulatorHandle]:
    """The desk's own line with nobody ready: its callers give up, some in the IVR, some to
    voicemail. Members call, so the lost numbers are real people's."""
    callers = [mobile for mobile, _id in store.members.mobiles(limit=8)]
    handle = start_simulator(
        seed=4, paused=True, start_time=START, human_agents=[DEMO_AGENT_ID],
        scenario=(SKILL_GROUPS, SCENARIO_AGENTS), caller_numbers=callers,
        config=ModelConfig(unknown_caller_share=0.0, mean_patience_seconds=30.0,
                           ivr_abandon_share=0.15, voicemail_share=0.3, ring_timeout_seconds=600),
    )  # fmt: skip
    yield handle
    handle.stop()


async def _fill_worklist(sim: SimulatorHandle, store: Any) -> MissedCalls:
    await asyncio.to_thread(sim.advance, 1800)
    client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                             scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
    port = AliyunCallCenter(client, sim.instance_id)
    try:
        await MissedCallIngest(port, store, zone=CENTER_TZ, clock=sim.clock.now).run_once()
    finally:
        await port.aclose()
    worklist = MissedCalls(store)
    assert len(worklist.waiting()) > 2, "the simulated half hour should lose calls"
    return worklist


async def _open_worklist(pilot: Any, app: DeskApp) -> MissedCallsScreen:
    await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
    await pilot.press("l")
    await wait_for(pilot, lambda: isinstance(app.screen, MissedCallsScreen), "the worklist")
    screen = app.screen
    assert isinstance(screen, MissedCallsScreen)
    await wait_for(pilot, lambda: screen.query_one(DataTable).row_count, "the missed calls")
    return screen


async def _sign_in(pilot: Any, app: DeskApp) -> None:
    await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
    await pilot.press("g")
    await wait_for(pilot, lambda: app.screen.query("#ok"), "the sign-in dialog")
    await pilot.click("#ok")
    await wait_for(pilot, lambda: status(app) not in (None, AgentStatus.OFFLINE), "signed in")


async def test_claim_call_back_and_close_a_missed_call(
    store: Any, lossy_sim: SimulatorHandle, make_app: Any
) -> None:
    worklist = await _fill_worklist(lossy_sim, store)
    app = make_app(lossy_sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await _sign_in(pilot, app)
        screen = await _open_worklist(pilot, app)
        shown = worklist.waiting(
            list(agent_screen(app).directory.agent(DEMO_AGENT_ID).skill_groups)
        )  # type: ignore[union-attr]
        assert screen.query_one(DataTable).row_count == len(shown)
        text = screen_text(app)
        first = shown[0]
        assert first.number_masked in text
        full_numbers = [mobile for mobile, _id in store.members.mobiles(limit=8)]
        assert not [n for n in full_numbers if n in text]  # masked on screen

        await pilot.press("d")  # claims it and dials
        await wait_for(pilot, lambda: status(app) in (AgentStatus.OUTBOUND, AgentStatus.TALKING),
                       "dialling the customer back")  # fmt: skip
        dialled = [c.callee for c in lossy_sim.model.active.values()
                   if c.direction.value == "outbound"]  # fmt: skip
        assert [mask_mobile(n) for n in dialled] == [first.number_masked]
        taken = worklist.get(first.id)
        assert taken is not None and (taken.claimed_by, taken.attempts) == (DEMO_AGENT_ID, 1)

        await wait_for(pilot, lambda: "me" in screen_text(app), "the row shows it is mine")
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.query(OptionList), "the outcome chooser")
        option_list = app.screen.query_one(OptionList)
        option_list.highlighted = 0  # Reached
        await pilot.press("enter")
        await wait_for(pilot, lambda: worklist.get(first.id).state is CallbackState.CLOSED,  # type: ignore[union-attr]
                       "closed in the store")  # fmt: skip
        closed = worklist.get(first.id)
        assert closed is not None and closed.outcome is CallbackOutcome.REACHED
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == len(shown) - 1,
                       "the closed entry leaves the list")  # fmt: skip


async def test_a_missed_call_another_desk_holds_cannot_be_taken(
    store: Any, lossy_sim: SimulatorHandle, make_app: Any
) -> None:
    worklist = await _fill_worklist(lossy_sim, store)
    app = make_app(lossy_sim)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open_worklist(pilot, app)
        table = screen.query_one(DataTable)
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assert worklist.claim(key, "agent-002", lossy_sim.clock.now())  # the other desk was faster
        await pilot.press("c")
        await wait_for(pilot, lambda: "agent-002" in screen_text(app), "who holds it")
        holder = worklist.get(key)
        assert holder is not None and holder.claimed_by == "agent-002"
        assert any("Another agent" in str(n.message) for n in app._notifications)
