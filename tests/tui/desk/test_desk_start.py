"""The desk paints its first frame before the store opens and the call center connects (the
builder runs after it, in a thread), and a builder's refusal ends the desk with exit 2 and one
line, as the CLI did when it built the services before the app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.tui.app import DeskApp, DeskStart, StartingScreen
from cscdesk.tui.screens.agent import AgentScreen
from cscdesk.wiring import WiringError


async def test_the_first_frame_comes_before_the_store_and_the_call_center(
    make_app: Callable[..., DeskApp], make_sim: Callable[..., SimulatorHandle]
) -> None:
    services = make_app(make_sim([])).services
    starting = threading.Event()
    release = threading.Event()

    def build() -> Any:  # the composition root, still opening the store when the frame is up
        starting.set()
        release.wait(30)
        return services

    app = DeskApp(DeskStart(services.settings, "en", build))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)
        assert "opening the store" in str(app.screen.query_one("#starting").render())
        release.set()
        for _ in range(500):
            if isinstance(app.screen, AgentScreen):
                break
            await pilot.pause(0.01)
        assert starting.is_set() and isinstance(app.screen, AgentScreen)
        assert app.services is services


async def test_a_builder_that_refuses_ends_the_desk_with_exit_2(
    make_app: Callable[..., DeskApp], make_sim: Callable[..., SimulatorHandle]
) -> None:
    settings = make_app(make_sim([])).services.settings

    def build() -> Any:
        raise WiringError("store /srv/cscdesk/cscdesk.db: the encryption key is not in the keyring")

    app = DeskApp(DeskStart(settings, "en", build))
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            if app.return_code is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 2
    assert (
        app.start_error == "store /srv/cscdesk/cscdesk.db: the encryption key is not in the keyring"
    )
