"""CCC 2020-07-01 payloads → the port's neutral models.

Field names and nesting are the official SDK's (``alibabacloud_ccc20200701.models``). Every mapper
reads through ``Reader``, so a field that is missing or of the wrong type raises
``ResponseFormatError`` naming the operation and the field path (``Data.List[3].StartTime``) — never
a KeyError or TypeError deep in the desk. Epoch times on the wire are milliseconds; durations in
CDRs and reports are seconds (the SDK declares them as integers).

How a CDR (``ListCallDetailRecordsV2`` row) becomes a ``CallRecord``:

* ``direction``: ``ContactType == "Outbound"`` → outbound, anything else → inbound.
* ``outcome`` (``domain.CallOutcome``): from ``ContactDisposition`` when it is one we know
  (``Success`` → answered, ``Abandoned*`` → abandoned, ``NoAnswer``/``*Timeout``/``*Overflow`` →
  timeout, ``IvrOnly`` → ivr_only); otherwise derived, in this order:
  1. ``answered`` — ``EstablishedTime`` is set (> 0) and ``AgentIds`` is not empty;
  2. ``ivr_only`` — no ``SkillGroupIds`` and no positive ``QueueTime``: never asked for an agent;
  3. ``abandoned`` — ``ReleaseInitiator`` is the caller (the ``CallingNumber`` of an inbound call,
     or the word ``customer``/``caller``): the caller hung up while queued or ringing;
  4. ``timeout`` — otherwise: the system released it (queue timeout, overflow, no agent).
* ``queue_wait_seconds``: ``QueueTime`` (0 when absent) unless the outcome is ``ivr_only`` (None).
* ``ring/talk/hold_seconds``: ``RingTime``/``TalkTime``/``HeldTime``; ``work_seconds`` is 0 because
  the CDR has no after-call-work field (wrap-up totals come from the summary reports).
* ``satisfaction``: ``SatisfactionIndex`` when present, else None; ``recording_available``:
  ``RecordingReady``; ``transferred_to``: the last of several ``AgentIds`` (``TransferCount`` > 0).

``GetCallDetailRecord`` has no duration columns, only event sequences, so its record derives queue
wait from the span of ``QueueEvents`` times and talk time from ``ReleaseTime - EstablishedTime``;
ring and hold are 0 there. The archive uses the list operation, which carries the full figures.

Summary reports: ``offered/answered/abandoned`` are ``CallsOffered/CallsHandled/CallsAbandoned``;
the vendor reports service level only at 20 s (``CallsServiceLevel20``; for agent and interval
reports the ratio ``ServiceLevel20`` × offered), and no short-abandon count (0 here: the desk's own
indicator functions over archived CDRs compute the configured variants). Satisfied count =
``SatisfactionIndex`` × surveys responded, the index read as a ratio when ≤ 1, else a percentage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from cscdesk.callcenter.errors import ResponseFormatError
from cscdesk.callcenter.port import (
    AgentSession,
    AgentState,
    AgentStatus,
    CallRecord,
    CallState,
    OfferedCall,
    QueueState,
    RealtimeMetrics,
    RecordingLocator,
    RemoteTicket,
    SkillGroupInfo,
    SummaryReport,
    TicketTemplate,
    UserInfo,
)

SERVICE_LEVEL_SECONDS = 20.0

# CCC user / agent states (upper-cased) → neutral status.
AGENT_STATUS: Mapping[str, AgentStatus] = {
    "OFFLINE": AgentStatus.OFFLINE,
    "READY": AgentStatus.READY,
    "BREAK": AgentStatus.BREAK,
    "BREAKING": AgentStatus.BREAK,
    "RINGING": AgentStatus.RINGING,
    "INBOUND_CALLING": AgentStatus.RINGING,
    "TALKING": AgentStatus.TALKING,
    "HOLDING": AgentStatus.HOLDING,
    "WORKING": AgentStatus.WORKING,
    "OUTBOUND": AgentStatus.OUTBOUND,
    "OUTBOUND_CALLING": AgentStatus.OUTBOUND,
    "CALLING": AgentStatus.OUTBOUND,  # ringing when the call is inbound: see agent_session
    "DIALING": AgentStatus.OUTBOUND,
}

# ChannelState of the agent's own channel → neutral call state.
CHANNEL_STATE: Mapping[str, CallState] = {
    "CREATED": CallState.DIALING,
    "DIALING": CallState.DIALING,
    "RINGING": CallState.OFFERED,
    "ALERTING": CallState.OFFERED,
    "ANSWERED": CallState.TALKING,
    "TALKING": CallState.TALKING,
    "HELD": CallState.HOLDING,
    "HOLDING": CallState.HOLDING,
    "CONSULTING": CallState.CONSULTING,
    "RELEASED": CallState.ENDED,
}

_MISSING = object()


class Reader:
    """Typed access to one JSON object of a response; errors name action and field path."""

    __slots__ = ("action", "data", "path")

    def __init__(self, action: str, data: object, path: str = "") -> None:
        self.action = action
        self.path = path
        if not isinstance(data, Mapping):
            raise self._error(path or "<body>", f"expected an object, got {_kind(data)}")
        self.data: Mapping[str, Any] = data

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _error(self, where: str, problem: str) -> ResponseFormatError:
        return ResponseFormatError(self.action, where, problem)

    def _get(self, key: str) -> object:
        value = self.data.get(key, _MISSING)
        return _MISSING if value is None else value

    def _required(self, key: str) -> object:
        value = self._get(key)
        if value is _MISSING:
            raise self._error(self.where(key), "missing")
        return value

    # objects and lists
    def obj(self, key: str) -> Reader:
        return Reader(self.action, self._required(key), self.where(key))

    def opt_obj(self, key: str) -> Reader | None:
        value = self._get(key)
        return None if value is _MISSING else Reader(self.action, value, self.where(key))

    def objects(self, key: str, *, required: bool = True) -> list[Reader]:
        value = self._required(key) if required else self._get(key)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            raise self._error(self.where(key), f"expected a list, got {_kind(value)}")
        return [
            Reader(self.action, item, f"{self.where(key)}[{i}]") for i, item in enumerate(value)
        ]

    # scalars
    def text(self, key: str) -> str:
        value = self._required(key)
        if not isinstance(value, str):
            raise self._error(self.where(key), f"expected text, got {_kind(value)}")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._error(self.where(key), f"expected text, got {_kind(value)}")
        return str(value) if value != "" else None

    def number(self, key: str, default: float | None = None) -> float:
        value = self._get(key)
        if value is _MISSING:
            if default is None:
                raise self._error(self.where(key), "missing")
            return default
        return self._as_number(key, value)

    def opt_number(self, key: str) -> float | None:
        value = self._get(key)
        return None if value is _MISSING else self._as_number(key, value)

    def integer(self, key: str, default: int | None = None) -> int:
        return round(self.number(key, None if default is None else float(default)))

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key)
        if value is _MISSING:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self._error(self.where(key), f"expected true/false, got {_kind(value)}")

    def ms_time(self, key: str) -> datetime | None:
        """Epoch milliseconds → aware UTC datetime; absent or 0 → None."""
        millis = self.opt_number(key)
        if millis is None or millis <= 0:
            return None
        try:
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise self._error(self.where(key), f"time {millis!r} out of range") from None

    def required_ms_time(self, key: str) -> datetime:
        when = self.ms_time(key)
        if when is None:
            raise self._error(self.where(key), "missing")
        return when

    def str_list(self, key: str) -> tuple[str, ...]:
        """A list of strings, or the vendor's comma-separated / JSON-array string form."""
        value = self._get(key)
        if value is _MISSING or value == "":
            return ()
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    raise self._error(self.where(key), "not a JSON list") from None
            else:
                return tuple(part.strip() for part in text.split(",") if part.strip())
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return tuple(str(v) for v in value if not isinstance(v, bool))
        raise self._error(self.where(key), f"expected a list of text, got {_kind(value)}")

    def _as_number(self, key: str, value: object) -> float:
        if isinstance(value, bool):
            raise self._error(self.where(key), "expected a number, got true/false")
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise self._error(
                    self.where(key), f"expected a number, got {value[:20]!r}"
                ) from None
        else:
            raise self._error(self.where(key), f"expected a number, got {_kind(value)}")
        if number != number or number in (float("inf"), float("-inf")):
            raise self._error(self.where(key), "not a finite number")
        return number


def _kind(value: object) -> str:
    if value is _MISSING or value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _status(reader: Reader, key: str) -> AgentStatus:
    text = reader.text(key).upper()
    try:
        return AGENT_STATUS[text]
    except KeyError:
        raise ResponseFormatError(
            reader.action, reader.where(key), f"unknown agent state {text[:30]!r}"
        ) from None


def body(action: str, payload: Mapping[str, Any]) -> Reader:
    return Reader(action, payload)


# --- directory ------------------------------------------------------------------------------


def skill_groups(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SkillGroupInfo], int | None]:
    data = body(action, payload).obj("Data")
    groups = [
        SkillGroupInfo(
            id=row.text("SkillGroupId"),
            name=row.opt_text("DisplayName")
            or row.opt_text("SkillGroupName")
            or row.text("SkillGroupId"),
            description=row.opt_text("Description") or "",
        )
        for row in data.objects("List", required=False)
    ]
    return groups, _total(data)


def _user(row: Reader, groups: tuple[str, ...]) -> UserInfo:
    return UserInfo(
        id=row.text("UserId"),
        login_name=row.opt_text("LoginName") or row.text("UserId"),
        display_name=row.opt_text("DisplayName") or row.opt_text("LoginName") or row.text("UserId"),
        role=row.opt_text("RoleName") or row.opt_text("RoleId") or "Agent",
        skill_groups=groups,
        work_mode=row.opt_text("WorkMode") or "ON_SITE",
        raw=row.data,
    )


def users(action: str, payload: Mapping[str, Any]) -> tuple[list[UserInfo], int | None]:
    data = body(action, payload).obj("Data")
    result = []
    for row in data.objects("List", required=False):
        groups = tuple(
            level.text("SkillGroupId") for level in row.objects("SkillLevelList", required=False)
        )
        result.append(_user(row, groups))
    return result, _total(data)


def user(action: str, payload: Mapping[str, Any]) -> UserInfo:
    return _user(body(action, payload).obj("Data"), ())


def instances(action: str, payload: Mapping[str, Any]) -> tuple[list[tuple[str, str]], int | None]:
    data = body(action, payload).obj("Data")
    rows = [
        (row.text("Id"), row.opt_text("Name") or row.text("Id"))
        for row in data.objects("List", required=False)
    ]
    return rows, _total(data)


def _total(data: Reader) -> int | None:
    total = data.opt_number("TotalCount")
    return None if total is None else round(total)


# --- agent session (screen pop) ---------------------------------------------------------------


def _variables(reader: Reader, key: str) -> dict[str, str]:
    """CallVariables is a string: a JSON object, or ``k=v&k2=v2``; anything else is ignored."""
    text = reader.opt_text(key)
    if not text:
        return {}
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return dict(parse_qsl(text, keep_blank_values=True)) if "=" in text else {}
    if isinstance(decoded, dict):
        return {
            str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in decoded.items()
        }
    return {}


def _offered_call(context: Reader, agent_id: str) -> OfferedCall | None:
    job_id = context.opt_text("JobId")
    channels = context.objects("ChannelContexts", required=False)
    if job_id is None or not channels:
        return None
    mine = next((c for c in channels if c.opt_text("UserId") == agent_id), channels[-1])
    customer = next((c for c in channels if c.opt_text("UserId") != agent_id), mine)
    channel_state = mine.text("ChannelState").upper()
    state = CHANNEL_STATE.get(channel_state)
    if state is None:
        raise ResponseFormatError(
            context.action,
            mine.where("ChannelState"),
            f"unknown channel state {channel_state[:30]!r}",
        )
    flags = (mine.opt_text("ChannelFlags") or "").upper()
    if state is CallState.TALKING and "CONSULT" in flags:
        state = CallState.CONSULTING
    if state is CallState.OFFERED and (context.opt_text("CallType") or "").upper() == "OUTBOUND":
        state = CallState.DIALING  # our own outbound call is ringing at the far end
    return OfferedCall(
        job_id=job_id,
        contact_id=job_id,
        caller=customer.opt_text("Originator") or "",
        callee=customer.opt_text("Destination") or "",
        skill_group_id=mine.opt_text("SkillGroupId") or customer.opt_text("SkillGroupId"),
        state=state,
        since=mine.ms_time("Timestamp"),
        variables=_variables(context, "CallVariables"),
        raw=context.data,
    )


def agent_session(action: str, payload: Mapping[str, Any], agent_id: str) -> AgentSession:
    data = body(action, payload).obj("Data")
    user_context = data.obj("UserContext")
    context = data.opt_obj("CallContext")
    call = _offered_call(context, agent_id) if context is not None else None
    if call is not None and call.state is CallState.ENDED:
        call = None
    status = _status(user_context, "UserState")
    if call is not None and status is AgentStatus.OUTBOUND and call.state is CallState.OFFERED:
        status = AgentStatus.RINGING  # CCC's CALLING covers an inbound offer too
    if call is not None and status is AgentStatus.TALKING and call.state is CallState.HOLDING:
        status = AgentStatus.HOLDING
    return AgentSession(
        agent_id=user_context.opt_text("UserId") or agent_id,
        status=status,
        state_since=user_context.ms_time("Reserved"),
        signed_in_groups=user_context.str_list("SignedSkillGroupIdList"),
        call=call,
        break_code=user_context.opt_text("BreakCode"),
        raw=data.data,
    )


def made_call_job_id(action: str, payload: Mapping[str, Any]) -> str:
    return body(action, payload).obj("Data").obj("CallContext").text("JobId")


# --- team lead ------------------------------------------------------------------------------


def queue_states(action: str, payload: Mapping[str, Any]) -> tuple[list[QueueState], int | None]:
    data = body(action, payload).obj("Data")
    states = [
        QueueState(
            skill_group_id=row.text("SkillGroupId"),
            skill_group_name=row.opt_text("SkillGroupName") or row.text("SkillGroupId"),
            waiting_calls=row.integer("WaitingCalls"),
            longest_wait_seconds=row.number("LongestWaitingTime", 0.0) / 1000,  # ms on the wire
            ready_agents=row.integer("ReadyAgents", 0),
            talking_agents=row.integer("TalkingAgents", 0),
            working_agents=row.integer("WorkingAgents", 0),
            break_agents=row.integer("BreakingAgents", 0),
            logged_in_agents=row.integer("LoggedInAgents", 0),
            raw=row.data,
        )
        for row in data.objects("List", required=False)
    ]
    return states, _total(data)


def agent_states(action: str, payload: Mapping[str, Any]) -> tuple[list[AgentState], int | None]:
    data = body(action, payload).obj("Data")
    states = [
        AgentState(
            agent_id=row.text("AgentId"),
            agent_name=row.opt_text("AgentName") or row.text("AgentId"),
            status=_status(row, "State"),
            state_since=row.ms_time("StateTime"),
            skill_groups=row.str_list("SkillGroupIdList"),
            break_code=row.opt_text("BreakCode"),
            contact_id=None,
            raw=row.data,
        )
        for row in data.objects("List", required=False)
    ]
    return states, _total(data)


def realtime_metrics(action: str, payload: Mapping[str, Any]) -> RealtimeMetrics:
    data = body(action, payload).obj("Data")
    return RealtimeMetrics(
        waiting_calls=data.integer("WaitingCalls"),
        longest_wait_seconds=data.number("LongestWaitingTime", 0.0) / 1000,  # ms on the wire
        logged_in_agents=data.integer("LoggedInAgents", 0),
        ready_agents=data.integer("ReadyAgents", 0),
        talking_agents=data.integer("TalkingAgents", 0),
        working_agents=data.integer("WorkingAgents", 0),
        break_agents=data.integer("BreakingAgents", 0),
        raw=data.data,
    )


def _satisfied(section: Reader) -> tuple[int, int]:
    responded = section.integer("SatisfactionSurveysResponded", 0)
    index = section.number("SatisfactionIndex", 0.0)
    share = index if index <= 1.0 else index / 100.0  # a ratio, or a percentage
    return responded, round(responded * min(max(share, 0.0), 1.0))


def skill_group_summaries(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SummaryReport], int | None]:
    paged = body(action, payload).obj("PagedSkillGroupSummaryReport")
    reports = []
    for row in paged.objects("List", required=False):
        inbound = row.obj("Inbound")
        overall = row.opt_obj("Overall")
        surveyed, satisfied = _satisfied(inbound)
        reports.append(
            SummaryReport(
                subject_id=row.text("SkillGroupId"),
                subject_name=row.opt_text("SkillGroupName") or row.text("SkillGroupId"),
                interval_start=None,
                offered=inbound.integer("CallsOffered"),
                answered=inbound.integer("CallsHandled"),
                abandoned=inbound.integer("CallsAbandoned"),
                short_abandoned=0,
                answered_within_threshold=inbound.integer("CallsServiceLevel20", 0),
                threshold_seconds=SERVICE_LEVEL_SECONDS,
                total_wait_seconds_answered=inbound.number(
                    "AnsweredByAgentOfQueueWaitTimeDuration", 0.0
                ),
                total_talk_seconds=inbound.number("TotalTalkTime", 0.0),
                total_hold_seconds=0.0,
                total_work_seconds=inbound.number("TotalWorkTime", 0.0),
                total_ready_seconds=overall.number("TotalReadyTime", 0.0) if overall else 0.0,
                satisfaction_surveyed=surveyed,
                satisfaction_satisfied=satisfied,
                raw=row.data,
            )
        )
    return reports, _total(paged)


def agent_summaries(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SummaryReport], int | None]:
    paged = body(action, payload).obj("PagedAgentSummaryReport")
    reports = []
    for row in paged.objects("List", required=False):
        inbound = row.obj("Inbound")
        overall = row.opt_obj("Overall")
        offered = inbound.integer("CallsOffered")
        answered = inbound.integer("CallsHandled")
        surveyed, satisfied = _satisfied(inbound)
        reports.append(
            SummaryReport(
                subject_id=row.text("AgentId"),
                subject_name=row.opt_text("AgentName") or row.text("AgentId"),
                interval_start=None,
                offered=offered,
                answered=answered,
                abandoned=max(offered - answered, 0),  # rang at this agent but not answered
                short_abandoned=0,
                answered_within_threshold=round(inbound.number("ServiceLevel20", 0.0) * offered),
                threshold_seconds=SERVICE_LEVEL_SECONDS,
                total_wait_seconds_answered=0.0,
                total_talk_seconds=inbound.number("TotalTalkTime", 0.0),
                total_hold_seconds=0.0,
                total_work_seconds=inbound.number("TotalWorkTime", 0.0),
                total_ready_seconds=overall.number("TotalReadyTime", 0.0) if overall else 0.0,
                satisfaction_surveyed=surveyed,
                satisfaction_satisfied=satisfied,
                raw=row.data,
            )
        )
    return reports, _total(paged)


def interval_reports(
    action: str, payload: Mapping[str, Any], skill_group_id: str, skill_group_name: str
) -> list[SummaryReport]:
    reports = []
    for row in body(action, payload).objects("Data", required=False):
        inbound = row.obj("Inbound")
        overall = row.opt_obj("Overall")
        offered = inbound.integer("CallsOffered")
        surveyed, satisfied = _satisfied(inbound)
        reports.append(
            SummaryReport(
                subject_id=skill_group_id,
                subject_name=skill_group_name,
                interval_start=row.required_ms_time("StatsTime"),
                offered=offered,
                answered=inbound.integer("CallsHandled"),
                abandoned=inbound.integer("CallsAbandoned"),
                short_abandoned=0,
                answered_within_threshold=round(inbound.number("ServiceLevel20", 0.0) * offered),
                threshold_seconds=SERVICE_LEVEL_SECONDS,
                total_wait_seconds_answered=inbound.number("TotalWaitTime", 0.0),
                total_talk_seconds=inbound.number("TotalTalkTime", 0.0),
                total_hold_seconds=inbound.number("TotalHoldTime", 0.0),
                total_work_seconds=inbound.number("TotalWorkTime", 0.0),
                total_ready_seconds=overall.number("TotalReadyTime", 0.0) if overall else 0.0,
                satisfaction_surveyed=surveyed,
                satisfaction_satisfied=satisfied,
                raw=row.data,
            )
        )
    return reports


# --- CDRs and recordings ----------------------------------------------------------------------


DISPOSITIONS: Mapping[str, str] = {
    "success": "answered",
    "abandoned": "abandoned",
    "abandonedinqueue": "abandoned",
    "abandonedinring": "abandoned",
    "abandonedinringing": "abandoned",
    "noanswer": "timeout",
    "queuetimeout": "timeout",
    "queueoverflow": "timeout",
    "timeout": "timeout",
    "ivronly": "ivr_only",
}


def _outcome(
    disposition: str | None,
    answered: bool,
    asked_for_agent: bool,
    initiator: str | None,
    caller: str,
    inbound: bool,
) -> str:
    known = DISPOSITIONS.get((disposition or "").replace("_", "").lower())
    if known is not None:
        return known
    if answered:
        return "answered"
    if not asked_for_agent:
        return "ivr_only"
    who = (initiator or "").strip().lower()
    if who in ("customer", "caller") or (inbound and caller and who == caller.lower()):
        return "abandoned"
    return "timeout"


def call_record(row: Reader) -> CallRecord:
    """One ``ListCallDetailRecordsV2`` row (see the module docstring for the derivations)."""
    inbound = (row.opt_text("ContactType") or "Inbound").lower() != "outbound"
    caller = row.opt_text("CallingNumber") or ""
    agents = row.str_list("AgentIds")
    groups = row.str_list("SkillGroupIds")
    established = row.ms_time("EstablishedTime")
    queue_time = row.opt_number("QueueTime")
    asked = bool(groups) or (queue_time or 0.0) > 0
    initiator = row.opt_text("ReleaseInitiator")
    satisfaction = row.opt_number("SatisfactionIndex")
    outcome = _outcome(
        row.opt_text("ContactDisposition"),
        established is not None and bool(agents),
        asked,
        initiator,
        caller,
        inbound,
    )
    return CallRecord(
        contact_id=row.text("ContactId"),
        direction="inbound" if inbound else "outbound",
        caller=caller,
        callee=row.opt_text("CalledNumber") or "",
        start_time=row.required_ms_time("StartTime"),
        established_time=established,
        release_time=row.ms_time("ReleaseTime"),
        skill_group_id=groups[0] if groups else None,
        agent_ids=agents,
        queue_wait_seconds=None if outcome == "ivr_only" else (queue_time or 0.0),
        ring_seconds=row.number("RingTime", 0.0),
        talk_seconds=row.number("TalkTime", 0.0),
        hold_seconds=row.number("HeldTime", 0.0),
        work_seconds=0.0,
        outcome=outcome,
        release_initiator=initiator,
        recording_available=row.flag("RecordingReady"),
        satisfaction=None if satisfaction is None else round(satisfaction),
        transferred_to=agents[-1] if len(agents) > 1 else None,
        raw=row.data,
    )


def call_records(action: str, payload: Mapping[str, Any]) -> tuple[list[CallRecord], int | None]:
    data = body(action, payload).obj("Data")
    return [call_record(row) for row in data.objects("List", required=False)], _total(data)


def _event_span_seconds(groups: Sequence[Reader]) -> float | None:
    times = [
        event.number("EventTime")
        for group in groups
        for event in group.objects("EventSequence", required=False)
    ]
    return (max(times) - min(times)) / 1000 if times else None


def call_record_detail(action: str, payload: Mapping[str, Any]) -> CallRecord:
    """``GetCallDetailRecord``: same rules, durations from events (see the module docstring)."""
    data = body(action, payload).obj("Data")
    inbound = (data.opt_text("ContactType") or "Inbound").lower() != "outbound"
    caller = data.opt_text("CallingNumber") or ""
    agents = data.str_list("AgentIds")
    groups = data.str_list("SkillGroupIds")
    established = data.ms_time("EstablishedTime")
    released = data.ms_time("ReleaseTime")
    queue_wait = _event_span_seconds(data.objects("QueueEvents", required=False))
    asked = bool(groups) or queue_wait is not None
    initiator = data.opt_text("ReleaseInitiator")
    outcome = _outcome(
        data.opt_text("ContactDisposition"),
        established is not None and bool(agents),
        asked,
        initiator,
        caller,
        inbound,
    )
    satisfaction = data.opt_number("Satisfaction")
    talk = (released - established).total_seconds() if established and released else 0.0
    return CallRecord(
        contact_id=data.text("ContactId"),
        direction="inbound" if inbound else "outbound",
        caller=caller,
        callee=data.opt_text("CalledNumber") or "",
        start_time=data.required_ms_time("StartTime"),
        established_time=established,
        release_time=released,
        skill_group_id=groups[0] if groups else None,
        agent_ids=agents,
        queue_wait_seconds=None if outcome == "ivr_only" else (queue_wait or 0.0),
        ring_seconds=0.0,
        talk_seconds=max(talk, 0.0),
        hold_seconds=0.0,
        work_seconds=0.0,
        outcome=outcome,
        release_initiator=initiator,
        recording_available=data.flag("RecordingReady"),
        satisfaction=None if satisfaction is None else round(satisfaction),
        transferred_to=agents[-1] if len(agents) > 1 else None,
        raw=data.data,
    )


def recording(
    action: str, payload: Mapping[str, Any], contact_id: str, expires_at: datetime | None
) -> RecordingLocator:
    """``GetMonoRecording``: no ``FileUrl`` means the audio is archived and needs a restore."""
    data = body(action, payload).obj("Data")
    url = data.opt_text("FileUrl")
    return RecordingLocator(
        contact_id=contact_id,
        file_name=data.opt_text("FileName") or f"{contact_id}.wav",
        url=url,
        expires_at=expires_at if url else None,
        archived=url is None,
        duration_seconds=data.number("Duration", 0.0),
        raw=data.data,
    )


def recordings(
    action: str, payload: Mapping[str, Any], expires_at: datetime | None
) -> list[RecordingLocator]:
    result = []
    for row in body(action, payload).objects("Data", required=False):
        url = row.opt_text("FileUrl")
        result.append(
            RecordingLocator(
                contact_id=row.text("ContactId"),
                file_name=row.opt_text("FileName") or f"{row.text('ContactId')}.wav",
                url=url,
                expires_at=expires_at if url else None,
                archived=url is None,
                duration_seconds=row.number("Duration", 0.0),
                raw=row.data,
            )
        )
    return result


# --- tickets --------------------------------------------------------------------------------


def _ticket_context(row: Reader) -> dict[str, Any]:
    text = row.opt_text("Context")
    if not text:
        return {}
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        raise ResponseFormatError(row.action, row.where("Context"), "not valid JSON") from None
    if not isinstance(decoded, dict):
        raise ResponseFormatError(row.action, row.where("Context"), "expected a JSON object")
    return decoded


def ticket(row: Reader) -> RemoteTicket:
    version = row.opt_text("TemplateVersion")
    return RemoteTicket(
        ticket_id=row.text("TicketId"),
        title=row.opt_text("Title") or "",
        state=row.opt_text("State") or "",
        context=_ticket_context(row),
        customer_id=row.opt_text("CustomerId"),
        contact_id=row.opt_text("JobId"),
        template_id=row.opt_text("TemplateId"),
        creator_id=row.opt_text("Creator"),
        created_at=row.ms_time("CreatedTime"),
        updated_at=row.ms_time("UpdatedTime"),
        version=int(version) if version and version.isdigit() else None,
        raw=row.data,
    )


def ticket_detail(action: str, payload: Mapping[str, Any]) -> RemoteTicket:
    return ticket(body(action, payload).obj("Data"))


def tickets(action: str, payload: Mapping[str, Any]) -> tuple[list[RemoteTicket], int | None]:
    data = body(action, payload).obj("Data")
    return [ticket(row) for row in data.objects("List", required=False)], _total(data)


def ticket_templates(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[TicketTemplate], int | None]:
    data = body(action, payload).obj("Data")
    templates = [
        TicketTemplate(
            id=row.text("TemplateId"),
            name=row.opt_text("Name") or row.text("TemplateId"),
            raw=row.data,
        )
        for row in data.objects("List", required=False)
    ]
    return templates, _total(data)


def data_text(action: str, payload: Mapping[str, Any]) -> str:
    """Operations whose ``Data`` is a bare id (CreateTicket, AddTicketTask)."""
    value = body(action, payload).opt_text("Data")
    if value is None:
        raise ResponseFormatError(action, "Data", "missing")
    return value
