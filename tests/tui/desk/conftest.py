"""Desk fixtures: the real simulator (paused, moved by the test), a real store seeded small in
tmp_path, and the real CCC adapter between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_harness import SCENARIO_AGENTS, START, WALL_NOW

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.sim.model import ModelConfig
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.config import Settings, resolve_paths
from cscdesk.demo.scenario import DEMO_AGENT_ID, SKILL_GROUPS
from cscdesk.tui.app import DeskApp
from cscdesk.tui.services import DeskServices
from cscdesk.wiring import demo_directory

MEMBERS = 300
# the desk's agent plus the seconded teams: every broker call reaches the person under test


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small seeded store per module; each test copies it (seeding is the slow part)."""
    from cscdesk.demo.seed import seed_demo
    from cscdesk.store import open_store

    path = tmp_path_factory.mktemp("seed") / "desk.db"
    store = open_store(path)
    seed_demo(store, members=MEMBERS, seed=7)
    store.close()
    return path


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path) -> Iterator[Any]:
    import shutil

    from cscdesk.store import open_store

    path = tmp_path / "desk.db"
    shutil.copyfile(seeded_db, path)
    opened = open_store(path)
    yield opened
    opened.close()


@pytest.fixture
def make_sim() -> Iterator[Callable[..., SimulatorHandle]]:
    handles: list[SimulatorHandle] = []

    def make(callers: list[str], unknown_share: float = 0.0) -> SimulatorHandle:
        handle = start_simulator(
            seed=3, paused=True, start_time=START, human_agents=[DEMO_AGENT_ID],
            scenario=(SKILL_GROUPS, SCENARIO_AGENTS), caller_numbers=callers,
            config=ModelConfig(unknown_caller_share=unknown_share, ring_timeout_seconds=600,
                               mean_patience_seconds=None, human_acw_limit_seconds=3600),
        )  # fmt: skip
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.stop()


@pytest.fixture
def make_app(store: Any, tmp_path: Path) -> Callable[..., DeskApp]:
    def make(sim: SimulatorHandle, *, language: str = "en", keymap: dict[str, str] | None = None,
             gateway: Any = None, theme: str = "textual-dark",
             desk: dict[str, Any] | None = None) -> DeskApp:  # fmt: skip
        settings = Settings.model_validate(
            {"desk": {"poll_interval_seconds": 0.4, "bell": False, "theme": theme, **(desk or {})},
             "keymap": keymap or {}}
        )  # fmt: skip
        # 5 s, as the other desk tests: a slow moment of a shared CI machine is no refusal
        client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                                 scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
        services = DeskServices(
            settings=settings, paths=resolve_paths(None, tmp_path),
            call_center=AliyunCallCenter(client, sim.instance_id), store=store, gateway=gateway,
            user_id=DEMO_AGENT_ID, now=lambda: WALL_NOW, demo=True, sim_clock=sim.clock.now,
            language=language, directory=demo_directory(),
        )  # fmt: skip
        return DeskApp(services)

    return make
