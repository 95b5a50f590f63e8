"""A team lead supervises a call with their own user and device, through the real adapter and
the simulator, as CCC 2020-07-01 documents it:

- MonitorCall: UserId, DeviceId, MonitoredUserId; the call must be connected
  (help.aliyun.com/document_detail/439615); the supervisor's channel carries MONITORING.
- CoachCall: JobId and CoachedUserId; CallType COACH, flag COACHING (document_detail/439605).
- BargeInCall: JobId and BargedUserId (CallType enumeration BARGE 强插, same pages).
- ReleaseCall without ChannelId ends the channel of UserId only (document_detail/439620).
- ListRealtimeAgentStates: the watched agent has StateCode "Monitored" and CounterParty the other
  party (example of document_detail/439676).
"""

from __future__ import annotations

import pytest

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.errors import CallCenterError
from cscdesk.callcenter.port import AgentStatus
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID, DEMO_LEAD_ID

AGENT_DEVICE = "SIP-8031"
LEAD_DEVICE = "SIP-8900"


async def agent_in_a_call(sim: SimulatorHandle, center: AliyunCallCenter) -> str:
    """The human agent signs in, answers the first call, and is talking: its JobId."""
    await center.sign_in(DEMO_AGENT_ID, [], AGENT_DEVICE)
    await center.ready(DEMO_AGENT_ID, AGENT_DEVICE)
    for _ in range(720):
        sim.advance(5)
        session = await center.poll_agent_session(DEMO_AGENT_ID, AGENT_DEVICE)
        if session.call is not None:
            await center.answer(DEMO_AGENT_ID, AGENT_DEVICE, session.call.job_id)
            return session.call.job_id
    raise AssertionError("no call reached the agent")


async def watched(center: AliyunCallCenter) -> tuple[str | None, str | None]:
    (row,) = [a for a in await center.list_agent_states() if a.agent_id == DEMO_AGENT_ID]
    return row.supervision, row.supervised_by


async def test_the_lead_monitors_coaches_barges_in_and_leaves_while_the_call_goes_on(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    job = await agent_in_a_call(sim, center)
    await center.sign_in(DEMO_LEAD_ID, [], LEAD_DEVICE)  # the lead's own user and device

    await center.monitor(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    assert await watched(center) == ("monitor", DEMO_LEAD_ID)
    lead = await center.poll_agent_session(DEMO_LEAD_ID, LEAD_DEVICE)
    assert lead.status is AgentStatus.TALKING and lead.call is not None
    assert lead.call.job_id == job
    assert lead.call.raw["CallType"] == "MONITOR"
    flags = {c["UserId"]: c["ChannelFlags"] for c in lead.call.raw["ChannelContexts"]}
    assert flags[DEMO_LEAD_ID] == "MONITORING" and flags[DEMO_AGENT_ID] == "MONITORED"

    await center.coach(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    assert await watched(center) == ("coach", DEMO_LEAD_ID)
    await center.barge_in(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    assert await watched(center) == ("barge", DEMO_LEAD_ID)

    await center.stop_supervising(DEMO_LEAD_ID, LEAD_DEVICE)
    assert await watched(center) == (None, None)
    agent = await center.poll_agent_session(DEMO_AGENT_ID, AGENT_DEVICE)
    assert agent.status is AgentStatus.TALKING and agent.call is not None  # the call goes on
    assert agent.call.job_id == job
    lead = await center.poll_agent_session(DEMO_LEAD_ID, LEAD_DEVICE)
    assert lead.call is None and lead.status is AgentStatus.BREAK  # back where it was


async def test_coaching_without_monitoring_first_joins_the_call(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    await agent_in_a_call(sim, center)
    await center.sign_in(DEMO_LEAD_ID, [], LEAD_DEVICE)
    await center.coach(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    assert await watched(center) == ("coach", DEMO_LEAD_ID)


async def test_the_lead_leg_ends_when_the_agent_hangs_up(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    job = await agent_in_a_call(sim, center)
    await center.sign_in(DEMO_LEAD_ID, [], LEAD_DEVICE)
    await center.monitor(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    await center.release(DEMO_AGENT_ID, AGENT_DEVICE, job)
    lead = await center.poll_agent_session(DEMO_LEAD_ID, LEAD_DEVICE)
    assert lead.call is None and lead.status is AgentStatus.BREAK


async def test_a_lead_who_has_not_signed_in_is_told_so(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    await agent_in_a_call(sim, center)
    with pytest.raises(CallCenterError, match="sign in with a device"):
        await center.monitor(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)


async def test_monitoring_an_agent_who_is_not_in_a_call_is_refused(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    await center.sign_in(DEMO_LEAD_ID, [], LEAD_DEVICE)
    with pytest.raises(CallCenterError, match="not in a call"):
        await center.monitor(DEMO_LEAD_ID, LEAD_DEVICE, DEMO_AGENT_ID)
    with pytest.raises(CallCenterError, match="not monitoring"):
        await center.stop_supervising(DEMO_LEAD_ID, LEAD_DEVICE)


async def test_the_lead_is_a_user_of_the_center_with_a_device(center: AliyunCallCenter) -> None:
    await center.sign_in(DEMO_LEAD_ID, [], LEAD_DEVICE)
    lead = await center.get_user(DEMO_LEAD_ID)
    assert lead.display_name == "值班组长" and lead.device_id == LEAD_DEVICE
    assert DEMO_LEAD_ID in {u.id for u in await center.list_users()}
