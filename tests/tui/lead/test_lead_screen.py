"""Pilot tests of the lead wallboard over a real simulator and a real SQLite store."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from lead_harness import LeadApp, first_snapshot, wait_for
from textual.widgets import RichLog, Static

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.config import AlertLevel, AlertSettings, Settings, StaffingSettings
from cscdesk.demo.scenario import AGENTS, SKILL_GROUPS
from cscdesk.store.wallboard import WallboardSnapshots
from cscdesk.tui.lead.screen import LeadScreen
from cscdesk.tui.lead.staffing_panel import StaffingPanel
from cscdesk.tui.lead.tables import LiveTable

SIZE = (140, 44)


def stored(screen: LeadScreen) -> int:
    return WallboardSnapshots(screen.services.store).count()


def cell_text(table: LiveTable, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


async def test_queues_agents_and_team_totals(lead_app: Callable[..., LeadApp]) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        queues = screen.query_one("#queues", LiveTable)
        agents = screen.query_one("#agents", LiveTable)
        assert queues.row_count == len(SKILL_GROUPS)
        assert agents.row_count == len(AGENTS)
        seconded = next(a for a in AGENTS if a.insurer_id == "ruian")
        assert cell_text(agents, seconded.id, "team") == "Seconded · 瑞安演示"
        totals = str(screen.query_one("#agent-totals", Static).render())
        assert totals.startswith("Broker ") and "Seconded " in totals
        # since-midnight counters reached the queue table: today's service level is a percentage
        assert cell_text(queues, "sg_group_claims", "service_level").endswith("%")


async def test_polls_rearm_store_snapshots_and_update_cells_in_place(
    lead_app: Callable[..., LeadApp], sim: SimulatorHandle
) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        agents = screen.query_one("#agents", LiveTable)
        agents.move_cursor(row=5)
        first_row_keys = list(agents.rows)
        taken = screen.last.taken_at if screen.last else None
        sim.advance(120)  # two simulated minutes pass between polls
        await wait_for(lambda: screen.last is not None and screen.last.taken_at != taken, pilot)
        await wait_for(lambda: stored(screen) >= 2, pilot)
        # the same rows, in place: the lead's cursor did not jump
        assert list(agents.rows) == first_row_keys
        assert agents.cursor_row == 5


async def test_alert_fires_colours_the_cell_rings_and_is_logged(
    lead_app: Callable[..., LeadApp],
) -> None:
    settings = Settings(
        alerts=AlertSettings(
            bell=True,
            per_queue={"sg_group_claims": {"waiting_calls": AlertLevel(warning=0, critical=0)}},
        )
    )
    app = lead_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        cell = screen.query_one("#queues", LiveTable).get_cell("sg_group_claims", "waiting")
        assert "red" in str(cell.style)  # type: ignore[union-attr]
        assert app.bells >= 1
        assert any(a.group_id == "sg_group_claims" for a in screen.alert_log)
        await pilot.press("t", "t", "t")  # to the alert log tab
        log = screen.query_one("#alert-log", RichLog)
        await wait_for(lambda: bool(log.lines), pilot)
        assert any(
            "CRITICAL" in str(line.text) and "waiting calls" in str(line.text) for line in log.lines
        )


async def test_filter_and_sort_agents(lead_app: Callable[..., LeadApp]) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        agents = screen.query_one("#agents", LiveTable)
        await pilot.press("slash", *"瑞安")
        await wait_for(
            lambda: agents.row_count == sum(1 for a in AGENTS if a.insurer_id == "ruian"), pilot
        )
        await pilot.press("backspace", "backspace", "escape")  # clear the box, back to the table
        await wait_for(lambda: agents.row_count == len(AGENTS), pilot)
        await pilot.press("s")  # sort by the first column: name
        names = [str(agents.get_row_at(i)[0]) for i in range(agents.row_count)]
        assert names == sorted(names)


async def test_lead_action_goes_through_the_call_system(
    lead_app: Callable[..., LeadApp],
) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        agents = screen.query_one("#agents", LiveTable)
        agents.focus()
        agents.move_cursor(row=0)
        await pilot.press("x")  # reset the selected agent's state
        name = str(agents.get_row_at(0)[0])
        await wait_for(lambda: any(name in n.message for n in app._notifications), pilot)
        assert any(f"Reset the state of {name}" == n.message for n in app._notifications)


async def test_replay_and_history_survive_a_restart(
    lead_app: Callable[..., LeadApp], sim: SimulatorHandle
) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        taken = screen.last.taken_at if screen.last else None
        sim.advance(60)
        # the live board has moved on, and the duty has recorded the minute before it
        await wait_for(lambda: screen.last is not None and screen.last.taken_at != taken, pilot)
        await wait_for(lambda: stored(screen) >= 2, pilot)
        await pilot.press("left_square_bracket")
        status = screen.query_one("#lead-status", Static)
        await wait_for(lambda: "REPLAY" in str(status.render()), pilot)
        await pilot.press("escape")
        await wait_for(lambda: "LIVE" in str(status.render()), pilot)
        before = screen.history.points()
    again = lead_app()  # a new desk on the same store
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(
            lambda: isinstance(again.screen, LeadScreen) and again.screen._context_ready, pilot
        )
        restored = again.screen.history.points()  # type: ignore[attr-defined]
        assert restored and restored[0] == before[0]


async def test_monitor_a_talking_agent_and_refusal_for_an_idle_one(
    lead_app: Callable[..., LeadApp], sim: SimulatorHandle
) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        assert screen.last is not None
        agents = screen.query_one("#agents", LiveTable)
        by_status = {a.status: a for a in screen.last.agents}
        talking, idle = by_status["talking"], by_status["ready"]
        agents.focus()
        agents.move_cursor(row=agents.get_row_index(talking.agent_id))
        await pilot.press("m")
        await wait_for(lambda: any(talking.name in n.message for n in app._notifications), pilot)
        assert any(n.message == f"Monitoring {talking.name}" for n in app._notifications)
        # the call system saw the lead join that agent's call
        watched = sim.model.agent(talking.agent_id).call
        assert watched is not None and any(
            who == screen.services.user_id for _, who, _ in watched.events
        )
        agents.move_cursor(row=agents.get_row_index(idle.agent_id))
        await pilot.press("b")
        await wait_for(lambda: any("failed" in n.message for n in app._notifications), pilot)
        refusal = next(n for n in app._notifications if "failed" in n.message)
        assert refusal.severity == "error" and idle.name in refusal.message
        # both attempts are in the audit log, with their outcome
        audit = screen.services.store.audit
        await wait_for(lambda: len(audit.list()) >= 2, pilot)
        attempts = [(e.action, e.target_id, e.outcome) for e in audit.list()]
        assert ("lead.monitor", talking.agent_id, "success") in attempts
        assert ("lead.barge_in", idle.agent_id, "failure") in attempts


async def test_staffing_plan_against_agents_signed_in(
    lead_app: Callable[..., LeadApp], tmp_path: Path
) -> None:
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(
        "interval_start,calls,aht_seconds\n10:00,100,180\n10:30,150,180\n11:00,20,180\n",
        encoding="utf-8",
    )
    settings = Settings(staffing=StaffingSettings(forecast_file=forecast))
    app = lead_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        assert screen.plan is not None
        # 10:30 (the sim's clock): 150 calls × 180 s / 1800 s = 15 Erlangs → peak interval
        now_row = screen.plan.row_at(screen.now())
        assert now_row is not None and now_row.peak and now_row.calls == 150
        await pilot.press("t", "t")  # agents → intraday → staffing
        panel = screen.query_one("#staffing", StaffingPanel)
        text = _plain(panel)
        assert "10:30 ▶ ★" in text  # the current interval, called out as a peak
        signed_in = screen.last.signed_in if screen.last else 0
        assert f"{now_row.agents}" in text and str(signed_in) in text


def _plain(widget: Static) -> str:
    from rich.console import Console

    console = Console(width=140, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()
