"""Response payloads in the field names of the CCC 2020-07-01 SDK models.

Builders produce a superset of fields; ``fields.project_body`` trims each response to exactly
what the SDK's model for that action knows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

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
        "UserState": rt.state.value,
        "BreakCode": rt.break_code,
        "DeviceId": rt.device_id,
        "Extension": _extension(model, rt),
        "JobId": call.contact_id if call else "",
        "OutboundScenario": False,
        "SignedSkillGroupIdList": list(rt.signed_groups),
        "WorkMode": "ON_SITE",
        "Heartbeat": model.clock.epoch_ms(),
        "Mobile": "",
        "Reserved": model.clock.epoch_ms(rt.state_since),
        "DeviceState": "ONLINE" if rt.state is not UserState.OFFLINE else "OFFLINE",
    }


def _extension(model: CallCenterModel, rt: AgentRuntime) -> str:
    return str(8000 + sorted(model.agents).index(rt.agent.id))


def _channel_state(call: CallRuntime) -> str:
    if call.ended_at is not None:
        return "Released"
    if call.answered_at is None:
        return "Alerting"
    return "Held" if call.hold_started is not None else "Answered"


def call_context(model: CallCenterModel, call: CallRuntime, user_id: str) -> dict[str, Any]:
    inbound = call.direction is CallDirection.INBOUND
    base = {
        "JobId": call.contact_id,
        "CallType": "INBOUND" if inbound else "OUTBOUND",
        "ChannelState": _channel_state(call),
        "SkillGroupId": call.groups[-1] if call.groups else "",
        "Timestamp": model.clock.epoch_ms(),
        "ReleaseInitiator": call.release_initiator,
        "ReleaseReason": "",
        "ChannelFlags": "",
        "ChannelVariables": "",
    }
    customer = {
        **base, "ChannelId": f"{call.contact_id}-c", "Index": 0, "UserId": "", "UserExtension": "",
        "Originator": call.caller, "Destination": call.callee,
    }  # fmt: skip
    agent = {
        **base, "ChannelId": f"{call.contact_id}-a", "Index": 1, "UserId": user_id,
        "UserExtension": "", "Originator": call.callee if inbound else call.caller,
        "Destination": user_id if inbound else call.callee,
    }  # fmt: skip
    return {
        "InstanceId": model.instance_id,
        "JobId": call.contact_id,
        "CallType": base["CallType"],
        "CallVariables": json.dumps({"skillGroupId": base["SkillGroupId"]}),
        "ChannelContexts": [customer, agent],
    }


def agent_data(model: CallCenterModel, rt: AgentRuntime, *, with_call: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"UserContext": user_context(model, rt), "ContextId": len(rt.agent.id)}
    call = rt.call
    if with_call and call is not None:
        data["CallContext"] = call_context(model, call, rt.agent.id)
    if with_call:
        data["ChatContexts"] = []
    return data


def _ms(model: CallCenterModel, seconds: float | None) -> int | None:
    return None if seconds is None else model.clock.epoch_ms(seconds)


def _disposition(call: CallRuntime) -> str:
    return {
        CallOutcome.ANSWERED: "Success",
        CallOutcome.ABANDONED: "Abandoned",
        CallOutcome.TIMEOUT: "NoAnswer",
        CallOutcome.IVR_ONLY: "IvrOnly",
    }[call.outcome or CallOutcome.ABANDONED]


def cdr(model: CallCenterModel, call: CallRuntime) -> dict[str, Any]:
    names = {a: model.agents[a].agent.name for a in call.agent_ids if a in model.agents}
    duration = round((call.ended_at or model.now) - call.started_at)
    return {
        "ContactId": call.contact_id,
        "InstanceId": model.instance_id,
        "ContactType": "Inbound" if call.direction is CallDirection.INBOUND else "Outbound",
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
        "RecordingDuration": min(3, round(call.talk_seconds)) if call.recorded else 0,
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
        "CurrentTaskId": t.task_id if t.state == "Active" else "",
        "CurrentTaskName": t.task_name if t.state == "Active" else "",
        "CurrentTaskStartTime": t.task_started_ms,
        "Assignee": t.assignee,
        "AssigneeName": t.assignee,
        "Comment": t.comment,
        "CloseCode": t.state if t.state != "Active" else "",
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


def page(items: list[Any], number: int, size: int) -> dict[str, Any]:
    start = (number - 1) * size
    return {
        "List": items[start : start + size],
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(items),
    }
