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
from cscdesk.domain.claim_duties import claim_duty_clocks
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
from cscdesk.tui.widgets.policies_pane import duty_cell

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
        # the failing insurer answers with errors at once; 5 s leaves a slow CI moment room
        settings = demo_insurer_settings(handles, timeout_seconds=5.0, retries=0)
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


async def test_each_claim_shows_the_insurers_legal_duty_on_it(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    """Beside each claim: the insurer's most pressing duty (decide, pay, notify), its time left
    or how far past due, counted as the law counts (domain.claim_duties)."""
    member = next(
        m for m in store.members.all()
        if store.policies.claims_for_member(m.id) and m.mobile
        and len(store.members.by_mobile(m.mobile)) == 1
    )  # fmt: skip
    app = make_app(make_sim([]))  # no gateway: the store's own claim copies
    async with app.run_test(size=(160, 40)) as pilot:
        screen = agent_screen(app)
        await _show_member(pilot, app, member.mobile)
        await wait_for(pilot, lambda: screen.state.profile is not None, "the profile")
        table = screen.query_one("#claims", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "the claims")
        shown = {
            str(table.coordinate_to_cell_key((i, 0)).row_key.value).split(":", 1)[1]:
            str(table.get_row_at(i)[3]) for i in range(table.row_count)
        }  # fmt: skip
        now = app.services.now()
        for claim in store.policies.claims_for_member(member.id):
            clocks = claim_duty_clocks(claim, screen.sla, now)
            assert shown[claim.claim_no] == duty_cell(clocks, now).plain
        legal = ("decision", "payment", "refusal notice", "advance payment", "—")
        assert all(cell.startswith(legal) for cell in shown.values()), shown
