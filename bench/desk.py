"""The desk put together headless for benchmarks, as the desk tests build it: a real store, the
real simulator on 127.0.0.1 and the real CCC adapter between them (no mocks of our own code)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

START = datetime.fromisoformat("2026-03-10T10:00:00+08:00")  # a Tuesday morning, claim season


def start_sim(callers: Sequence[str], *, paused: bool = True, speed: float = 60.0,
              **options: Any) -> Any:  # fmt: skip
    from cscdesk.callcenter.sim.model import ModelConfig
    from cscdesk.callcenter.sim.server import start_simulator
    from cscdesk.demo.scenario import AGENTS, DEMO_AGENT_ID, SKILL_GROUPS

    options.setdefault("scenario", (SKILL_GROUPS, AGENTS))
    options.setdefault(
        "config",
        ModelConfig(unknown_caller_share=0.0, ring_timeout_seconds=20, human_acw_limit_seconds=30),
    )
    return start_simulator(seed=3, paused=paused, speed=speed, start_time=START,
                           human_agents=[DEMO_AGENT_ID], caller_numbers=list(callers),
                           **options)  # fmt: skip


def desk_services(store: Any, sim: Any, *, settings: Any = None, poll_seconds: float = 1.0,
                  language: str = "en") -> Any:  # fmt: skip
    """The services of a desk on ``store`` and ``sim``, signed in as the demo agent."""
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.config import Settings, resolve_paths
    from cscdesk.demo.scenario import (
        AGENTS,
        BREAK_CODES,
        DEMO_AGENT_ID,
        SKILL_GROUPS,
        WRAP_UP_CODES,
    )
    from cscdesk.domain.center_directory import CenterDirectory
    from cscdesk.tui.services import DeskServices

    settings = settings or Settings.model_validate(
        {"desk": {"poll_interval_seconds": poll_seconds, "bell": False}}
    )
    client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                             scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
    directory = CenterDirectory(agents=AGENTS, skill_groups=SKILL_GROUPS,
                                break_codes=BREAK_CODES, wrap_up_codes=WRAP_UP_CODES)  # fmt: skip
    return DeskServices(
        settings=settings, paths=resolve_paths(None, Path(tempfile.mkdtemp(prefix="bench-desk"))),
        call_center=AliyunCallCenter(client, sim.instance_id), store=store, gateway=None,
        user_id=DEMO_AGENT_ID, demo=True, sim_clock=sim.clock.now, language=language,
        directory=directory,
    )  # fmt: skip


def desk_app(store: Any, sim: Any, *, poll_seconds: float = 1.0, language: str = "en") -> Any:
    """A ``DeskApp`` on ``store`` and ``sim``, signed in as the demo agent (no login screen)."""
    from cscdesk.tui.app import DeskApp

    return DeskApp(desk_services(store, sim, poll_seconds=poll_seconds, language=language))


def agent_screen(app: Any) -> Any:
    from cscdesk.tui.screens.agent import AgentScreen

    for screen in app.screen_stack:
        if isinstance(screen, AgentScreen):
            return screen
    return None


async def wait_until(pilot: Any, condition: Callable[[], object], what: str,
                     *, tries: int = 10_000) -> None:  # fmt: skip
    """Bounded wait on a condition, yielding to the app between checks (a millisecond each)."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise RuntimeError(f"gave up waiting for {what}")


async def desk_ready(pilot: Any) -> Any:
    """The agent screen, once its directory and open tickets have loaded (the desk is in use)."""
    app = pilot.app
    await wait_until(pilot, lambda: agent_screen(app) is not None, "the agent screen")
    screen = agent_screen(app)
    await wait_until(pilot, lambda: screen.state.me is not None, "the directory")
    await wait_until(pilot, lambda: screen.state.tickets, "the agent's open tickets")
    await pilot.pause(0)
    return screen
