"""Every implemented action through the official SDK, and every body round-trips its SDK model."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from alibabacloud_ccc20200701 import models
from alibabacloud_ccc20200701.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException as TeaException
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
    for action in ("ListInstances", "ListSkillGroups", "ListUsers", "GetRealtimeInstanceStates",
                   "ListSkillGroupSummaryReportsSinceMidnight", "ListAgentSummaryReportsSinceMidnight",
                   "ListTicketTemplates"):  # fmt: skip
        call(action)
    # PageNumber/PageSize are 必填 on these pages (439677, 439676, 439666, 439665)
    for action in ("ListRealtimeSkillGroupStates", "ListRealtimeAgentStates",
                   "ListHistoricalSkillGroupReport", "ListHistoricalAgentReport"):  # fmt: skip
        call(action, PageNumber=1, PageSize=100)
    call("GetUser", UserId=HUMAN)
    call("ListIntervalSkillGroupReport", SkillGroupId="sg_group_claims", Interval="Hourly",
         StartTime=sim.clock.epoch_ms(0), EndTime=sim.clock.epoch_ms())  # fmt: skip
    # the human desk: sign in, take a call, hold, transfer attended and blind, call out
    call("SignInGroup", UserId=HUMAN, DeviceId="SIP-8031",
         SignedSkillGroupIdList=json.dumps(["sg_group_enquiry"]))  # fmt: skip
    call("TakeBreak", UserId=HUMAN, Code="rest")
    call("ReadyForService", UserId=HUMAN)
    job = wait_for_offer(sim, client)
    # PollUserStatus words (page 439618): an inbound offer is RINGING, the agent's channel RINGING
    polled = call("PollUserStatus", UserId=HUMAN)["Data"]
    assert polled["UserContext"]["UserState"] == "RINGING"
    mine = [c for c in polled["CallContext"]["ChannelContexts"] if c["UserId"] == HUMAN]
    assert [c["ChannelState"] for c in mine] == ["RINGING"]
    call("AnswerCall", UserId=HUMAN, JobId=job)
    # HoldCall / RetrieveCall: ChannelId, the channel to hold / retrieve, is required
    # (help.aliyun.com/en/ccs/developer-reference/api-ccc-2020-07-01-holdcall, -retrievecall)
    talking = call("PollUserStatus", UserId=HUMAN)["Data"]["CallContext"]["ChannelContexts"]
    customer = next(c["ChannelId"] for c in talking if not c["UserId"])
    call("HoldCall", UserId=HUMAN, JobId=job, ChannelId=customer)
    held = call("PollUserStatus", UserId=HUMAN)["Data"]["CallContext"]["ChannelContexts"]
    # hold is the HOLD flag while the state stays ANSWERED (page 439618)
    assert {(c["ChannelState"], c["ChannelFlags"]) for c in held} == {("ANSWERED", "HOLD")}
    call("RetrieveCall", UserId=HUMAN, JobId=job, ChannelId=customer)
    # mute is the MUTED flag on the agent's own channel (api-ccc-2020-07-01-mutecall)
    call("MuteCall", UserId=HUMAN, JobId=job, DeviceId="SIP-8031")
    muted = call("PollUserStatus", UserId=HUMAN)["Data"]["CallContext"]["ChannelContexts"]
    assert [c["ChannelFlags"] for c in muted if c["UserId"] == HUMAN] == ["MUTED"]
    call("UnmuteCall", UserId=HUMAN, JobId=job, DeviceId="SIP-8031")
    # keypad tones go to the customer's channel; ChannelId and Dtmf are 必填 (page 439626)
    call("SendDtmfSignaling", UserId=HUMAN, JobId=job, DeviceId="d", ChannelId=customer, Dtmf="5")
    assert sim.model.by_contact[job].digits == ["5"]
    # the lead is a user with a device (pages 439615 MonitorCall, 439605 CoachCall)
    lead = "lead001@ccc-demo"
    call("SignInGroup", UserId=lead, DeviceId="SIP-8900", SignedSkillGroupIdList="[]")
    call("MonitorCall", UserId=lead, DeviceId="SIP-8900", MonitoredUserId=HUMAN)
    call("CoachCall", UserId=lead, DeviceId="SIP-8900", CoachedUserId=HUMAN, JobId=job)
    call("BargeInCall", UserId=lead, DeviceId="SIP-8900", BargedUserId=HUMAN, JobId=job)
    call("ReleaseCall", UserId=lead, DeviceId="SIP-8900", JobId=job)  # page 439620: own leg
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
    conferenced = wait_for_offer(sim, client)
    call("AnswerCall", UserId=HUMAN, JobId=conferenced)
    target = free_agent(sim, "sg_group_enquiry")
    call("InitiateAttendedTransfer", UserId=HUMAN, JobId=conferenced, Transferee=target,
         TransfereeType="Agent")  # fmt: skip
    consult = call("PollUserStatus", UserId=HUMAN)["Data"]["CallContext"]["ChannelContexts"]
    assert target in {c["UserId"] for c in consult}, "the consulted colleague's channel"
    call("SwitchToConference", UserId=HUMAN, JobId=conferenced, DeviceId="d")
    polled = call("PollUserStatus", UserId=HUMAN)["Data"]["CallContext"]
    assert polled["CallType"] == "CONFERENCE"
    call("EndConference", UserId=HUMAN, JobId=conferenced)
    assert sim.model.by_contact[conferenced].current_agent == target
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
                PageNumber=1, PageSize=5)["Data"]["List"]  # fmt: skip
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
    task = call("GetTicket", TicketId=ticket_id)["Data"]["CurrentTaskId"]
    added = call("AddTicketTask", TicketId=ticket_id, TaskId=task, Assignee="agent101@ccc-demo",
                 Comment="insurer", Position="After")  # fmt: skip
    assert not added.get("Data"), "AddTicketTask adds a signer; it returns no task id"
    call("ListTickets", StartTime=0, EndTime=sim.clock.epoch_ms() + 10_000)
    call("TerminateTicket", TicketId=ticket_id, Comment="customer withdrew")
    # events (api-ccc-2020-07-01-updatesubscription; the page's example keys carry a space)
    subscribed = call("UpdateSubscription", AccessPoint="http://127.0.0.1:9/ccc/events?token=t",
                      MqType="webhook", ProducerId="PID_Webhook", DefaultTopic="Topic_Webhook",
                      EventSubscriptionsJson=json.dumps([{"Name ": "CDRReady ", "Disabled ": False},
                                                         {"Name": "Dialing", "Disabled": True}]))  # fmt: skip
    assert subscribed["Data"]["EventList"][0]["Name"] == "CDRReady"
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


def sdk_error(client: Client, action: str, params: dict[str, Any]) -> tuple[str, int]:
    """(code, HTTP status) of a call the official SDK sees refused."""
    with pytest.raises(TeaException) as refused:
        sdk_call(client, action, params)
    return refused.value.code, refused.value.data["HttpStatusCode"]


def test_wrong_instance_is_not_exists_instance_id_404(sim: SimulatorHandle, client: Client) -> None:
    """Error table of every instance-scoped page, e.g. api-ccc-2020-07-01-addtickettask."""
    assert sdk_error(client, "GetRealtimeInstanceStates", {"InstanceId": "ccc-wrong"}) == (
        "NotExists.InstanceId",
        404,
    )


def test_add_ticket_task_without_task_id_is_refused(sim: SimulatorHandle, client: Client) -> None:
    """TaskId is 必填 on api-ccc-2020-07-01-addtickettask; a missing one is Parameter.Blank."""
    created = sdk_call(client, "CreateTicket", {"InstanceId": sim.instance_id,
                       "TemplateId": "tpl-enquiry", "Title": "t", "Context": "{}"})  # fmt: skip
    code, status = sdk_error(client, "AddTicketTask", {"InstanceId": sim.instance_id,
                             "TicketId": created.body.data, "Assignee": "agent002@ccc-demo",
                             "Comment": "please"})  # fmt: skip
    assert (code, status) == ("Parameter.Blank", 400)


def test_hold_and_retrieve_without_the_channel_are_refused(
    sim: SimulatorHandle, client: Client
) -> None:
    """ChannelId is required on HoldCall ("Channel ID to be held") and RetrieveCall ("Channel ID
    of the call to retrieve"): help.aliyun.com/en/ccs/developer-reference/api-ccc-2020-07-01-
    holdcall and -retrievecall. Missing: Parameter.Blank; a channel of another job: refused."""
    base = {"InstanceId": sim.instance_id, "UserId": HUMAN}
    sdk_call(client, "SignInGroup", {**base, "DeviceId": "SIP-8031",
             "SignedSkillGroupIdList": json.dumps(["sg_group_enquiry"])})  # fmt: skip
    sdk_call(client, "ReadyForService", base)
    job = wait_for_offer(sim, client)
    sdk_call(client, "AnswerCall", {**base, "JobId": job})
    for action in ("HoldCall", "RetrieveCall"):
        assert sdk_error(client, action, {**base, "JobId": job}) == ("Parameter.Blank", 400)
    elsewhere = {**base, "JobId": job, "ChannelId": "job-somebody-else-c"}
    assert sdk_error(client, "HoldCall", elsewhere) == ("Parameter.Invalid", 400)
    assert sim.model.by_contact[job].hold_started is None, "nothing was held"
    # leave the module's simulator as found: the human desk signed out
    sdk_call(client, "ReleaseCall", {**base, "JobId": job})
    sdk_call(client, "ResetAgentState", base)
    sdk_call(client, "SignOutGroup", base)


def test_missing_page_number_is_refused_on_historical_reports(
    sim: SimulatorHandle, client: Client
) -> None:
    for action in ("ListHistoricalSkillGroupReport", "ListHistoricalAgentReport"):
        assert sdk_error(client, action, {"InstanceId": sim.instance_id, "PageSize": 10}) == (
            "Parameter.Blank",
            400,
        ), action


def test_unknown_state_word_in_a_filter_is_refused(sim: SimulatorHandle, client: Client) -> None:
    """StateList takes Ready/Talking/ACW/Break/Ringing/Offline/Dialing (page 439676), not the
    PollUserStatus words."""
    params = {"InstanceId": sim.instance_id, "PageNumber": 1, "PageSize": 10,
              "StateList": json.dumps(["WORKING"])}  # fmt: skip
    assert sdk_error(client, "ListRealtimeAgentStates", params) == ("Parameter.Invalid", 400)
    params["StateList"] = json.dumps(["ACW", "Ready"])
    listed = sdk_call(client, "ListRealtimeAgentStates", params).body.data.list
    assert {row.state for row in listed} <= {"ACW", "Ready"}


def test_state_conflict_is_invalid_operation_400(sim: SimulatorHandle, client: Client) -> None:
    """ReadyForService for an agent who is signed out (the human desk starts signed out and the
    round trip above ends with SignOutGroup): InvalidOperation.UserState, HTTP 400 (no
    Forbidden.UserState is documented). A simulated colleague may be free or busy at any time."""
    assert sim.model.agents[HUMAN].state.value == "OFFLINE"
    code, status = sdk_error(client, "ReadyForService", {"InstanceId": sim.instance_id,
                             "UserId": HUMAN, "DeviceId": "d"})  # fmt: skip
    assert (code, status) == ("InvalidOperation.UserState", 400)


def test_update_subscription_without_access_point_is_refused(
    sim: SimulatorHandle, client: Client
) -> None:
    """AccessPoint and EventSubscriptionsJson are 必填 on api-ccc-2020-07-01-updatesubscription."""
    events = json.dumps([{"Name": "CDRReady", "Disabled": False}])
    params = {"InstanceId": sim.instance_id, "MqType": "webhook", "EventSubscriptionsJson": events}
    assert sdk_error(client, "UpdateSubscription", params) == ("Parameter.Blank", 400)
    params = {"InstanceId": sim.instance_id, "AccessPoint": "http://127.0.0.1:9/x"}
    assert sdk_error(client, "UpdateSubscription", params) == ("Parameter.Blank", 400)
