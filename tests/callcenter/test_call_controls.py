"""Mute, keypad tones and the three-way conference: the adapter's wire against the official SDK's
request models, and the whole loop against the simulator.

Pages: HoldCall / RetrieveCall (help.aliyun.com/en/ccs/developer-reference/api-ccc-2020-07-01-
holdcall, -retrievecall: ChannelId required, "Channel ID to be held" / "Channel ID of the call to
retrieve"; SDK ``HoldCallRequest`` / ``RetrieveCallRequest`` mark it required too), MuteCall / UnmuteCall (help.aliyun.com/zh/ccs/developer-reference/api-ccc-2020-07-01-
mutecall, -unmutecall), SendDtmfSignaling (help.aliyun.com/document_detail/439626.htm),
SwitchToConference / EndConference (SDK alibabacloud_ccc20200701 ``SwitchToConferenceRequest``,
``EndConferenceRequest``). CCC 2020-07-01 has no operation that swaps between the held customer
and the consulted colleague: the port offers none.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from alibabacloud_ccc20200701 import models as ccc_models

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.port import AgentStatus, CallCenterPort, CallState
from cscdesk.callcenter.sim.model import CENTER_TZ
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.demo.scenario import DEMO_AGENT_ID

from .conftest import RunningPeer, ok

AGENT = "agent001@ccc-demo"
DEVICE = "SIP-8031"
START = datetime(2026, 3, 10, 10, 0, tzinfo=CENTER_TZ)  # a Tuesday morning in claim season


def sdk_fields(request_cls: Any) -> tuple[set[str], set[str]]:
    """(every wire field, the required ones) of an SDK request model: ``to_map`` names the wire
    fields, and the generated ``__init__`` marks a required one "This parameter is required."."""
    source = inspect.getsource(request_cls)
    wire = dict(re.findall(r"result\['(\w+)'\] = self\.(\w+)", source))
    attribute_to_wire = {attribute: name for name, attribute in wire.items()}
    required: set[str] = set()
    pending = False
    for line in inspect.getsource(request_cls.__init__).splitlines():
        if "This parameter is required." in line:
            pending = True
        assigned = re.match(r"\s*self\.(\w+) = ", line)
        if assigned:
            if pending:
                required.add(attribute_to_wire[assigned.group(1)])
            pending = False
    return set(wire), required


@pytest.mark.parametrize(
    ("operation", "action", "extra"),
    [
        ("hold", "HoldCall", ("ch-customer",)),
        ("retrieve", "RetrieveCall", ("ch-customer",)),
        ("mute", "MuteCall", ()),
        ("unmute", "UnmuteCall", ()),
        ("send_dtmf", "SendDtmfSignaling", ("ch-customer", "5")),
        ("start_conference", "SwitchToConference", ()),
        ("leave_conference", "EndConference", ()),
    ],
)
async def test_each_control_sends_only_fields_its_sdk_request_knows(
    ccc: RunningPeer,
    make_client: Callable[..., AliyunRpcClient],
    operation: str,
    action: str,
    extra: tuple[str, ...],
) -> None:
    ccc.state.script(action, ok({}))
    center = AliyunCallCenter(make_client(), "ccc-demo")
    await getattr(center, operation)(AGENT, DEVICE, "job-7", *extra)
    (sent,) = ccc.state.calls(action)
    every, required = sdk_fields(getattr(ccc_models, f"{action}Request"))
    assert set(sent.query) <= every, set(sent.query) - every
    assert {"InstanceId"} <= required <= set(sent.query), required - set(sent.query)
    assert sent.query["JobId"] == "job-7" and sent.query["UserId"] == AGENT
    if action == "SendDtmfSignaling":
        assert (sent.query["ChannelId"], sent.query["Dtmf"]) == ("ch-customer", "5")
    if action in ("HoldCall", "RetrieveCall"):
        assert sent.query["ChannelId"] == "ch-customer", "the customer's channel is held"


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(seed=11, human_agents=[DEMO_AGENT_ID], paused=True, start_time=START)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
async def center(sim: SimulatorHandle) -> AsyncIterator[CallCenterPort]:
    client = AliyunRpcClient(
        sim.endpoint, sim.access_key_id, sim.access_key_secret, scheme="http", backoff_base=0.001
    )
    adapter = AliyunCallCenter(client, sim.instance_id)
    yield adapter
    await adapter.aclose()


async def _talking(sim: SimulatorHandle, center: CallCenterPort) -> str:
    me = await center.get_user(DEMO_AGENT_ID)
    await center.sign_in(DEMO_AGENT_ID, list(me.skill_groups), DEVICE)
    await center.ready(DEMO_AGENT_ID, DEVICE)
    for _ in range(1440):
        sim.advance(5)
        session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
        if session.call is not None and session.call.state is CallState.OFFERED:
            await center.answer(DEMO_AGENT_ID, DEVICE, session.call.job_id)
            return session.call.job_id
    raise AssertionError("no call reached the desk")


def _free_colleague(sim: SimulatorHandle, group: str) -> str:
    for _ in range(2000):
        ready = sorted(
            a.agent.id
            for a in sim.model.agents.values()
            if a.state.value == "READY" and group in a.signed_groups and a.agent.id != DEMO_AGENT_ID
        )
        if ready:
            return ready[0]
        sim.advance(2)
    raise AssertionError("nobody became free")


async def test_mute_shows_in_the_next_poll_and_unmute_clears_it(
    sim: SimulatorHandle, center: CallCenterPort
) -> None:
    job = await _talking(sim, center)
    await center.mute(DEMO_AGENT_ID, DEVICE, job)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.muted
    assert DEMO_AGENT_ID in sim.model.by_contact[job].muted
    await center.unmute(DEMO_AGENT_ID, DEVICE, job)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and not session.call.muted


async def test_keypad_tones_reach_the_customers_channel(
    sim: SimulatorHandle, center: CallCenterPort
) -> None:
    job = await _talking(sim, center)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.customer_leg
    for key in "1#":
        await center.send_dtmf(DEMO_AGENT_ID, DEVICE, job, session.call.customer_leg, key)
    assert sim.model.by_contact[job].digits == ["1", "#"]


async def test_hold_and_retrieve_name_the_customers_channel(
    sim: SimulatorHandle, center: CallCenterPort
) -> None:
    job = await _talking(sim, center)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.customer_leg
    leg = session.call.customer_leg
    await center.hold(DEMO_AGENT_ID, DEVICE, job, leg)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.state is CallState.HOLDING
    await center.retrieve(DEMO_AGENT_ID, DEVICE, job, leg)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.state is CallState.TALKING


async def test_a_consult_names_the_colleague_and_becomes_a_conference_they_keep(
    sim: SimulatorHandle, center: CallCenterPort
) -> None:
    job = await _talking(sim, center)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.skill_group_id
    colleague = _free_colleague(sim, session.call.skill_group_id)
    await center.start_attended_transfer(DEMO_AGENT_ID, DEVICE, job, colleague, "agent")
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None
    assert (session.call.state, session.call.consulted) == (CallState.CONSULTING, colleague)

    await center.start_conference(DEMO_AGENT_ID, DEVICE, job)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.call is not None and session.call.state is CallState.CONFERENCE
    assert sim.model.by_contact[job].hold_started is None, "the customer is off hold"

    await center.leave_conference(DEMO_AGENT_ID, DEVICE, job)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.status is AgentStatus.WORKING, "the agent left: after-call work"
    assert sim.model.by_contact[job].current_agent == colleague
