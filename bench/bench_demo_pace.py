"""Demo pace (issue 16): how soon the embedded demo shows a person something happening.

The desk: seconds from Ready to the first call offered to the demo agent (signed in to the
default groups), in the demo's simulator. The lead: wall seconds until a skill group first
crosses a default warning level of the wallboard (5 waiting or a 30 s longest wait). Each is
measured over several seeds against the usual traffic at 1× in the same run (the baseline: the
demo before issue 16). Event-driven, so it runs in seconds of real time.

    python -m bench --only bench_demo_pace
"""

from __future__ import annotations

import sys
from typing import Any

from bench.harness import Row, Stats, print_table

DESK_TARGET = 60.0  # seconds from Ready to a ringing call
LEAD_TARGET = 300.0  # wall seconds to the first alert: "within a few minutes"
STEP = 5.0  # simulated seconds between looks


def _sim(agent_id: str, seed: int, baseline: bool) -> Any:
    from cscdesk.callcenter.sim.arrivals import TrafficProfile
    from cscdesk.config import Settings
    from cscdesk.wiring import start_demo_simulator

    settings = Settings.model_validate({"simulator": {"seed": seed}})
    extra: dict[str, Any] = {"paused": True}
    if baseline:
        extra.update(traffic=TrafficProfile())
    handle = start_demo_simulator(settings, [], agent_id, **extra)
    return handle


def desk_first_call(seed: int, baseline: bool, limit: float = 3600.0) -> float:
    from cscdesk.callcenter.sim import agent_ops
    from cscdesk.demo.scenario import DEMO_AGENT_ID

    handle = _sim(DEMO_AGENT_ID, seed, baseline)
    try:
        model = handle.model
        agent_ops.sign_in(model, DEMO_AGENT_ID, [], "bench-phone")  # the usual groups
        agent_ops.ready(model, DEMO_AGENT_ID)
        start = model.now
        while model.now - start < limit:
            if model.agent(DEMO_AGENT_ID).call is not None:
                return model.now - start
            handle.advance(1.0)
        return limit
    finally:
        handle.stop()


def lead_first_alert(seed: int, baseline: bool, limit: float = 7200.0) -> float:
    """Wall seconds: simulated seconds divided by the demo clock's speed (1× for the baseline,
    the demo as it was; an hour without alerts counts as ``limit``)."""
    from cscdesk.demo.scenario import DEMO_LEAD_ID

    handle = _sim(DEMO_LEAD_ID, seed, baseline)
    try:
        model = handle.model
        speed = 1.0 if baseline else model.clock.speed
        start = model.now
        while model.now - start < limit:
            handle.advance(STEP)
            for queue in model.queues.values():
                oldest = queue[0].queued_at if queue else None
                if len(queue) >= 5 or (oldest is not None and model.now - oldest >= 30):
                    return (model.now - start) / speed
        return limit / speed
    finally:
        handle.stop()


def run(quick: bool = False) -> list[Row]:
    seeds = range(1, 6 if quick else 11)
    desk = [desk_first_call(s, False) for s in seeds]
    desk_before = [desk_first_call(s, True) for s in seeds]
    lead = [lead_first_alert(s, False) for s in seeds]
    lead_before = [lead_first_alert(s, True) for s in seeds]
    return [
        Row("desk demo: Ready to the first call", "s", Stats.of(desk), Stats.of(desk_before),
            "usual traffic", f"max ≤ {DESK_TARGET:g}", max(desk) <= DESK_TARGET,
            notes=f"{len(desk)} seeds; simulated = wall seconds at 1×"),
        Row("lead demo: first wallboard alert", "s (wall)", Stats.of(lead),
            Stats.of(lead_before), "usual traffic at 1×", f"max ≤ {LEAD_TARGET:g}",
            max(lead) <= LEAD_TARGET,
            notes=f"{len(lead)} seeds; warning at 5 waiting or 30 s longest wait"),
    ]  # fmt: skip


if __name__ == "__main__":
    print_table("Demo pace", run(quick="--quick" in sys.argv))
