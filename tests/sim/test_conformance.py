"""Every implemented action through the official SDK, and every body round-trips its SDK model."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from alibabacloud_ccc20200701 import models
from alibabacloud_ccc20200701.client import Client
from alibabacloud_tea_openapi.models import Config

from cscdesk.callcenter.sim.handlers import HANDLERS
from cscdesk.callcenter.sim.server import SimulatorHandle

from .conftest import HUMAN


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("_v2", "_v2")


def sdk_call(client: Client, action: str, params: dict[str, Any]) -> Any:
    request_cls = getattr(models, f"{action}Request")
    method = getattr(client, snake(action).replace("_v_2", "_v2"))
    return method(request_cls().from_map(params))


def check_round_trip(
    handle: SimulatorHandle, client: Client, action: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The SDK accepts the call, and the raw body has no field its model does not know."""
    response = sdk_call(client, action, {"InstanceId": handle.instance_id, **params})
    assert response.body.code == "OK", action
    data = client.last_raw_body
    model = getattr(models, f"{action}ResponseBody")()
    assert model.from_map(data).to_map() == data, action
    return data


class RecordingClient(Client):
    """The official client, keeping the raw JSON body of the last answer for the round trip."""

    last_raw_body: dict[str, Any]

    def call_api(self, params: Any, request: Any, runtime: Any) -> Any:
        result = super().call_api(params, request, runtime)
        self.last_raw_body = result["body"]
        return result


@pytest.fixture(scope="module")
def client(sim: SimulatorHandle) -> Client:
    return RecordingClient(
        Config(
            access_key_id=sim.access_key_id,
            access_key_secret=sim.access_key_secret,
            endpoint=sim.endpoint,
            protocol="http",
            region_id="cn-shanghai",
        )
    )


def test_every_action_round_trips_through_the_sdk(sim: SimulatorHandle, client: Client) -> None:
    seen: set[str] = set()

    def call(action: str, **params: Any) -> dict[str, Any]:
        seen.add(action)
        return check_round_trip(sim, client, action, params)

    # directory and realtime
    for action in ("ListInstances", "ListSkillGroups", "ListUsers", "ListRealtimeSkillGroupStates",
                   "ListRealtimeAgentStates", "GetRealtimeInstanceStates",
                   "ListSkillGroupSummaryReportsSinceMidnight", "ListAgentSummaryReportsSinceMidnight",
                   "ListTicketTemplates"):  # fmt: skip
        call(action)
    call("GetUser", UserId=HUMAN)
    call("ListIntervalSkillGroupReport", SkillGroupId="sg_group_claims", Interval="Hourly",
         StartTime=sim.clock.epoch_ms(0), EndTime=sim.clock.epoch_ms())  # fmt: skip
    # the human desk: sign in, take a call, hold, transfer attended and blind, call out
    call("SignInGroup", UserId=HUMAN, SignedSkillGroupIdList=json.dumps(["sg_group_enquiry"]))
    call("TakeBreak", UserId=HUMAN, Code="rest")
    call("ReadyForService", UserId=HUMAN)
    job = wait_for_offer(sim, client)
    assert call("PollUserStatus", UserId=HUMAN)["Data"]["UserContext"]["UserState"] == "CALLING"
    call("AnswerCall", UserId=HUMAN, JobId=job)
    call("HoldCall", UserId=HUMAN, JobId=job)
    call("RetrieveCall", UserId=HUMAN, JobId=job)
    call("MonitorCall", UserId="lead001@ccc-demo", MonitoredUserId=HUMAN)
    call("CoachCall", UserId="lead001@ccc-demo", CoachedUserId=HUMAN)
    call("BargeInCall", UserId="lead001@ccc-demo", BargedUserId=HUMAN)
    sim.model.rng.seed(1)
    target = free_agent(sim, "sg_group_enquiry")
    call(
        "InitiateAttendedTransfer",
        UserId=HUMAN,
        JobId=job,
        Transferee=target,
        TransfereeType="Agent",
    )
    call("CancelAttendedTransfer", UserId=HUMAN, JobId=job)
    target = free_agent(sim, "sg_group_enquiry")
    call(
        "InitiateAttendedTransfer",
        UserId=HUMAN,
        JobId=job,
        Transferee=target,
        TransfereeType="Agent",
    )
    call("CompleteAttendedTransfer", UserId=HUMAN, JobId=job)
    assert sim.model.by_contact[job].transfers_attended == 1
    call("ReadyForService", UserId=HUMAN)
    second = wait_for_offer(sim, client)
    call("AnswerCall", UserId=HUMAN, JobId=second)
    call(
        "BlindTransfer",
        UserId=HUMAN,
        JobId=second,
        Transferee="sg_ins_ruian",
        TransfereeType="SkillGroup",
    )
    call("ReadyForService", UserId=HUMAN)
    call("TakeBreak", UserId=HUMAN, Code="rest")
    made = call("MakeCall", UserId=HUMAN, Caller="4008001234", Callee="13800000000")
    out_job = made["Data"]["CallContext"]["JobId"]
    sim.advance(15)
    call("ReleaseCall", UserId=HUMAN, JobId=out_job)
    call("ResetAgentState", UserId=HUMAN)
    call("TakeBreak", UserId=HUMAN, Code="meal")
    call("SignOutGroup", UserId=HUMAN)
    # records
    cdrs = call("ListCallDetailRecordsV2", StartTime=sim.clock.epoch_ms(0), EndTime=sim.clock.epoch_ms(),
                PageSize=5)["Data"]["List"]  # fmt: skip
    recorded = next(c["ContactId"] for c in cdrs if c["RecordingReady"])
    call("ListRecentCallDetailRecords", StartTime=sim.clock.epoch_ms() - 86_400_000,
         EndTime=sim.clock.epoch_ms(), PageSize=5)  # fmt: skip
    call("GetCallDetailRecord", ContactId=recorded)
    call("ListMonoRecordings", ContactId=recorded)
    call("GetMonoRecording", ContactId=recorded, ExpireSeconds=600)
    call("RestoreArchivedRecordings", ContactIds=json.dumps([recorded]))
    # tickets
    context = json.dumps({"memberId": "m1", "priority": "high"})
    ticket_id = sdk_call(client, "CreateTicket", {"InstanceId": sim.instance_id, "TemplateId": "tpl-claim-assist",
                         "Title": "理赔 进度 查询", "Context": context}).body.data  # fmt: skip
    call("CreateTicket", TemplateId="tpl-enquiry", Title="咨询 保障", Context=context)
    call("UpdateTicket", TicketId=ticket_id, Title="理赔进度 (已联系)")
    task = call("GetTicket", TicketId=ticket_id)["Data"]["CurrentTaskId"]
    call("TransferTicketTask", TicketId=ticket_id, TaskId=task, Assignee="agent002@ccc-demo")
    call("FinishTicketTask", TicketId=ticket_id, TaskId=task, Comment="done")
    call("AddTicketTask", TicketId=ticket_id, Assignee="agent101@ccc-demo", Comment="insurer")
    call("ListTickets", StartTime=0, EndTime=sim.clock.epoch_ms() + 10_000)
    call("TerminateTicket", TicketId=ticket_id, Comment="customer withdrew")
    assert seen == set(HANDLERS), sorted(set(HANDLERS) - seen)


def wait_for_offer(sim: SimulatorHandle, client: Client) -> str:
    for _ in range(2000):
        rt = sim.model.agents[HUMAN]
        if rt.call is not None and rt.state.value == "CALLING":
            return rt.call.contact_id
        sim.advance(5)
    raise AssertionError("no call was offered to the human agent")


def free_agent(sim: SimulatorHandle, group: str) -> str:
    for _ in range(2000):
        ready = sorted(
            a.agent.id for a in sim.model.agents.values()
            if a.state.value == "READY" and group in a.signed_groups and a.agent.id != HUMAN
        )  # fmt: skip
        if ready:
            return ready[0]
        sim.advance(2)
    raise AssertionError("nobody became free")
