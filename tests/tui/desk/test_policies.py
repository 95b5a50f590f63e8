"""Policies and claims across insurers, streamed one insurer at a time into the profile, with
where each answer came from and a clear mark when an insurer failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_harness import agent_screen, wait_for
from textual.widgets import DataTable, Input, Static

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.config import GatewaySettings
from cscdesk.domain.models import Member
from cscdesk.insurers.gateway import build_gateway
from cscdesk.insurers.sim.profile import FaultProfile
from cscdesk.insurers.sim.runner import (
    demo_insurer_settings,
    demo_secret_resolver,
    start_insurer_sims,
)
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.search import SearchScreen

LIVE = ("ruian", "jiahe", "huaying")


def _member_with_live_policy(store: Any) -> tuple[Member, str]:
    for member in store.members.all():
        for policy in store.policies.for_member(member.id):
            unique = member.mobile and len(store.members.by_mobile(member.mobile)) == 1
            if policy.insurer_id in LIVE and unique:
                return member, policy.insurer_id
    raise AssertionError("the seed has no member insured by a live insurer")


@pytest.fixture
def insurers(store: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def start(failing: str | None = None) -> Any:
        profiles = {failing: FaultProfile(error_rate=1.0)} if failing else None
        handles = start_insurer_sims(tmp_path / "desk.db", seed=7, profiles=profiles,
                                     batch_dir=tmp_path / "batch")  # fmt: skip
        started.append(handles)
        settings = demo_insurer_settings(handles, timeout_seconds=1.0, retries=0)
        resolver = demo_secret_resolver()
        return build_gateway(settings, GatewaySettings(), store,
                             secrets=lambda ref, what: resolver(ref, what))  # fmt: skip

    yield start
    for handles in started:
        handles.stop()


async def _show_member(pilot: Any, app: DeskApp, mobile: str) -> None:
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search dialog")
    app.screen.query_one("#query", Input).value = mobile
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count, "a result")
    await pilot.press("enter")


@pytest.mark.parametrize("failing", [False, True])
async def test_each_insurer_answer_shows_with_its_source_or_its_failure(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    insurers: Callable[..., Any], failing: bool,
) -> None:  # fmt: skip
    member, insurer_id = _member_with_live_policy(store)
    gateway = insurers(failing=insurer_id if failing else None)
    app = make_app(make_sim([]), gateway=gateway)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await _show_member(pilot, app, member.mobile)
        await wait_for(pilot, lambda: screen.state.profile is not None, "the profile")
        await wait_for(pilot, lambda: any(r.insurer_id == insurer_id for r in screen.state.results)
                       and not screen.state.pending_insurers, "the insurer's answer")  # fmt: skip
        (result,) = [r for r in screen.state.results if r.insurer_id == insurer_id]
        status_line = str(screen.query_one("#insurer-status", Static).render())
        policies = screen.query_one("#policies", DataTable)
        if failing:
            assert result.error is not None
            assert "failed" in status_line
            assert policies.row_count == 0
        else:
            assert result.ok and result.source == "live"
            assert f"{result.insurer_name} ✓ live" in status_line
            assert policies.row_count == len(result.policies) > 0
            text = "".join(str(c) for c in policies.get_row_at(0))
            assert member.name not in text  # the insured is masked
