"""Simulator scale: 1,000 arrivals a minute over 500 simulated agents at 60× speed, served (the
clock ticker drives the model from wall time) while a lead's wallboard polls it every second over
the wire. Lag, sampled every 50 ms as a request handler sees it: catch the model up to where
wall time × speed says it should be, then how far it still is behind (events that arrived while
it worked); keeping up means lag ≤ 1 simulated second.

    python -m bench --only bench_simulator
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from typing import Any

from bench.harness import Row, Stats, print_table

AGENTS = 500
GROUPS = 10
ARRIVALS_PER_MINUTE = 1000
SPEED = 60.0


def scenario() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    from cscdesk.domain.models import Agent, AgentKind, SkillGroup

    groups = tuple(
        SkillGroup(f"sg{g:02d}", f"技能组{g:02d}", f"Group {g:02d}") for g in range(GROUPS)
    )
    agents = tuple(
        Agent(
            f"agent{n:03d}@ccc-demo",
            f"坐席{n:03d}",
            AgentKind.BROKER,
            skill_groups=(groups[n % GROUPS].id, groups[(n + 1) % GROUPS].id),
        )
        for n in range(AGENTS)
    )
    return groups, agents


async def _lead_polls(sim: Any, stop: threading.Event) -> tuple[int, int]:
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient

    client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                             scheme="http", max_retries=0, timeout=10.0)  # fmt: skip
    center = AliyunCallCenter(client, sim.instance_id)
    polls = failed = 0
    try:
        while not stop.is_set():
            try:
                await center.list_queue_states()
                await center.list_agent_states()
                polls += 1
            except Exception:  # an overloaded simulator answers late: counted, not fatal
                failed += 1
            await asyncio.sleep(1.0)
    finally:
        await center.aclose()
    return polls, failed


def measure(wall_seconds: float) -> tuple[Stats, float, int, tuple[int, int], list[float]]:
    from bench.desk import START
    from cscdesk.callcenter.sim.arrivals import TrafficProfile
    from cscdesk.callcenter.sim.model import ModelConfig
    from cscdesk.callcenter.sim.server import start_simulator

    groups, agents = scenario()
    per_hour = ARRIVALS_PER_MINUTE * 60 / GROUPS
    sim = start_simulator(
        speed=SPEED, seed=5, start_time=START, scenario=(groups, agents),
        traffic=TrafficProfile.constant({g.id: per_hour for g in groups}),
        # short handling so 500 agents carry 1,000 calls a minute at ~85 % occupancy
        config=ModelConfig(mean_talk_seconds=22.0, mean_wrap_up_seconds=3.0,
                           break_probability=0.0, outbound_per_hour=0.0),
    )  # fmt: skip
    lags: list[float] = []
    stop = threading.Event()
    pauses: list[float] = []  # full (generation 2) garbage collections, ms
    gc_began = [0.0]

    def gc_watch(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") == 2:
            if phase == "start":
                gc_began[0] = time.perf_counter()
            else:
                pauses.append((time.perf_counter() - gc_began[0]) * 1000)

    gc.callbacks.append(gc_watch)

    def sample() -> None:
        # as every request handler does: catch the model up, then see how far behind the
        # answer is (the processing time × speed); between ticks of the sim clock (every
        # 0.1 s wall = 6 sim s) the model is idle by design, which is not lag
        while not stop.wait(0.05):
            sim.model.catch_up()
            lags.append(max(0.0, sim.clock.wall_target() - sim.model.now))

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        began_sim = sim.model.now
        records_before = len(sim.model.records)
        sampler.start()

        async def drive() -> tuple[int, int]:
            task = asyncio.create_task(_lead_polls(sim, stop))
            await asyncio.sleep(wall_seconds)
            stop.set()
            return await task

        lead_polls = asyncio.run(drive())
        sampler.join()
        simulated = sim.model.now - began_sim
        finished = len(sim.model.records) - records_before
    finally:
        stop.set()
        gc.callbacks.remove(gc_watch)
        sim.stop()
    return Stats.of(lags), simulated, finished, lead_polls, pauses


def run(quick: bool = False) -> list[Row]:
    wall = 10.0 if quick else 60.0
    lag, simulated, finished, lead_polls, pauses = measure(wall)
    return [
        Row(
            name=f"simulator {ARRIVALS_PER_MINUTE:,} arrivals/min, {AGENTS} agents, 60×",
            unit="sim s lag",
            measured=lag,
            baseline=None,
            baseline_name="—",
            target="p95 lag ≤ 1 simulated second",
            met=lag.p95 <= 1.0,
            notes=f"{wall:.0f} s wall = {simulated / 60:.1f} simulated min; {finished:,} calls"
            f" finished ({finished / max(simulated / 60, 1e-9):,.0f}/sim min); {lead_polls[0]}"
            f" wallboard polls (queues + 500 agent states) answered, {lead_polls[1]} failed;"
            f" {len(pauses)} full garbage collections, longest {max(pauses, default=0):,.0f} ms"
            f" (= {max(pauses, default=0) * SPEED / 1000:.0f} sim s of lag)",
        )
    ]


if __name__ == "__main__":
    print_table("Simulator scale", run(quick="--quick" in sys.argv))
