"""Key press → screen updated while call events arrive, against the same desk idle.

The desk (80×24: tabbed layout) polls the served simulator every 50 ms — about 20 session
events a second through the real adapter and handlers, plus the queue polls — with its agent
signed in and ready, so calls ring, ring out and ring again and every new offer pops a
profile. A key switches tab ("1"–"4"); the time is until the tab is active and every widget on the
screen has processed its messages. Idle: simulator paused, polls every second.

    python -m bench --only bench_desk_keypress
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from bench.datasets import center_store, mobiles_with_history, sizes
from bench.harness import Row, Stats, print_table

KEYS = (("2", "tab-profile"), ("3", "tab-policies"), ("4", "tab-tickets"), ("1", "tab-call"))


async def _ready(sim: Any) -> None:
    """Sign the desk's agent in and make it ready, over the wire like the desk would."""
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.demo.scenario import DEMO_AGENT_ID

    client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                             scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
    center = AliyunCallCenter(client, sim.instance_id)
    await center.sign_in(DEMO_AGENT_ID, ["sg_group_claims", "sg_group_enquiry"], "cscdesk")
    await center.ready(DEMO_AGENT_ID, "cscdesk")
    await center.aclose()


async def _presses(
    store: Any, mobiles: list[str], *, busy: bool, rounds: int
) -> tuple[list[float], float]:
    from textual import events
    from textual.widgets import Tabs

    from bench.desk import desk_app, desk_ready, start_sim, wait_until

    sim = start_sim(mobiles, paused=not busy, speed=60.0)
    try:
        if busy:
            await _ready(sim)
        app = desk_app(store, sim, poll_seconds=0.051 if busy else 1.0)
        center, polls = app.services.call_center, [0]
        real_poll = center.poll_agent_session

        async def counted_poll(*args: Any) -> Any:  # counts the events the desk receives
            polls[0] += 1
            return await real_poll(*args)

        center.poll_agent_session = counted_poll
        real_queues = center.list_queue_states

        async def counted_queues(*args: Any, **kwargs: Any) -> Any:
            polls[0] += 1
            return await real_queues(*args, **kwargs)

        center.list_queue_states = counted_queues
        samples: list[float] = []
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await desk_ready(pilot)
            tabs = screen.query_one("#tabs", Tabs)  # 80 columns: one pane at a time

            def shown(pane: str) -> bool:  # the tab bar moved and its pane is the one showing
                return tabs.active == pane and screen.has_class(f"-{pane}")

            polls_before, began_all = polls[0], time.perf_counter()
            for _ in range(rounds):
                for key, pane in KEYS:
                    await asyncio.sleep(0.05)  # a person's pace, events keep arriving
                    began = time.perf_counter()
                    app.post_message(events.Key(key, key))
                    await wait_until(pilot, lambda p=pane: shown(p), f"tab {pane}")
                    await pilot.pause(0)
                    samples.append((time.perf_counter() - began) * 1000)
            rate = (polls[0] - polls_before) / (time.perf_counter() - began_all)
    finally:
        sim.stop()
    return samples, rate


def run(quick: bool = False) -> list[Row]:
    from cscdesk.store import open_store

    size = sizes(quick)
    path = center_store(quick)
    mobiles = mobiles_with_history(path, 200, size.members)
    rounds = 5 if quick else 25
    store = open_store(path)
    try:
        idle, idle_rate = asyncio.run(_presses(store, mobiles, busy=False, rounds=rounds))
        busy, busy_rate = asyncio.run(_presses(store, mobiles, busy=True, rounds=rounds))
    finally:
        store.close()
    measured = Stats.of(busy)
    return [
        Row(
            name="key press → screen updated, 20 call events/s",
            unit="ms",
            measured=measured,
            baseline=Stats.of(idle),
            baseline_name="idle desk",
            target="p95 ≤ 100 ms",
            met=measured.p95 <= 100,
            notes=f"{len(busy)} tab switches at 80×24; {busy_rate:.1f} call-center answers/s busy (session + queue polls),"
            f" {idle_rate:.1f}/s idle; ringing calls pop profiles from the"
            f" {size.members:,}-member store",
        )
    ]


if __name__ == "__main__":
    print_table("Key press under load", run(quick="--quick" in sys.argv))
