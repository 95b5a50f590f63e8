"""Run the simulator on a real socket (uvicorn in a background thread) and hand back its handle."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import uvicorn

from cscdesk.callcenter.sim.app import build_app
from cscdesk.callcenter.sim.arrivals import TrafficProfile
from cscdesk.callcenter.sim.auth import Authenticator
from cscdesk.callcenter.sim.clock import SimClock
from cscdesk.callcenter.sim.events import EventPusher
from cscdesk.callcenter.sim.faults import FaultInjector, FaultPlan
from cscdesk.callcenter.sim.gc_upkeep import GcUpkeep
from cscdesk.callcenter.sim.model import CENTER_TZ, CallCenterModel, ModelConfig
from cscdesk.callcenter.sim.recordings import RecordingVault
from cscdesk.callcenter.sim.shared import CenterAddress, is_loopback_http
from cscdesk.callcenter.sim.tickets import TicketBook
from cscdesk.domain.models import Agent, SkillGroup

DEMO_ACCESS_KEY_ID = "LTAI5tDEMOcscdesk0000000"  # documented demo pair, not a secret
DEMO_ACCESS_KEY_SECRET = "cscdesk-demo-secret-not-for-production"
TICK_SECONDS = 0.1


class SimulatorHandle:
    """A running simulator: where it listens, the key it accepts, and the model behind it."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, sock: socket.socket,
                 model: CallCenterModel, faults: FaultInjector, auth: Authenticator,
                 tickets: TicketBook, vault: RecordingVault,
                 events: EventPusher, requests: Counter[str],
                 gc_upkeep: GcUpkeep | None = None) -> None:  # fmt: skip
        host, port = sock.getsockname()[:2]
        self.endpoint = f"{host}:{port}"
        self.base_url = f"http://{self.endpoint}"
        self.access_key_id = auth.access_key_id
        self.access_key_secret = auth.access_key_secret
        self.instance_id = model.instance_id
        self.model = model
        self.clock = model.clock
        self.faults = faults
        self.tickets = tickets
        self.vault = vault
        self.events = events
        self.requests: Counter[str] = requests  # RPC requests received, by action
        self._server = server
        self._thread = thread
        self._sock = sock
        self.gc_upkeep = gc_upkeep
        self._stop_ticks = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="sim-clock", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop_ticks.wait(TICK_SECONDS):
            if not self.clock.paused:
                self.model.catch_up()
            if self.gc_upkeep is not None:
                self.gc_upkeep.upkeep(len(self.model.records))

    def pause(self) -> None:
        """Freeze simulated time: from now on only ``advance`` moves the model."""
        with self.model.lock:
            self.model.catch_up()
            self.clock.pause()

    def resume(self) -> None:
        with self.model.lock:
            self.clock.resume()

    def advance(self, seconds: float) -> None:
        self.model.advance(seconds)

    def stop(self) -> None:
        self._stop_ticks.set()
        self.events.stop()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.stop()


def start_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = 60.0,
    seed: int = 7,
    scenario: tuple[Sequence[SkillGroup], Sequence[Agent]] | None = None,
    caller_numbers: Sequence[str] = (),
    faults: FaultPlan | None = None,
    start_time: datetime | None = None,
    human_agents: Sequence[str] = (),
    prefill_days: float = 0,
    access_key_id: str = DEMO_ACCESS_KEY_ID,
    access_key_secret: str = DEMO_ACCESS_KEY_SECRET,
    instance_id: str = "ccc-demo",
    traffic: TrafficProfile | None = None,
    config: ModelConfig | None = None,
    paused: bool = False,
    archive_after_days: float = 30.0,
    restore_seconds: float = 600.0,
    supervisors: Sequence[Agent] | None = None,
    tune_gc: bool = False,
) -> SimulatorHandle:
    """Start a simulator; ``paused=True`` keeps time still until the caller ``advance``s it.

    ``tune_gc`` (a process of its own, ``cscdesk sim``): garbage collection without stalls
    (``gc_upkeep``); never in a desk's process, whose objects it would freeze too.

    ``prefill_days`` runs the model over that many past days first (event-driven, so quickly),
    giving the archive a history of CDRs and recordings; ``start_time`` is then "now".
    """
    if scenario is None:
        from cscdesk.demo.scenario import AGENTS, SKILL_GROUPS

        scenario = (SKILL_GROUPS, AGENTS)
    if supervisors is None:
        from cscdesk.demo.scenario import LEADS

        supervisors = LEADS
    now = start_time or datetime.now(UTC).astimezone(CENTER_TZ).replace(microsecond=0)
    from datetime import timedelta

    clock = SimClock(now - timedelta(days=prefill_days), speed)
    model = CallCenterModel(
        clock=clock, skill_groups=scenario[0], agents=scenario[1], caller_numbers=caller_numbers,
        human_agents=human_agents, traffic=traffic, config=config, seed=seed, instance_id=instance_id,
        supervisors=supervisors,
    )  # fmt: skip
    if prefill_days:
        model.run_until(prefill_days * 86400)
    auth = Authenticator(access_key_id, access_key_secret)
    injector = FaultInjector(faults, seed)
    vault = RecordingVault(access_key_secret, archive_after_days, restore_seconds)
    tickets = TicketBook()
    events = EventPusher()
    model.pusher = events
    model.on_event = events.publish
    requests: Counter[str] = Counter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    base_url = "http://{}:{}".format(*sock.getsockname()[:2])
    demo_pair = (access_key_id, access_key_secret) == (DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)

    def center_info() -> dict[str, Any]:
        """Where this simulator is; the key only when it is the documented demo pair."""
        return CenterAddress(
            base_url=base_url, instance_id=instance_id,
            access_key_id=access_key_id if demo_pair else "",
            access_key_secret=access_key_secret if demo_pair else "",
            pid=os.getpid(), sim_start=clock.now().isoformat(), wall_start=time.time(),
            speed=clock.speed,
        ).to_json()  # fmt: skip

    app = build_app(
        model, auth=auth, faults=injector, vault=vault, tickets=tickets, requests=requests,
        center_info=center_info if is_loopback_http(base_url) else None,
    )  # fmt: skip
    config_ = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config_)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError(f"the simulator did not start on {host}:{port}")
    upkeep = GcUpkeep() if tune_gc else None
    if upkeep is not None:
        upkeep.start()
    if not paused:
        clock.resume()
    return SimulatorHandle(
        server, thread, sock, model, injector, auth, tickets, vault, events, requests, upkeep
    )
