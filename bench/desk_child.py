"""One fresh desk process for the start-up and memory benchmarks (run by them, not by hand).

``python -m bench.desk_child desk STORE`` opens the store, starts the simulator, runs the desk
headless until the agent screen has painted (prints ``painted``), pops one caller's profile,
then prints its peak RSS (``VmHWM`` from /proc/self/status) and exits; ``bare`` does the same
with a bare Textual app (one Static) and no store.
"""

from __future__ import annotations

import asyncio
import sys


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("cscdesk")

    app = Bare()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0)
        print("painted", flush=True)


async def desk(store_path: str, mobile: str) -> None:
    from bench.desk import desk_app, start_sim, wait_until
    from cscdesk.store import open_store

    store = open_store(store_path)
    sim = start_sim([mobile])
    try:
        app = desk_app(store, sim)
        async with app.run_test(size=(140, 40)) as pilot:
            from bench.desk import agent_screen

            await wait_until(pilot, lambda: agent_screen(app) is not None, "the agent screen")
            await pilot.pause(0)  # the agent screen's first frame is composed and rendered
            print("painted", flush=True)
            screen = agent_screen(app)
            await wait_until(pilot, lambda: screen.state.me is not None, "the directory")
            screen.find_caller(mobile)
            await wait_until(pilot, lambda: screen.state.profile is not None, "a profile")
            await pilot.pause(0)
    finally:
        sim.stop()
        store.close()


def main() -> None:
    mode = sys.argv[1]
    if mode == "bare":
        asyncio.run(bare())
    else:
        asyncio.run(desk(sys.argv[2], sys.argv[3]))
    print(f"rss {peak_rss_mb():.1f}", flush=True)


if __name__ == "__main__":
    main()
