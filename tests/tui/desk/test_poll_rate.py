"""The desk's load on the call system stays flat all shift (issue 13, defect 1).

A rented call system throttles: a desk whose polls multiply with every refresh or call action
gets slower all day, and takes its neighbours down with it. The call center under the desk is the
real simulator over HTTP; a thin counter in front of the adapter counts the requests the desk
makes. Each phase (at rest, ringing, talking, after many refreshes and call actions) is measured
over a window of polls, and the count is compared with what ONE chain of polls can make in it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from desk_harness import (
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    sign_in_and_ready,
    wait_for,
)

from cscdesk.callcenter.port import CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp

WINDOW_SECONDS = 4.0
QUEUE_POLL_FACTOR = 3  # the desk asks for queue states every third session interval


class CountingCallCenter:
    """The adapter, with every request the desk makes counted by method name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return target(*args, **kwargs)

        return counted


async def _rate(pilot: Any, counter: CountingCallCenter, interval: float) -> dict[str, float]:
    """Requests per minute over one window, and the most one chain could have made in it."""
    before = Counter(counter.calls)
    started = time.monotonic()
    await pilot.pause(WINDOW_SECONDS)
    elapsed = time.monotonic() - started
    made = counter.calls - before
    return {
        "session": made["poll_agent_session"] * 60 / elapsed,
        "queues": made["list_queue_states"] * 60 / elapsed,
        "session_limit": (elapsed / interval + 2) * 60 / elapsed,
        "queues_limit": (elapsed / (interval * QUEUE_POLL_FACTOR) + 2) * 60 / elapsed,
    }


def _one_chain(phase: str, rate: dict[str, float]) -> None:
    print(f"{phase}: {rate['session']:.0f} session + {rate['queues']:.0f} queue polls/min")
    assert rate["session"] <= rate["session_limit"], f"{phase}: session polls multiplied {rate}"
    assert rate["queues"] <= rate["queues_limit"], f"{phase}: queue polls multiplied {rate}"


async def test_polls_per_minute_stay_one_chain_at_rest_ringing_talking_and_after_actions(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    counter = CountingCallCenter(app.services.call_center)
    app.services = replace(app.services, call_center=counter)
    interval = app.services.settings.desk.poll_interval_seconds
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)  # sign in and Ready are call actions too
        _one_chain("at rest", await _rate(pilot, counter, interval))

        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        _one_chain("ringing", await _rate(pilot, counter, interval))

        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        for _ in range(3):  # hold and retrieve: each action asks for the new state at once
            await pilot.press("h")
            await wait_for(pilot, lambda: call_state(app) is CallState.HOLDING, "on hold")
            await pilot.press("h")
            await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "retrieved")
        _one_chain("talking", await _rate(pilot, counter, interval))

        for _ in range(12):  # an anxious agent presses F5 through a slow minute
            await pilot.press("f5")
            await pilot.pause(interval / 3)
        await wait_for(pilot, lambda: not agent_screen(app).state.facts.offline, "online")
        _one_chain("after twelve refreshes", await _rate(pilot, counter, interval))
