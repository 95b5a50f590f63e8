"""The lead screen alone: a minimal App over a real simulator and a real store in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lead_harness import START, LeadApp

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.config import Settings, resolve_paths
from cscdesk.demo.scenario import DEMO_LEAD_ID
from cscdesk.store import open_store
from cscdesk.tui.services import DeskServices
from cscdesk.wiring import demo_directory


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(seed=5, start_time=START, paused=True)
    handle.advance(90 * 60)  # a busy morning, simulated without waiting
    yield handle
    handle.stop()


@pytest.fixture
def make_services(sim: SimulatorHandle, tmp_path: Path) -> Iterator[Callable[..., DeskServices]]:
    stores = []

    def make(settings: Settings | None = None, language: str = "en") -> DeskServices:
        client = AliyunRpcClient(
            sim.endpoint, sim.access_key_id, sim.access_key_secret, scheme="http"
        )
        store = open_store(tmp_path / "desk.db")
        stores.append(store)
        return DeskServices(
            settings=settings or Settings(),
            paths=resolve_paths(None, tmp_path),
            call_center=AliyunCallCenter(client, sim.instance_id),
            store=store,
            gateway=None,
            user_id=DEMO_LEAD_ID,
            sim_clock=sim.clock.now,
            demo=True,
            language=language,
            directory=demo_directory(),  # the embedded demo's center, as wiring fills it
        )

    yield make


@pytest.fixture
def lead_app(make_services: Callable[..., DeskServices]) -> Callable[..., LeadApp]:
    def build(**kwargs: object) -> LeadApp:
        return LeadApp(make_services(**kwargs))

    return build
