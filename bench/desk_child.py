"""One fresh desk process for the start-up and memory benchmarks (run by them, not by hand).

``python -m bench.desk_child desk STORE MOBILE`` starts the desk as ``cscdesk`` does: the app is
handed the settings and a builder (``DeskStart``), paints its first frame (prints ``painted``),
and the builder then opens the store and starts the simulator in a thread; when the agent screen
has painted it prints ``ready``, pops one caller's profile, then prints its peak RSS (``VmHWM``
from /proc/self/status) and exits. ``desk-before`` is the old order (store and simulator before
the app; the same-run "before"), ``bare`` a bare Textual app (one Static) with no store.
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


async def desk(store_path: str, mobile: str, *, built_first: bool = False) -> None:
    from cscdesk.config import Settings
    from cscdesk.tui.app import DeskApp, DeskStart

    settings = Settings.model_validate({"desk": {"poll_interval_seconds": 1.0, "bell": False}})
    opened: list[object] = []

    def build() -> object:
        from bench.desk import desk_services, start_sim
        from cscdesk.store import open_store

        store = open_store(store_path)
        sim = start_sim([mobile])
        opened.extend([store, sim])
        return desk_services(store, sim, settings=settings)

    start = build() if built_first else DeskStart(settings, "en", build)  # type: ignore[arg-type]
    try:
        app = DeskApp(start)  # type: ignore[arg-type]
        async with app.run_test(size=(140, 40)) as pilot:
            from bench.desk import agent_screen, wait_until

            await pilot.pause(0)  # the first frame is composed and rendered
            print("painted", flush=True)
            await wait_until(pilot, lambda: agent_screen(app) is not None, "the agent screen")
            await pilot.pause(0)
            print("ready", flush=True)
            screen = agent_screen(app)
            await wait_until(pilot, lambda: screen.state.me is not None, "the directory")
            screen.find_caller(mobile)
            await wait_until(pilot, lambda: screen.state.profile is not None, "a profile")
            await pilot.pause(0)
    finally:
        if len(opened) == 2:
            opened[1].stop()  # type: ignore[attr-defined]
            opened[0].close()  # type: ignore[attr-defined]


def main() -> None:
    mode = sys.argv[1]
    if mode == "bare":
        asyncio.run(bare())
    else:
        asyncio.run(desk(sys.argv[2], sys.argv[3], built_first=mode == "desk-before"))
    print(f"rss {peak_rss_mb():.1f}", flush=True)


if __name__ == "__main__":
    main()
