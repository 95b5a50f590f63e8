"""The lead screen alone: a minimal App over a real simulator and a real store in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lead_harness import START, LeadApp

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.config import Settings, resolve_paths
from cscdesk.demo.scenario import DEMO_LEAD_ID
from cscdesk.store import open_store
from cscdesk.sync.background import BackgroundSnapshots
from cscdesk.tui.services import DeskServices
from cscdesk.wiring import call_center_port, demo_directory, simulator_settings


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(seed=5, start_time=START, paused=True)
    handle.advance(90 * 60)  # a busy morning, simulated without waiting
    yield handle
    handle.stop()


@pytest.fixture
def make_services(sim: SimulatorHandle, tmp_path: Path) -> Iterator[Callable[..., DeskServices]]:
    stores, duties = [], []
    cc = simulator_settings(sim)

    def port() -> AliyunCallCenter:
        return call_center_port(cc, sim.access_key_id, sim.access_key_secret)  # type: ignore[no-any-return]

    def make(settings: Settings | None = None, language: str = "en") -> DeskServices:
        store = open_store(tmp_path / "desk.db")
        stores.append(store)
        # the process holding the lease records the snapshots the wallboard replays
        duty = BackgroundSnapshots(store, port, roster={a.id: a for a in demo_directory().agents},
                                   interval_seconds=0.3, lease_seconds=2, clock=sim.clock.now)  # fmt: skip
        duties.append(duty)
        duty.start()
        return DeskServices(
            settings=settings or Settings(),
            paths=resolve_paths(None, tmp_path),
            call_center=port(),
            store=store,
            gateway=None,
            user_id=DEMO_LEAD_ID,
            sim_clock=sim.clock.now,
            demo=True,
            language=language,
            directory=demo_directory(),  # the embedded demo's center, as wiring fills it
        )

    yield make
    for duty in duties:
        duty.stop()
    for store in stores:
        store.close()


@pytest.fixture
def lead_app(make_services: Callable[..., DeskServices]) -> Callable[..., LeadApp]:
    def build(**kwargs: object) -> LeadApp:
        return LeadApp(make_services(**kwargs))

    return build
