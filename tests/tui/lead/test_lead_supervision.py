"""The wallboard marks who is being monitored and by whom, says how to stop, and stops: the lead
uses their own call-center user (signed in with a device when the wallboard opens). Vendor
behaviour: MonitorCall page 439615, ReleaseCall of one's own leg page 439620, the watched agent's
StateCode ``Monitored`` and CounterParty in ListRealtimeAgentStates page 439676."""

from __future__ import annotations

from collections.abc import Callable

from lead_harness import LeadApp, first_snapshot, wait_for
from textual.widgets import Static

from cscdesk.callcenter.sim.records import UserState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_LEAD_ID
from cscdesk.tui.lead.screen import LeadScreen
from cscdesk.tui.lead.tables import LiveTable

SIZE = (140, 44)


def state_cell(screen: LeadScreen, agent_id: str) -> str:
    return str(screen.query_one("#agents", LiveTable).get_cell(agent_id, "state"))


def status_line(screen: LeadScreen) -> str:
    return str(screen.query_one("#lead-status", Static).render())


async def test_the_board_marks_the_monitored_agent_and_e_ends_monitoring(
    lead_app: Callable[..., LeadApp], sim: SimulatorHandle
) -> None:
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        await wait_for(lambda: sim.model.agent(DEMO_LEAD_ID).state is not UserState.OFFLINE, pilot)
        assert sim.model.agent(DEMO_LEAD_ID).device_id == screen.services.device_id
        assert screen.last is not None
        talking = next(a for a in screen.last.agents if a.status == "talking")
        agents = screen.query_one("#agents", LiveTable)
        agents.focus()
        agents.move_cursor(row=agents.get_row_index(talking.agent_id))
        await pilot.press("m")

        await wait_for(lambda: "monitored by you" in state_cell(screen, talking.agent_id), pilot)
        assert f"You are monitoring {talking.name} — e stops" in status_line(screen)

        await pilot.press("e")
        await wait_for(lambda: "monitored" not in state_cell(screen, talking.agent_id), pilot)
        assert "You are monitoring" not in status_line(screen)
        agent = sim.model.agent(talking.agent_id)
        assert agent.state is UserState.TALKING  # the call goes on without the lead
        assert sim.model.agent(DEMO_LEAD_ID).call is None

        audit = screen.services.store.audit
        await wait_for(lambda: len(audit.list()) >= 2, pilot)
        attempts = [(e.action, e.target_id, e.outcome) for e in audit.list()]
        assert ("lead.monitor", talking.agent_id, "success") in attempts
        assert ("lead.stop", talking.agent_id, "success") in attempts


async def test_another_leads_monitoring_is_shown_with_their_name(
    lead_app: Callable[..., LeadApp], sim: SimulatorHandle
) -> None:
    """The mark comes from the call system, so a lead also sees a colleague listening."""
    from cscdesk.callcenter.sim import agent_ops, supervision
    from cscdesk.domain.models import Agent, AgentKind

    colleague = Agent(id="lead002@ccc-demo", name="夜班组长", kind=AgentKind.BROKER)
    with sim.model.lock:
        sim.model.supervisors[colleague.id] = type(sim.model.agent(DEMO_LEAD_ID))(
            agent=colleague, human=True
        )
        agent_ops.sign_in(sim.model, colleague.id, [], "SIP-8901")
        talking = next(rt for rt in sim.model.agents.values() if rt.state is UserState.TALKING)
        supervision.supervise(sim.model, colleague.id, talking.agent.id, "MONITOR")
    app = lead_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await first_snapshot(app, pilot)
        await wait_for(lambda: "by lead002" in state_cell(screen, talking.agent.id), pilot)
        assert "monitored by lead002" in state_cell(screen, talking.agent.id)
        assert "You are monitoring" not in status_line(screen)
