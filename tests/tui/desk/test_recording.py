"""A call's recording is fetched, saved as a copy, and handed to the system's audio player."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.tui.actions_recording import fetch_and_play
from cscdesk.tui.data import DeskData


def _recorded_contact(sim: SimulatorHandle) -> str:
    for _ in range(200):
        done = [
            c
            for c in sim.model.records
            if c.recorded and c.outcome and c.outcome.value == "answered"
        ]
        if done:
            return done[0].contact_id
        sim.advance(60)
    raise AssertionError("no recorded call in the simulated morning")


@pytest.mark.parametrize("with_player", [False, True])
async def test_recording_is_saved_and_played_when_a_player_exists(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., Any],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_player: bool,
) -> None:  # fmt: skip
    sim = make_sim([])
    contact_id = _recorded_contact(sim)
    services = make_app(sim).services
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    played = tmp_path / "played.txt"
    if with_player:
        player = bin_dir / "paplay"
        player.write_text(f'#!/bin/sh\necho "$@" > {played}\n')
        player.chmod(player.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))

    result = await fetch_and_play(services, DeskData(store), "agent001", contact_id, 600)

    assert result.error is None
    assert result.path is not None and Path(result.path).stat().st_size > 0
    assert Path(result.path).is_relative_to(services.paths.data_dir)
    if with_player:
        assert result.played_with == "paplay"
        for _ in range(100):
            if played.exists():
                break
            os.sched_yield()
            await __import__("asyncio").sleep(0.02)
        assert played.read_text().strip() == result.path
    else:
        assert result.played_with is None
    await services.call_center.aclose()


async def test_an_unknown_call_gives_a_notice_not_a_crash(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., Any]
) -> None:
    services = make_app(make_sim([])).services
    result = await fetch_and_play(services, DeskData(store), "agent001", "job-nope", 600)
    assert result.error and result.path is None
    await services.call_center.aclose()
