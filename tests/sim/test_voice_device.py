"""The simulator's voice device per agent, on the wire.

SignInGroup requires ``DeviceId`` (必填, page 439627) and answers ``Parameter.Blank`` without it
(the documented wording). An agent whose device is not registered cannot sign in, answer or dial:
``InvalidOperation.DeviceState`` HTTP 400 -- UNVERIFIED: no API page lists that code; the message
is the console's "设备状态(OFFLINE)与期望状态(ONLINE)不符" (developer.aliyun.com/ask/535566).
"""

from __future__ import annotations

from cscdesk.callcenter.sim import agent_ops
from cscdesk.callcenter.sim.server import SimulatorHandle

from .conftest import HUMAN, body, signed_post


def _sign_in(sim: SimulatorHandle, **device: str) -> dict[str, object]:
    params = {"InstanceId": sim.instance_id, "UserId": HUMAN, "SignedSkillGroupIdList": "[]"}
    return body(signed_post(sim, "SignInGroup", {**params, **device}))


def test_sign_in_without_a_device_is_refused_as_the_docs_say(sim: SimulatorHandle) -> None:
    reply = _sign_in(sim)
    assert reply["HttpStatusCode"] == 400 and reply["Code"] == "Parameter.Blank"
    assert "DeviceId" in str(reply["Message"])


def test_an_unregistered_device_blocks_sign_in_and_shows_blank_in_the_poll(
    sim: SimulatorHandle,
) -> None:
    agent_ops.set_device(sim.model, HUMAN, online=False, work_mode="OFF_SITE")
    try:
        refused = _sign_in(sim, DeviceId="mobile-13800000000")
        assert refused["HttpStatusCode"] == 400
        assert refused["Code"] == "InvalidOperation.DeviceState"
        assert "OFFLINE" in str(refused["Message"])
        params = {"InstanceId": sim.instance_id, "UserId": HUMAN, "DeviceId": "x"}
        poll = body(signed_post(sim, "PollUserStatus", params))["Data"]["UserContext"]
        assert poll["DeviceId"] == "" and poll["WorkMode"] == "OFF_SITE"
        users = body(signed_post(sim, "ListUsers", {"InstanceId": sim.instance_id,
                                                    "PageNumber": "1", "PageSize": "100"}))  # fmt: skip
        (me,) = [u for u in users["Data"]["List"] if u["UserId"] == HUMAN]
        assert me["DeviceState"] == "OFFLINE" and me["WorkMode"] == "OFF_SITE"
    finally:
        agent_ops.set_device(sim.model, HUMAN, online=True, work_mode="ON_SITE")
    signed = _sign_in(sim, DeviceId="SIP-8031")
    assert signed["Code"] == "OK" and signed["Data"]["DeviceId"] == "SIP-8031"  # type: ignore[index]
