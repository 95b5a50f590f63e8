"""Response payloads in the field names of the CCC 2020-07-01 SDK models.

Builders produce a superset of fields; ``fields.project_body`` trims each response to exactly
what the SDK's model for that action knows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from cscdesk.callcenter.sim import supervision
from cscdesk.callcenter.sim.fields import project_body
from cscdesk.callcenter.sim.model import CallCenterModel
from cscdesk.callcenter.sim.records import AgentRuntime, CallRuntime, UserState
from cscdesk.callcenter.sim.tickets import TEMPLATES, Ticket
from cscdesk.domain.models import CallDirection, CallOutcome


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def ok(
    action: str, data: Any, params: Mapping[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "RequestId": request_id(),
        "Code": "OK",
        "HttpStatusCode": 200,
        "Message": "",
        "Data": data,
        **extra,
    }
    if params is not None:
        body["Params"] = [str(v) for v in params.values()]
    return project_body(action, body)


def error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"RequestId": request_id(), "Code": code, "Message": message, "HttpStatusCode": status}


def user_context(model: CallCenterModel, rt: AgentRuntime) -> dict[str, Any]:
    call = rt.call
    return {
        "InstanceId": model.instance_id,
        "UserId": rt.agent.id,
        "UserState": poll_state(rt),
        "BreakCode": rt.break_code,
        # blank while no device is registered: answering cannot work
        "DeviceId": rt.device_id if rt.device_online else "",
        "Extension": _extension(model, rt),
        "JobId": call.contact_id if call else "",
        "OutboundScenario": False,
        "SignedSkillGroupIdList": list(rt.signed_groups),
        "WorkMode": rt.work_mode,
        "Heartbeat": model.clock.epoch_ms(),
        "Mobile": "",
        # when the agent was last reserved for a call (an offer), not "in this state since"
        "Reserved": model.clock.epoch_ms(rt.reserved_at) if rt.reserved_at else 0,
    }


def poll_state(rt: AgentRuntime) -> str:
    """PollUserStatus UserState words (page 439618): READY, WORKING, DIALING, BREAK, OFFLINE,
    TALKING, RINGING. The model's CALLING is RINGING for an offer, DIALING for our own call."""
    if rt.state is UserState.CALLING:
        inbound = rt.call is None or rt.call.direction is CallDirection.INBOUND
        return "RINGING" if inbound else "DIALING"
    return rt.state.value


REALTIME_WORDS = {
    "OFFLINE": "Offline",
    "READY": "Ready",
    "BREAK": "Break",
    "RINGING": "Ringing",
    "DIALING": "Dialing",
    "TALKING": "Talking",
    "WORKING": "ACW",
}


def realtime_state(rt: AgentRuntime) -> str:
    """ListRealtimeAgentStates State words (page 439676): Ready, Talking, ACW, Break, Ringing,
    Offline, Dialing -- not the PollUserStatus words."""
    return REALTIME_WORDS[poll_state(rt)]


def _extension(model: CallCenterModel, rt: AgentRuntime) -> str:
    if rt.agent.id in model.supervisors:  # leads after the agents' 8000… range
        return str(8900 + sorted(model.supervisors).index(rt.agent.id))
    return str(8000 + sorted(model.agents).index(rt.agent.id))


def _channel_states(call: CallRuntime) -> tuple[str, str]:
    """(customer, agent) ChannelState words of page 439618: NONE, CREATED, EARLY_MEDIA, RINGING,
    ANSWERED, RELEASED, RETIRED. Hold is the HOLD flag on an ANSWERED channel, not a state."""
    if call.ended_at is not None:
        return "RELEASED", "RELEASED"
    if call.answered_at is None:
        if call.direction is CallDirection.INBOUND:
            return "ANSWERED", "RINGING"  # the caller is connected to the IVR; the agent rings
        return "EARLY_MEDIA", "ANSWERED"  # our agent's leg is up; the customer hears ringing
    return "ANSWERED", "ANSWERED"


def customer_channel_id(contact_id: str) -> str:
    """The simulator's id of the customer's channel (``ChannelId``; where DTMF goes)."""
    return f"{contact_id}-c"


def call_context(
    model: CallCenterModel, call: CallRuntime, user_id: str, *, consult: bool = False
) -> dict[str, Any]:
    """The call as ``user_id`` sees it: the customer's channel, their own, and during a consult
    the colleague's. UNVERIFIED: no page shows a consult's ChannelContexts; the colleague's
    channel is read from the same job (CompleteAttendedTransfer names only the JobId), so it is
    one more channel with that colleague's UserId. A conference is CallType CONFERENCE."""
    inbound = call.direction is CallDirection.INBOUND
    call_type = "CONSULTANT" if consult else ("INBOUND" if inbound else "OUTBOUND")
    if call.conference:
        call_type = "CONFERENCE"
    supervisor_mode = call.supervisors.get(user_id)
    if supervisor_mode:  # the supervisor's view: CallType MONITOR / COACH / BARGE (page 439605)
        call_type = supervisor_mode
    customer_state, agent_state = _channel_states(call)
    base = {
        "JobId": call.contact_id,
        "CallType": call_type,
        "SkillGroupId": call.groups[-1] if call.groups else "",
        "Timestamp": model.clock.epoch_ms(),
        "ReleaseInitiator": call.release_initiator,
        "ReleaseReason": "",
        "ChannelVariables": "",
    }
    on_hold = call.hold_started is not None and call.ended_at is None and not consult
    held = "HOLD" if on_hold else ""
    customer = {
        **base, "ChannelId": customer_channel_id(call.contact_id), "Index": 0, "UserId": "",
        "UserExtension": "", "Originator": call.caller, "Destination": call.callee,
        "ChannelState": customer_state, "ChannelFlags": held,
    }  # fmt: skip
    agent_id = call.current_agent if supervisor_mode and call.current_agent else user_id
    watched = ",".join(
        f for f in {supervision.WATCHED_FLAG[m] for m in call.supervisors.values()} if f
    )
    agent = {
        **base, "ChannelId": f"{call.contact_id}-a", "Index": 1, "UserId": agent_id,
        "UserExtension": "", "Originator": call.callee if inbound else call.caller,
        "Destination": agent_id if inbound else call.callee, "ChannelState": agent_state,
        "ChannelFlags": ",".join(
            f for f in (held, watched, "MUTED" if agent_id in call.muted else "") if f
        ),
    }  # fmt: skip
    channels = [customer, agent]
    colleague = call.current_agent if consult else call.consult_agent
    if call.consult_agent and colleague and call.ended_at is None:
        channels.append({
            **base, "ChannelId": f"{call.contact_id}-t", "Index": 2, "UserId": colleague,
            "UserExtension": "", "Originator": user_id, "Destination": colleague,
            "ChannelState": "ANSWERED", "ChannelFlags": _flags("", colleague in call.muted),
        })  # fmt: skip
    for index, (lead_id, mode) in enumerate(call.supervisors.items(), start=len(channels)):
        channels.append({
            **base, "ChannelId": f"{call.contact_id}-s{index}", "Index": index,
            "UserId": lead_id, "UserExtension": "", "Originator": call.callee,
            "Destination": lead_id, "ChannelState": "ANSWERED", "CallType": mode,
            "ChannelFlags": supervision.SUPERVISOR_FLAG[mode],
        })  # fmt: skip
    variables = {"skillGroupId": base["SkillGroupId"]}
    return {
        "InstanceId": model.instance_id,
        "JobId": call.contact_id,
        "CallType": call_type,
        # ";"-separated pairs, as the page's example "a=b;c=d"
        "CallVariables": ";".join(f"{k}={v}" for k, v in variables.items()),
        "ChannelContexts": channels,
    }


def _flags(held: str, muted: bool) -> str:
    """ChannelFlags words (HOLD, MUTED ...); several are joined with commas (UNVERIFIED: the
    examples show one flag at a time)."""
    return ",".join(flag for flag in (held, "MUTED" if muted else "") if flag)


def agent_data(model: CallCenterModel, rt: AgentRuntime, *, with_call: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"UserContext": user_context(model, rt), "ContextId": len(rt.agent.id)}
    call = rt.call
    if with_call and call is not None:
        data["CallContext"] = call_context(model, call, rt.agent.id)
    elif with_call and rt.consult is not None:  # this agent is the consulted party
        data["CallContext"] = call_context(model, rt.consult, rt.agent.id, consult=True)
    if with_call:
        data["ChatContexts"] = []
    return data


def _ms(model: CallCenterModel, seconds: float | None) -> int | None:
    return None if seconds is None else model.clock.epoch_ms(seconds)


def _disposition(call: CallRuntime) -> str:
    """Documented ContactDisposition words (page 65296, api-ccc-2020-07-01-getcalldetailrecord)."""
    outcome = call.outcome or CallOutcome.ABANDONED
    if outcome is CallOutcome.ANSWERED:
        return "Success"
    if call.direction is CallDirection.OUTBOUND:
        return "NoAnswer"  # the customer did not answer our call
    if outcome is CallOutcome.ABANDONED:  # ringing an agent when the caller hung up, or queued
        return "AbandonedInRing" if call.current_agent is not None else "AbandonedInQueue"
    if outcome is CallOutcome.TIMEOUT:
        return "Voicemail" if call.voicemail else "QueuingTimeout"
    return "AbandonedInIVR"


def cdr(model: CallCenterModel, call: CallRuntime) -> dict[str, Any]:
    names = {a: model.agents[a].agent.name for a in call.agent_ids if a in model.agents}
    duration = round((call.ended_at or model.now) - call.started_at)
    return {
        "ContactId": call.contact_id,
        "InstanceId": model.instance_id,
        "ContactType": "INBOUND" if call.direction is CallDirection.INBOUND else "OUTBOUND",
        "MediaType": "VOICE",
        "CallingNumber": call.caller,
        "CalledNumber": call.callee,
        "StartTime": _ms(model, call.started_at),
        "EstablishedTime": _ms(model, call.answered_at),
        "ReleaseTime": _ms(model, call.ended_at),
        "CallDuration": duration,
        "Duration": duration,
        "QueueTime": round(call.wait_seconds or 0.0),
        "WaitTime": round(call.wait_seconds or 0.0),
        "RingTime": round(call.ring_seconds),
        "TalkTime": round(call.talk_seconds),
        "HeldTime": round(call.hold_seconds),
        "ContactDisposition": _disposition(call),
        "ReleaseInitiator": call.release_initiator,
        "ReleaseReason": "",
        "AgentIds": ",".join(call.agent_ids),
        "AgentNames": ",".join(names.values()),
        "SkillGroupIds": ",".join(call.groups),
        "SkillGroupNames": ",".join(model.groups[g].name for g in call.groups),
        "RecordingReady": call.recorded,
        "RecordingDuration": min(3, round(call.talk_seconds))
        if call.recorded
        else 0,  # UNVERIFIED unit
        "TransferCount": call.transfer_count,
        "SatisfactionIndex": call.satisfaction,
        "SatisfactionSurveyOffered": call.satisfaction is not None,
        "Satisfaction": str(call.satisfaction) if call.satisfaction is not None else None,
        "SatisfactionSurveyChannel": "IVR" if call.satisfaction is not None else None,
        "AnalyticsReportReady": False,
        "EarlyMediaState": "",
    }


def cdr_detail(model: CallCenterModel, call: CallRuntime) -> dict[str, Any]:
    record = cdr(model, call)
    agent_events: dict[str, list[dict[str, Any]]] = {}
    queue_events: list[dict[str, Any]] = []
    for t, who, event in call.events:
        item = {"Event": event, "EventTime": _ms(model, t)}
        if who in model.agents:
            agent_events.setdefault(who, []).append(item)
        elif who in model.groups:
            queue_events.append({"QueueId": who, "EventSequence": [item]})
    record["AgentEvents"] = [
        {"AgentId": a, "AgentName": model.agents[a].agent.name, "EventSequence": seq}
        for a, seq in agent_events.items()
    ]
    record["QueueEvents"] = queue_events
    record["CustomerEvents"] = [
        {
            "CustomerId": call.caller,
            "EventSequence": [{"Event": "Dial", "EventTime": record["StartTime"]}],
        }
    ]
    return record


def ticket(t: Ticket, instance_id: str) -> dict[str, Any]:
    return {
        "TicketId": t.ticket_id,
        "InstanceId": instance_id,
        "Title": t.title,
        "Context": t.context,
        "CustomerId": t.customer_id,
        "JobId": t.contact_id,
        "Source": t.source,
        "State": t.state,
        "TemplateId": t.template.template_id,
        "TemplateVersion": "1",
        "CategoryId": t.template.category_id,
        "CategoryName": t.template.name,
        "Creator": t.creator,
        "CreatorName": t.creator,
        "CreatedTime": t.created_ms,
        "UpdatedTime": t.updated_ms,
        "StartTime": t.created_ms,
        "EndTime": t.end_ms,
        "CurrentTaskId": t.task_id if t.state == "Processing" else "",
        "CurrentTaskName": t.task_name if t.state == "Processing" else "",
        "CurrentTaskStartTime": t.task_started_ms,
        "Assignee": t.assignee,
        "AssigneeName": t.assignee,
        "Comment": t.comment,
        "CloseCode": t.close_code,
    }


def templates(instance_id: str) -> list[dict[str, Any]]:
    return [
        {
            "TemplateId": t.template_id,
            "InstanceId": instance_id,
            "Name": t.name,
            "CategoryId": t.category_id,
            "State": "Active",
            "AppliedVersion": "1",
            "LatestVersion": "1",
            "Editor": "admin",
            "UpdatedTime": 0,
            "ProcessDefinition": json.dumps({"tasks": list(t.steps)}, ensure_ascii=False),
            "TicketFields": [
                {
                    "Name": "memberId",
                    "DisplayName": "被保险人",
                    "DataType": "string",
                    "Required": False,
                },
                {
                    "Name": "policyNo",
                    "DisplayName": "保单号",
                    "DataType": "string",
                    "Required": False,
                },
                {
                    "Name": "claimNo",
                    "DisplayName": "赔案号",
                    "DataType": "string",
                    "Required": False,
                },
                {
                    "Name": "priority",
                    "DisplayName": "优先级",
                    "DataType": "string",
                    "Required": True,
                },
            ],
        }
        for t in TEMPLATES
    ]


def page(
    items: list[Any], number: int, size: int, *, total_on_first_page_only: bool = False
) -> dict[str, Any]:
    start = (number - 1) * size
    total = len(items) if number == 1 or not total_on_first_page_only else 0
    return {
        "List": items[start : start + size],
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": total,
    }
