"""One function per CCC action: read the parameters, ask the model, answer in SDK field names."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cscdesk.callcenter.sim import agent_ops, phone_ops, reports, supervision, wire
from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.recordings import RecordingVault
from cscdesk.callcenter.sim.tickets import TicketBook

MAX_PAGE_NUMBER = 100
MAX_PAGE_SIZE = 100
RECENT_CDR_REACH_DAYS = 180


@dataclass(slots=True)
class Request:
    action: str
    params: Mapping[str, str]
    model: CallCenterModel
    vault: RecordingVault
    tickets: TicketBook
    base_url: str

    def text(self, name: str, *, required: bool = False, default: str = "") -> str:
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                # documented wording (e.g. GetRealtimeInstanceStates page 439658 error table)
                raise SimError("Parameter.Blank", f"The parameter {name} may not be null or blank.")
            return default
        return value

    def number(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SimError(
                "Parameter.Invalid", f"{name} must be an integer, got {raw!r}."
            ) from None
        if not low <= value <= high:
            raise SimError("Parameter.Invalid", f"{name} must be between {low} and {high}.")
        return value

    def id_list(self, name: str) -> list[str]:
        raw = self.params.get(name)
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return [v for v in raw.split(",") if v]
        if not isinstance(value, list):
            raise SimError("Parameter.Invalid", f"{name} must be a JSON array.")
        return [str(v) for v in value]

    def paging(self, *, required: bool = False) -> tuple[int, int]:
        """PageNumber/PageSize; ``required`` where the page marks them 必填 (realtime, historical
        and V2 CDR listings)."""
        if required:
            self.text("PageNumber", required=True)
            self.text("PageSize", required=True)
        return (
            self.number("PageNumber", 1, 1, MAX_PAGE_NUMBER),
            self.number("PageSize", 10, 1, MAX_PAGE_SIZE),
        )

    @property
    def now_ms(self) -> int:
        return self.model.clock.epoch_ms()


NO_INSTANCE_ACTIONS = frozenset({"ListInstances"})


def check_instance(req: Request) -> None:
    """Every instance-scoped action needs the instance: missing → Parameter.Blank (400), a wrong
    one → NotExists.InstanceId (404), as the error tables of the API pages list it (e.g.
    api-ccc-2020-07-01-addtickettask)."""
    if req.action in NO_INSTANCE_ACTIONS:
        return
    instance = req.text("InstanceId", required=True)
    if instance != req.model.instance_id:
        raise SimError(
            "NotExists.InstanceId", f"The specified instance {instance} does not exist.", 404
        )


Handler = Callable[[Request], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def _agent_reply(req: Request, rt: Any, *, with_call: bool = False) -> dict[str, Any]:
    if with_call:
        return wire.ok(req.action, wire.agent_data(req.model, rt, with_call=True), req.params)
    return wire.ok(req.action, wire.user_context(req.model, rt), req.params)


# ----------------------------------------------------------------- agent
@action("PollUserStatus")
def poll_user_status(req: Request) -> dict[str, Any]:
    rt = req.model.agent(req.text("UserId", required=True))
    return _agent_reply(req, rt, with_call=True)


@action("SignInGroup")
def sign_in_group(req: Request) -> dict[str, Any]:
    rt = agent_ops.sign_in(
        req.model,
        req.text("UserId", required=True),
        req.id_list("SignedSkillGroupIdList"),
        req.text("DeviceId", required=True),  # 必填 (page 439627): names the voice device
    )
    return _agent_reply(req, rt)


@action("SignOutGroup")
def sign_out_group(req: Request) -> dict[str, Any]:
    return _agent_reply(req, agent_ops.sign_out(req.model, req.text("UserId", required=True)))


@action("ReadyForService")
def ready_for_service(req: Request) -> dict[str, Any]:
    return _agent_reply(req, agent_ops.ready(req.model, req.text("UserId", required=True)))


@action("TakeBreak")
def take_break(req: Request) -> dict[str, Any]:
    rt = agent_ops.take_break(req.model, req.text("UserId", required=True), req.text("Code"))
    return _agent_reply(req, rt)


@action("ResetAgentState")
def reset_agent_state(req: Request) -> dict[str, Any]:
    return _agent_reply(req, agent_ops.reset(req.model, req.text("UserId", required=True)))


def _call_op(op: Callable[..., Any]) -> Handler:
    def handler(req: Request) -> dict[str, Any]:
        rt = op(req.model, req.text("UserId", required=True), req.text("JobId") or None)
        return _agent_reply(req, rt, with_call=True)

    return handler


for _name, _op in (
    ("AnswerCall", agent_ops.answer),
    ("ReleaseCall", supervision.release),
    ("CompleteAttendedTransfer", agent_ops.complete_attended),
    ("CancelAttendedTransfer", agent_ops.cancel_attended),
    ("MuteCall", phone_ops.mute),
    ("UnmuteCall", phone_ops.unmute),
    ("SwitchToConference", phone_ops.switch_to_conference),
    ("EndConference", phone_ops.end_conference),
):
    HANDLERS[_name] = _call_op(_op)


def _channel_op(op: Callable[..., Any]) -> Handler:
    """HoldCall / RetrieveCall: ChannelId is 必填 (api-ccc-2020-07-01-holdcall, -retrievecall)."""

    def handler(req: Request) -> dict[str, Any]:
        rt = op(
            req.model,
            req.text("UserId", required=True),
            req.text("JobId", required=True),
            req.text("ChannelId", required=True),
        )
        return _agent_reply(req, rt, with_call=True)

    return handler


HANDLERS["HoldCall"] = _channel_op(phone_ops.hold)
HANDLERS["RetrieveCall"] = _channel_op(phone_ops.retrieve)


@action("BlindTransfer")
def blind_transfer(req: Request) -> dict[str, Any]:
    transferee = req.text("Transferee") or req.text("SkillGroupId", required=True)
    rt = agent_ops.blind_transfer(
        req.model,
        req.text("UserId", required=True),
        req.text("JobId") or None,
        transferee,
        req.text("TransfereeType", default="SkillGroup" if req.text("SkillGroupId") else "Agent"),
    )
    return _agent_reply(req, rt, with_call=True)


@action("InitiateAttendedTransfer")
def initiate_attended_transfer(req: Request) -> dict[str, Any]:
    rt = agent_ops.initiate_attended(
        req.model,
        req.text("UserId", required=True),
        req.text("JobId") or None,
        req.text("Transferee", required=True),
        req.text("TransfereeType", default="Agent"),
    )
    return _agent_reply(req, rt, with_call=True)


@action("SendDtmfSignaling")
def send_dtmf_signaling(req: Request) -> dict[str, Any]:
    """ChannelId and Dtmf are 必填 (page 439626); the keys go to that channel."""
    rt = phone_ops.send_dtmf(
        req.model,
        req.text("UserId", required=True),
        req.text("JobId", required=True),
        req.text("ChannelId", required=True),
        req.text("Dtmf", required=True),
    )
    return _agent_reply(req, rt, with_call=True)


@action("MakeCall")
def make_call(req: Request) -> dict[str, Any]:
    rt = agent_ops.make_call(
        req.model,
        req.text("UserId", required=True),
        req.text("Caller"),
        req.text("Callee", required=True),
    )
    return _agent_reply(req, rt, with_call=True)


def _supervise(watched_param: str, mode: str) -> Handler:
    """MonitorCall / CoachCall / BargeInCall: the reply is the supervisor's own context
    (pages 439615, 439605: UserContext and CallContext of ``UserId``)."""

    def handler(req: Request) -> dict[str, Any]:
        lead_id = req.text("UserId", required=True)
        job_id = req.text("JobId", required=mode != "MONITOR") or None
        supervision.supervise(
            req.model, lead_id, req.text(watched_param, required=True), mode, job_id
        )
        return wire.ok(req.action, wire.agent_data(req.model, req.model.agent(lead_id),
                                                   with_call=True), req.params)  # fmt: skip

    return handler


HANDLERS["MonitorCall"] = _supervise("MonitoredUserId", "MONITOR")
HANDLERS["CoachCall"] = _supervise("CoachedUserId", "COACH")
HANDLERS["BargeInCall"] = _supervise("BargedUserId", "BARGE")


# --------------------------------------------------------------- realtime
@action("ListRealtimeSkillGroupStates")
def list_realtime_skill_group_states(req: Request) -> dict[str, Any]:
    number, size = req.paging(required=True)
    wanted = req.id_list("SkillGroupIdList") or sorted(req.model.groups)
    items = []
    for gid in wanted:
        if gid not in req.model.groups:
            continue
        calls, longest = reports.waiting(req.model, gid)
        items.append(
            {
                "InstanceId": req.model.instance_id,
                "SkillGroupId": gid,
                "SkillGroupName": req.model.groups[gid].name,
                "WaitingCalls": calls,
                "LongestWaitingTime": longest,
                **reports.agent_counts(reports.group_agents(req.model, gid)),
            }
        )
    return wire.ok(req.action, wire.page(items, number, size))


@action("ListRealtimeAgentStates")
def list_realtime_agent_states(req: Request) -> dict[str, Any]:
    number, size = req.paging(required=True)
    unknown = set(req.id_list("StateList")) - set(wire.REALTIME_WORDS.values())
    if unknown:
        raise SimError("Parameter.Invalid", f"StateList has unknown states {sorted(unknown)}.")
    group = req.text("SkillGroupId") or None
    ids = set(req.id_list("AgentIdList"))
    states = set(req.id_list("StateList"))
    items = []
    for rt in sorted(req.model.agents.values(), key=lambda a: a.agent.id):
        if group and group not in rt.signed_groups:
            continue
        if (ids and rt.agent.id not in ids) or (states and wire.realtime_state(rt) not in states):
            continue
        call = rt.call
        watcher = (
            supervision.watched_by(call) if call and call.current_agent == rt.agent.id else None
        )
        watched_code = supervision.WATCHED_STATE_CODE[watcher[1]] if watcher else ""
        items.append(
            {
                "AgentId": rt.agent.id,
                "AgentName": rt.agent.name,
                "InstanceId": req.model.instance_id,
                "State": wire.realtime_state(rt),
                "StateCode": watched_code or rt.break_code or wire.realtime_state(rt),
                "BreakCode": rt.break_code,
                "StateTime": req.model.clock.epoch_ms(rt.state_since),
                "Duration": round(req.model.now - rt.state_since),
                "CallType": (call.direction.value.upper() if call else ""),
                # the third party in monitor / coach scenarios (SDK doc of CounterParty)
                "CounterParty": watcher[0] if watcher else (call.caller if call else ""),
                "SkillGroupIdList": list(rt.signed_groups),
                "SkillGroupNameList": [req.model.groups[g].name for g in rt.signed_groups],
                "WorkMode": rt.work_mode,
                "OutboundScenario": False,
            }
        )
    return wire.ok(req.action, wire.page(items, number, size))


@action("GetRealtimeInstanceStates")
def get_realtime_instance_states(req: Request) -> dict[str, Any]:
    calls, longest = reports.waiting(req.model, None)
    data = {
        "InstanceId": req.model.instance_id,
        "WaitingCalls": calls,
        "LongestWaitingTime": longest,
        "InteractiveCalls": len(req.model.active),
        **reports.agent_counts(list(req.model.agents.values())),
    }
    return wire.ok(req.action, data)


def _summary_page(req: Request, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    number, size = req.paging()
    extra: dict[str, Any] = {key: wire.page(items, number, size), "Success": True}
    return wire.ok(req.action, None, None, **extra)


@action("ListSkillGroupSummaryReportsSinceMidnight")
def list_skill_group_summary(req: Request) -> dict[str, Any]:
    calls = reports.since_midnight_calls(req.model)
    wanted = [g for g in req.text("SkillGroups").split(",") if g] or sorted(req.model.groups)
    items = []
    for gid in wanted:
        if gid not in req.model.groups:
            raise SimError("NotExists.SkillGroupId", f"The skill group {gid} does not exist.", 404)
        mine = reports.calls_of_group(calls, gid)
        items.append(
            {
                "InstanceId": req.model.instance_id,
                "SkillGroupId": gid,
                "SkillGroupName": req.model.groups[gid].name,
                "Timestamp": req.model.clock.at(req.model.now).isoformat(),
                "Inbound": reports.inbound_summary(mine),
                "Outbound": reports.outbound_summary(mine),
                "Overall": reports.overall_summary(mine),
            }
        )
    return _summary_page(req, "PagedSkillGroupSummaryReport", items)


@action("ListAgentSummaryReportsSinceMidnight")
def list_agent_summary(req: Request) -> dict[str, Any]:
    calls = reports.since_midnight_calls(req.model)
    group = req.text("SkillGroupId") or None
    wanted = [a for a in req.text("AgentIds").split(",") if a]
    items = []
    for rt in sorted(req.model.agents.values(), key=lambda a: a.agent.id):
        if (wanted and rt.agent.id not in wanted) or (group and group not in rt.agent.skill_groups):
            continue
        mine = reports.calls_of_agent(calls, rt.agent.id)
        items.append(
            {
                "InstanceId": req.model.instance_id,
                "AgentId": rt.agent.id,
                "AgentName": rt.agent.name,
                "LoginName": rt.agent.id.split("@")[0],
                "SkillGroupIds": ",".join(rt.agent.skill_groups),
                "SkillGroupNames": ",".join(
                    req.model.groups[g].name for g in rt.agent.skill_groups if g in req.model.groups
                ),
                "Timestamp": req.model.clock.at(req.model.now).isoformat(),
                "Inbound": reports.inbound_summary(mine),
                "Outbound": reports.outbound_summary(mine),
                "Overall": reports.overall_summary(mine),
            }
        )
    return _summary_page(req, "PagedAgentSummaryReport", items)


def _history_window(req: Request, stop_param: str) -> list[Any]:
    """Calls started in [StartTime, stop): the documented defaults are today 0:00 and now."""
    model = req.model
    midnight_ms = model.clock.epoch_ms(model.seconds_since_midnight())
    stop = req.number(stop_param, req.now_ms, 0, 2**53)
    start = req.number("StartTime", midnight_ms, 0, 2**53)
    if start > stop:
        raise SimError("Parameter.Invalid", f"StartTime must not be after {stop_param}.")
    return [c for c in model.records if start <= model.clock.epoch_ms(c.started_at) < stop]


@action("ListHistoricalSkillGroupReport")
def list_historical_skill_group_report(req: Request) -> dict[str, Any]:
    """Page 439666: PageNumber/PageSize required; StartTime/EndTime default to today so far."""
    number, size = req.paging(required=True)
    calls = _history_window(req, "EndTime")
    wanted = req.id_list("SkillGroupIdList") or sorted(req.model.groups)
    items = []
    for gid in wanted:
        if gid not in req.model.groups:
            raise SimError("NotExists.SkillGroupId", f"The skill group {gid} does not exist.", 404)
        mine = reports.calls_of_group(calls, gid)
        items.append(
            {
                "SkillGroupId": gid,
                "SkillGroupName": req.model.groups[gid].name,
                "Inbound": reports.inbound_summary(mine),
                "Outbound": reports.outbound_summary(mine),
                "Overall": reports.overall_summary(mine),
            }
        )
    return wire.ok(req.action, wire.page(items, number, size))


@action("ListHistoricalAgentReport")
def list_historical_agent_report(req: Request) -> dict[str, Any]:
    """Page 439665: the window's end is ``StopTime`` here (EndTime on the skill-group report)."""
    number, size = req.paging(required=True)
    calls = _history_window(req, "StopTime")
    group = req.text("SkillGroupId") or None
    wanted = req.id_list("AgentIdList")
    items = []
    for rt in sorted(req.model.agents.values(), key=lambda a: a.agent.id):
        if (wanted and rt.agent.id not in wanted) or (group and group not in rt.agent.skill_groups):
            continue
        mine = reports.calls_of_agent(calls, rt.agent.id)
        inbound = reports.inbound_summary(mine)
        for figure in ("ServiceLevel20", "CallsServiceLevel20", "CallsQueued", "TotalWaitTime"):
            inbound.pop(figure, None)  # not in the agent report (SDK model)
        items.append(
            {
                "AgentId": rt.agent.id,
                "AgentName": rt.agent.name,
                "DisplayId": rt.agent.id.split("@")[0],
                "Inbound": inbound,
                "Outbound": reports.outbound_summary(mine),
                "Overall": reports.overall_summary(mine),
            }
        )
    if wanted:  # "如果坐席 ID 列表不为空 ... pageSize 和 pageNumber 参数无效"
        return wire.ok(
            req.action, {**wire.page(items, 1, max(len(items), 1)), "PageNumber": number}
        )
    return wire.ok(req.action, wire.page(items, number, size))


INTERVALS = {"Quarter": 900, "Hourly": 3600, "Daily": 86400}


@action("ListIntervalSkillGroupReport")
def list_interval_skill_group_report(req: Request) -> dict[str, Any]:
    gid = req.text("SkillGroupId", required=True)
    if gid not in req.model.groups:
        raise SimError("NotExists.SkillGroupId", f"The skill group {gid} does not exist.", 404)
    interval = req.text("Interval", default="Hourly")
    if interval not in INTERVALS:
        raise SimError("Parameter.Invalid", f"Interval must be one of {', '.join(INTERVALS)}.")
    step_ms = INTERVALS[interval] * 1000
    end = req.number("EndTime", req.now_ms, 0, 2**53)
    start = req.number("StartTime", end - 86_400_000, 0, 2**53)
    if end <= start or end - start > 31 * 86_400_000:
        raise SimError(
            "Parameter.Invalid", "StartTime..EndTime must be positive and at most 31 days."
        )
    model = req.model
    buckets: dict[int, list[Any]] = {}
    for call in reports.calls_of_group(model.records, gid):
        ms = model.clock.epoch_ms(call.started_at)
        if start <= ms < end:
            buckets.setdefault(start + (ms - start) // step_ms * step_ms, []).append(call)
    data = [
        {
            "StatsTime": stamp,
            "Inbound": reports.inbound_summary(calls),
            "Outbound": reports.outbound_summary(calls),
            "Overall": reports.overall_summary(calls),
        }
        for stamp, calls in sorted(buckets.items())
    ]
    return wire.ok(req.action, data)
