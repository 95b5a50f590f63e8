"""A desk started with a real deployment's config shows that deployment's names only (issue 13).

Before, the agent desk filled group names, insurer names, codes and the ticket editor's
"escalate to insurer" list from the demo center whenever the deployment gave none, and the
wallboard always merged the demo's agents and insurers in: a broker's real desk offered to
escalate a ticket to 瑞安演示. Here the desk is put together by ``wiring`` from a config file,
against a call system (the simulator over HTTP) and a store that know only the deployment's
own center, and nothing the demo defines may reach the screen.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from desk_harness import WALL_NOW, agent_screen, screen_text, wait_for

from cscdesk.callcenter.sim.server import start_simulator
from cscdesk.cli import main
from cscdesk.config import load_settings, resolve_paths
from cscdesk.demo import scenario
from cscdesk.domain.models import Agent, AgentKind, Insurer, Routing, SkillGroup
from cscdesk.reports.source import ArchiveSource
from cscdesk.store import open_store
from cscdesk.tui.app import DeskApp
from cscdesk.tui.lead import directory as lead_directory
from cscdesk.tui.screens.dialogs import SignInDialog
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.wiring import build_services, close_services

ME = "lin.hai@ccc-prod"
GROUPS = (
    SkillGroup("sg_claims", "团体理赔专线", "Group claims line", Routing.SERIAL, None, True),
    SkillGroup("sg_service", "保全服务", "Policy service", Routing.PARALLEL, None, False),
)
AGENTS = (
    Agent(ME, "林海", AgentKind.BROKER, None, ("sg_claims", "sg_service")),
    Agent("he.jing@ccc-prod", "何静", AgentKind.SECONDED, "pingcheng", ("sg_claims",)),
)
INSURERS = (Insurer("pingcheng", "平成人寿保险股份有限公司", "平成人寿"),)


def demo_names() -> set[str]:
    names = {i.name for i in scenario.INSURERS} | {i.short_name or "" for i in scenario.INSURERS}
    names |= {g.name for g in scenario.SKILL_GROUPS} | {g.name_en for g in scenario.SKILL_GROUPS}
    names |= {a.name for a in scenario.AGENTS}
    return names - {""} - {a.name for a in AGENTS}


def _config(tmp_path: Path, sim: Any) -> Path:
    config = tmp_path / "cscdesk.toml"
    config.write_text(
        f"""
[callcenter]
mode = "aliyun"
endpoint = "{sim.base_url}"
instance_id = "{sim.instance_id}"
access_key_id = "keyring:ccc-key-id"
access_key_secret = "keyring:ccc-key-secret"

[desk]
agent_id = "{ME}"
bell = false
poll_interval_seconds = 0.4

[security]
login_required = false
""",
        encoding="utf-8",
    )
    return config


def _deployment(tmp_path: Path, config: Path, memory_keyring: Any, sim: Any) -> Path:
    """The admin's steps: the AccessKey in the keyring, the audit key, the center's roster."""
    memory_keyring.set_password("cscdesk", "ccc-key-id", sim.access_key_id)
    memory_keyring.set_password("cscdesk", "ccc-key-secret", sim.access_key_secret)
    data_dir = tmp_path / "data"
    created = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "audit", "init-key"]
    )
    assert created.exit_code == 0, created.output
    store = open_store(data_dir / "cscdesk.db")
    store.insurers.put_many(INSURERS)
    store.skill_groups.put_many(GROUPS)
    store.agents.put_many(AGENTS)
    store.close()
    return data_dir


async def test_a_desk_started_with_a_real_config_shows_no_demo_name(
    tmp_path: Path, memory_keyring: Any
) -> None:
    sim = start_simulator(scenario=(GROUPS, AGENTS), instance_id="ccc-prod", paused=True,
                          human_agents=[ME], start_time=WALL_NOW)  # fmt: skip
    try:
        config = _config(tmp_path, sim)
        data_dir = _deployment(tmp_path, config, memory_keyring, sim)
        services = build_services(
            load_settings(config), resolve_paths(config, data_dir), language="zh_CN"
        )
        try:
            app = DeskApp(services)
            async with app.run_test(size=(140, 40)) as pilot:
                screen = agent_screen(app)
                await wait_for(pilot, lambda: screen.state.me is not None, "the directory")
                await wait_for(pilot, lambda: screen.state.session is not None, "a session poll")
                seen = [screen_text(app)]
                await pilot.press("g")
                await wait_for(pilot, lambda: isinstance(app.screen, SignInDialog), "sign-in")
                seen.append(screen_text(app))
                assert "团体理赔专线" in seen[-1]  # the deployment's own names do show
                await pilot.press("escape")
                await pilot.press("n")
                await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the editor")
                editor = app.screen
                assert isinstance(editor, TicketEditor)
                offered = [name for name, _id in editor.insurers]
                assert offered == ["平成人寿"]
                seen.append(screen_text(app))
            wallboard = [
                *(a.name for a in lead_directory.roster(services).values()),
                *lead_directory.group_names(services).values(),
                *lead_directory.insurer_names(services).values(),
            ]
            source = ArchiveSource(services.store)
            reported = [i.short_name or i.name for i in source.insurers()]
            reported += [a.name for a in source.agents()] + list(source.group_names().values())
        finally:
            close_services(services)
    finally:
        sim.stop()
    shown = "\n".join([*seen, *wallboard, *reported, *offered])
    leaked = sorted(name for name in demo_names() if name in shown)
    assert not leaked, f"demo names in a real deployment: {leaked}"


async def test_wallboard_snapshots_are_recorded_once_by_the_lease_holder_with_no_lead_watching(
    tmp_path: Path, memory_keyring: Any
) -> None:
    """The occupancy report reads wallboard snapshots; before, only an open wallboard recorded
    them (none with no lead watching, twice with two). Two desks, no wallboard: the lease
    holder records, the other desk does not."""
    import asyncio
    from datetime import timedelta

    from cscdesk.store.wallboard import WallboardSnapshots
    from cscdesk.sync.background import SNAPSHOTS_LEASE, BackgroundSnapshots

    sim = start_simulator(scenario=(GROUPS, AGENTS), instance_id="ccc-prod", paused=True,
                          human_agents=[ME], start_time=WALL_NOW)  # fmt: skip
    desks = []
    try:
        config = _config(tmp_path, sim)
        with config.open("a", encoding="utf-8") as extra:
            extra.write("\n[sync]\ninterval_seconds = 0.3\nlease_seconds = 2\n")
        data_dir = _deployment(tmp_path, config, memory_keyring, sim)
        settings, paths = load_settings(config), resolve_paths(config, data_dir)
        desks = [build_services(settings, paths, language="zh_CN") for _ in range(2)]
        store = desks[0].store
        snapshots = WallboardSnapshots(store)
        start = datetime.now().astimezone() - timedelta(minutes=1)
        for _ in range(200):
            taken = snapshots.summaries_between(start, start + timedelta(hours=1))
            if len(taken) >= 4:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("no wallboard snapshot was recorded without a wallboard open")
        duties = [
            d for desk in desks for d in desk.background if isinstance(d, BackgroundSnapshots)
        ]
        assert len(duties) == 2
        recorders = [d for d in duties if d.last_round is not None and d.last_round.ran]
        assert [d.holder for d in recorders] == [store.leases.holder(SNAPSHOTS_LEASE)]
        moments = sorted(s.taken_at for s in taken)
        assert all(b - a >= timedelta(seconds=0.15) for a, b in itertools.pairwise(moments))
        latest = snapshots.neighbour(moments[-1] + timedelta(seconds=1), -1)
        assert latest is not None and {g["group_id"] for g in latest.payload["queues"]} == {
            g.id for g in GROUPS
        }
    finally:
        for desk in desks:
            close_services(desk)
        sim.stop()
