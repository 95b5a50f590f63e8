"""The terminal controls the call; the voice goes through the agent's phone (issue 14).

The desk shows which phone and work mode the agent is on, says plainly when no phone is
registered (answering is then impossible), and turns the call system's refusal into those
words instead of a vendor state code. Against the real simulator, whose registrar stand-in
(``agent_ops.set_device``) drops and restores the phone's registration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk_harness import (
    call_state,
    caller_with_one_match,
    offer_a_call,
    screen_text,
    sign_in_and_ready,
    wait_for,
)

from cscdesk.callcenter.port import CallState
from cscdesk.callcenter.sim import agent_ops
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp


async def test_the_desk_names_the_phone_and_says_when_none_is_registered(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    async with app.run_test(size=(160, 40)) as pilot:
        await sign_in_and_ready(pilot)
        device = sim.model.agent(DEMO_AGENT_ID).device_id
        assert device
        await wait_for(pilot, lambda: f"phone {device}" in screen_text(app), "the phone shown")
        assert "on site" in screen_text(app)

        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=False)  # the phone drops off
        await wait_for(pilot, lambda: "No phone registered" in screen_text(app), "the warning")
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: any("No phone is registered" in n.message for n in app._notifications),
            "the refusal in plain words",
        )
        assert not any("InvalidOperation" in n.message for n in app._notifications)
        assert call_state(app) is CallState.OFFERED  # still ringing: nothing was answered
