"""Voice device and work mode, adapter against the simulator over real HTTP.

The terminal controls the call; the voice goes through the agent's phone (SIP desk phone,
softphone, or the mobile in off-site mode). Sign-in names that device (SignInGroup's DeviceId is
required, page 439627), the desk learns which device and work mode the agent is on, and when no
device is registered answering is impossible and the desk is told so in plain words.
"""

from __future__ import annotations

import pytest

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.errors import NoVoiceDeviceError
from cscdesk.callcenter.port import AgentStatus, CallState
from cscdesk.callcenter.sim import agent_ops
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID

PHONE = "SIP-8031-desk"


async def _groups(center: AliyunCallCenter) -> list[str]:
    (me,) = [u for u in await center.list_users() if u.id == DEMO_AGENT_ID]
    return list(me.skill_groups)


async def _offered(sim: SimulatorHandle, center: AliyunCallCenter) -> str:
    for _ in range(1440):  # up to 2 simulated hours, in steps shorter than the ring timeout
        sim.advance(5)
        session = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
        if session.call is not None and session.call.state is CallState.OFFERED:
            return session.call.job_id
    raise AssertionError("no call was offered to the signed-in desk")


async def test_sign_in_names_the_device_and_the_desk_sees_device_and_mode(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=True, work_mode="OFFICE_PHONE")
    signed = await center.sign_in(DEMO_AGENT_ID, await _groups(center), PHONE)
    assert (signed.device_id, signed.work_mode) == (PHONE, "OFFICE_PHONE")
    polled = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
    assert (polled.device_id, polled.work_mode) == (PHONE, "OFFICE_PHONE")
    (me,) = [u for u in await center.list_users() if u.id == DEMO_AGENT_ID]
    assert (me.device_id, me.device_online, me.work_mode) == (PHONE, True, "OFFICE_PHONE")


async def test_no_registered_device_makes_answering_impossible_and_says_so(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    await center.sign_in(DEMO_AGENT_ID, await _groups(center), PHONE)
    await center.ready(DEMO_AGENT_ID, PHONE)
    job_id = await _offered(sim, center)

    agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=False)  # the desk phone lost its line
    ringing = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
    assert ringing.status is AgentStatus.RINGING and ringing.device_id is None
    (me,) = [u for u in await center.list_users() if u.id == DEMO_AGENT_ID]
    assert me.device_online is False

    with pytest.raises(NoVoiceDeviceError) as refused:
        await center.answer(DEMO_AGENT_ID, PHONE, job_id)
    assert "No phone is registered" in str(refused.value)

    agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=True)  # registered again
    await center.answer(DEMO_AGENT_ID, PHONE, job_id)
    talking = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
    assert talking.status is AgentStatus.TALKING and talking.device_id == PHONE


async def test_no_registered_device_makes_dialling_out_impossible(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    await center.sign_in(DEMO_AGENT_ID, await _groups(center), PHONE)
    agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=False)
    with pytest.raises(NoVoiceDeviceError):
        await center.make_call(DEMO_AGENT_ID, PHONE, "13800000000")
    session = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
    assert session.call is None


async def test_sign_in_on_an_unregistered_device_is_refused(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    agent_ops.set_device(sim.model, DEMO_AGENT_ID, online=False)
    with pytest.raises(NoVoiceDeviceError):
        await center.sign_in(DEMO_AGENT_ID, await _groups(center), PHONE)
    session = await center.poll_agent_session(DEMO_AGENT_ID, PHONE)
    assert session.status is AgentStatus.OFFLINE and session.device_id is None
