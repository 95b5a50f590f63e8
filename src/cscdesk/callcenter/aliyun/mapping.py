"""CCC 2020-07-01 payloads → the port's neutral models.

Field names and nesting are the official SDK's (``alibabacloud_ccc20200701.models``). Every mapper
reads through ``Reader``, so a field that is missing or of the wrong type raises
``ResponseFormatError`` naming the operation and the field path (``Data.List[3].StartTime``) — never
a KeyError or TypeError deep in the desk. Epoch times on the wire are milliseconds; durations in
CDRs and reports are seconds (the SDK declares them as integers); recording ``Duration`` is
milliseconds (GetMonoRecording / ListMonoRecordings SDK models; a string in ListMonoRecordings).
Enumeration words come from ``vocab``: an undocumented word maps to an explicit unknown state,
logged once, and never fails a listing or a poll.

How a CDR (``ListCallDetailRecordsV2`` row) becomes a ``CallRecord``:

* ``direction``: ``ContactType`` through ``vocab.CONTACT_TYPE`` (``INBOUND`` → inbound; outbound,
  two-way, predictive, privacy, internal and conference calls → outbound; unknown → inbound, logged).
* ``outcome`` (``domain.CallOutcome``): from ``ContactDisposition`` where the documented word says
  it (``vocab.CONTACT_DISPOSITION``: ``AbandonedInQueue``/``AbandonedInRing`` → abandoned,
  ``AbandonedInIVR``/``AbandonedInVoiceNavigator``/``IVRException`` → ivr_only, ``Queuing*``,
  ``Voicemail``, ``NoAnswer``, ``Reject`` → timeout); otherwise (``Success``,
  ``ForwardToOutsideNumber``, unknown words) derived, in this order:
  1. ``answered`` — ``EstablishedTime`` is set (> 0) and ``AgentIds`` is not empty;
  2. ``ivr_only`` — no ``SkillGroupIds`` and no positive ``QueueTime``: never asked for an agent;
  3. ``abandoned`` — ``ReleaseInitiator`` is the caller (the ``CallingNumber`` of an inbound call,
     or the word ``customer``/``caller``): the caller hung up while queued or ringing;
  4. ``timeout`` — otherwise: the system released it (queue timeout, overflow, no agent).
* ``queue_wait_seconds``: ``QueueTime`` (0 when absent) unless the outcome is ``ivr_only`` (None).
* ``ring/talk/hold_seconds``: ``RingTime``/``TalkTime``/``HeldTime``; ``work_seconds`` is 0 because
  the CDR has no after-call-work field (wrap-up totals come from the summary reports).
* ``satisfaction``: the CDR's ``SatisfactionIndex`` (the keypad digit) when present, else None;
  ``recording_available``:
  ``RecordingReady``; ``transferred_to``: the last of several ``AgentIds`` (``TransferCount`` > 0).

``GetCallDetailRecord`` has no duration columns, only event sequences, so its record derives queue
wait from the span of ``QueueEvents`` times and talk time from ``ReleaseTime - EstablishedTime``;
ring and hold are 0 there. The archive uses the list operation, which carries the full figures.

Reports (``ListHistoricalSkillGroupReport`` page 439666, ``ListHistoricalAgentReport`` page 439665,
``ListIntervalSkillGroupReport`` page 223973): ``offered/answered/abandoned`` are
``CallsOffered/CallsHandled/CallsAbandoned``. Service level exists only at 20 s: in the skill-group
reports ``ServiceLevel20`` is a fraction of ``CallsQueued`` (SDK: "calls waiting ≤ 20 s /
CallsQueued"), so answered within 20 s = ``ServiceLevel20`` × ``CallsQueued``; the historical agent
report has no 20 s figure (``service_level_known`` False). No short-abandon count (0: the desk's
indicator functions over archived CDRs compute the configured variants). ``SatisfactionIndex`` is
the average keypad digit (e.g. 4.2), not a ratio; satisfied = ``SatisfactionRate`` (satisfied ÷
responded) × ``SatisfactionSurveysResponded``. The deprecated since-midnight summaries (pages 92432,
92442, "仅对特定用户开放") are still readable here; there the agent ``ServiceLevel20`` is percent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cscdesk.callcenter.aliyun import vocab
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
from cscdesk.domain.missed_calls import DISPOSITION_STAGES

SERVICE_LEVEL_SECONDS = 20.0

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


def _status(reader: Reader, key: str, table: Mapping[str, AgentStatus]) -> AgentStatus:
    """A documented state word → neutral status; any other word → UNKNOWN, logged once."""
    word = reader.text(key)
    return vocab.lookup(table, word, AgentStatus.UNKNOWN, f"{reader.action} {key}")


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
        device_id=_device_id(row),
        device_online=_device_online(row),
    )


def _device_online(row: Reader) -> bool | None:
    """ListUsers ``DeviceState`` (page 439590 shows ``OFFLINE``; ``ONLINE`` is the other state in
    the SignInGroup error text "设备状态(OFFLINE)与期望状态(ONLINE)不符"); None when not sent."""
    state = (row.opt_text("DeviceState") or "").upper()
    if not state:
        return None
    if state not in ("ONLINE", "OFFLINE"):
        vocab.note_unknown(f"{row.action} DeviceState", state)
    return state == "ONLINE"


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
    """CallVariables: ``;``-separated ``key=value`` pairs (the PollUserStatus example shows
    ``"a=b;c=d"``, page 439618). A JSON object is accepted too (undocumented, seen in our own
    older simulator); anything else gives no variables rather than failing the screen pop."""
    text = reader.opt_text(key)
    if not text:
        return {}
    if text.lstrip().startswith("{"):
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            return {}
        if isinstance(decoded, dict):
            return {
                str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for k, v in decoded.items()
            }
        return {}
    pairs = (part.split("=", 1) for part in text.split(";") if "=" in part)
    return {name.strip(): value.strip() for name, value in pairs if name.strip()}


def _flags(channel: Reader) -> frozenset[str]:
    """ChannelFlags as a set (one flag in the example; a list is assumed comma-separated)."""
    text = (channel.opt_text("ChannelFlags") or "").upper()
    flags = frozenset(part.strip() for part in text.replace(";", ",").split(",") if part.strip())
    for flag in flags - vocab.CHANNEL_FLAGS:
        vocab.note_unknown(f"{channel.action} ChannelFlags", flag)
    return flags


def _offered_call(context: Reader, agent_id: str) -> OfferedCall | None:
    """The agent's own channel of the call, read as the documentation describes it.

    Not answered yet (``NONE``/``CREATED``/``EARLY_MEDIA``/``RINGING``): an offer on an inbound
    or transferred call, our own dialling on an outbound one. Answered: talking, or holding when
    any channel carries the ``HOLD`` flag, or consulting when the call type is ``CONSULTANT``;
    an answered agent leg of an outbound call whose customer leg is not answered is still
    dialling. ``RELEASED``/``RETIRED`` end it.
    """
    job_id = context.opt_text("JobId")
    channels = context.objects("ChannelContexts", required=False)
    if job_id is None or not channels:
        return None
    mine = next((c for c in channels if c.opt_text("UserId") == agent_id), channels[-1])
    customer = next((c for c in channels if not c.opt_text("UserId")), None)
    other = customer or next((c for c in channels if c is not mine), mine)
    word = mine.text("ChannelState").upper()
    state = vocab.lookup(
        vocab.CHANNEL_STATE, word, CallState.UNKNOWN, f"{context.action} ChannelState"
    )
    call_type = (context.opt_text("CallType") or mine.opt_text("CallType") or "").upper()
    if call_type and call_type not in vocab.CALL_TYPES:
        vocab.note_unknown(f"{context.action} CallType", call_type)
    dialling_out = call_type in vocab.OUR_OWN_DIALLING
    colleague = _colleague(channels, mine)
    if word in vocab.NOT_ANSWERED_YET:
        state = CallState.DIALING if dialling_out else CallState.OFFERED
    elif state is CallState.TALKING:
        other_word = (other.opt_text("ChannelState") or "").upper()
        if call_type == "CONFERENCE":
            state = CallState.CONFERENCE
        elif colleague is not None or call_type == "CONSULTANT":
            state = CallState.CONSULTING
        elif any("HOLD" in _flags(c) for c in channels):
            state = CallState.HOLDING
        elif dialling_out and other is not mine and other_word in vocab.NOT_ANSWERED_YET:
            state = CallState.DIALING
    return OfferedCall(
        job_id=job_id,
        contact_id=job_id,
        caller=other.opt_text("Originator") or "",
        callee=other.opt_text("Destination") or "",
        skill_group_id=mine.opt_text("SkillGroupId") or other.opt_text("SkillGroupId"),
        state=state,
        since=mine.ms_time("Timestamp"),
        variables=_variables(context, "CallVariables"),
        raw=context.data,
        muted="MUTED" in _flags(mine),
        consulted=colleague.opt_text("UserId") if colleague is not None else None,
        customer_leg=customer.opt_text("ChannelId") if customer is not None else None,
    )


SUPERVISING = frozenset({"MONITORING", "COACHING"})
SUPERVISOR_CALL_TYPES = frozenset({"MONITOR", "COACH", "BARGE", "INTERCEPT"})


def _colleague(channels: list[Reader], mine: Reader) -> Reader | None:
    """Another agent's live channel on this call: the colleague consulted (or the one who
    consults us). A lead listening in or coaching carries MONITORING / COACHING and is not one.
    UNVERIFIED: no page shows a consult's ChannelContexts; it is read as one more channel of the
    same job (CompleteAttendedTransfer names only the JobId)."""
    for channel in channels:
        user = channel.opt_text("UserId")
        if not user or channel is mine or _flags(channel) & SUPERVISING:
            continue
        if (channel.opt_text("CallType") or "").upper() in SUPERVISOR_CALL_TYPES:
            continue  # a lead barging in carries no flag, but its channel's CallType says so
        if (channel.opt_text("ChannelState") or "").upper() in vocab.GONE:
            continue
        return channel
    return None


def agent_session(action: str, payload: Mapping[str, Any], agent_id: str) -> AgentSession:
    """``PollUserStatus`` → ``Data.UserContext`` and ``Data.CallContext`` (page 439618)."""
    data = body(action, payload).obj("Data")
    context = data.opt_obj("CallContext")
    call = _offered_call(context, agent_id) if context is not None else None
    if call is not None and call.state is CallState.ENDED:
        call = None
    return _session(data.obj("UserContext"), call, agent_id, raw=data.data)


def supervised_job(action: str, payload: Mapping[str, Any]) -> str:
    """The JobId of the call a MonitorCall / CoachCall / BargeInCall reply puts the supervisor on."""
    return body(action, payload).obj("Data").obj("CallContext").text("JobId")


def signed_in(action: str, payload: Mapping[str, Any], agent_id: str) -> AgentSession:
    """``SignInGroup`` (page 439627): ``Data`` is the user context itself, naming the device the
    agent signed in with and the work mode."""
    data = body(action, payload).obj("Data")
    return _session(data, None, agent_id, raw=data.data)


def _session(
    user_context: Reader, call: OfferedCall | None, agent_id: str, *, raw: Mapping[str, Any]
) -> AgentSession:
    status = _status(user_context, "UserState", vocab.USER_STATE)
    if call is not None and status is AgentStatus.TALKING and call.state is CallState.HOLDING:
        status = AgentStatus.HOLDING
    work_mode = user_context.opt_text("WorkMode")
    if work_mode and work_mode not in vocab.WORK_MODES:
        vocab.note_unknown(f"{user_context.action} WorkMode", work_mode)
    # ``Reserved`` is when the agent was last reserved for a call, not "in this state since"
    # (SDK doc comment); the poll carries no state time, so the adapter stamps first sight.
    return AgentSession(
        agent_id=user_context.opt_text("UserId") or agent_id,
        status=status,
        state_since=None,
        signed_in_groups=user_context.str_list("SignedSkillGroupIdList"),
        call=call,
        break_code=user_context.opt_text("BreakCode"),
        raw=raw,
        device_id=_device_id(user_context),
        work_mode=work_mode,
    )


def _device_id(reader: Reader) -> str | None:
    """``DeviceId`` of the registered voice device (SIP phone or WebRTC softphone; "同一时间只允许
    一种设备注册", page 439627); blank means none is registered. The SignInGroup example's value
    ends in a stray newline, so surrounding whitespace is dropped."""
    device = (reader.opt_text("DeviceId") or "").strip()
    return device or None


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
            # seconds: "当前最大排队等待时长,单位秒" (page 439677)
            longest_wait_seconds=row.number("LongestWaitingTime", 0.0),
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


# ListRealtimeAgentStates StateCode of a watched agent: "Monitored" is the example of page
# 439676 (with CounterParty the other party); Coached / Barged are read by analogy, UNVERIFIED.
_WATCHED = {"MONITORED": "monitor", "COACHED": "coach", "BARGED": "barge"}


def _watched(row: Reader) -> tuple[str | None, str | None]:
    mode = _WATCHED.get((row.opt_text("StateCode") or "").upper())
    return (mode, row.opt_text("CounterParty")) if mode else (None, None)


def agent_states(action: str, payload: Mapping[str, Any]) -> tuple[list[AgentState], int | None]:
    data = body(action, payload).obj("Data")
    states = [
        AgentState(
            agent_id=row.text("AgentId"),
            agent_name=row.opt_text("AgentName") or row.text("AgentId"),
            status=_status(row, "State", vocab.REALTIME_AGENT_STATE),
            state_since=row.ms_time("StateTime"),
            skill_groups=row.str_list("SkillGroupIdList"),
            break_code=row.opt_text("BreakCode"),
            contact_id=None,
            raw=row.data,
            supervision=_watched(row)[0],
            supervised_by=_watched(row)[1],
        )
        for row in data.objects("List", required=False)
    ]
    return states, _total(data)


def realtime_metrics(action: str, payload: Mapping[str, Any]) -> RealtimeMetrics:
    data = body(action, payload).obj("Data")
    return RealtimeMetrics(
        waiting_calls=data.integer("WaitingCalls"),
        # UNVERIFIED unit: page 439658 names none; read as seconds like ListRealtimeSkillGroupStates
        longest_wait_seconds=data.number("LongestWaitingTime", 0.0),
        logged_in_agents=data.integer("LoggedInAgents", 0),
        ready_agents=data.integer("ReadyAgents", 0),
        talking_agents=data.integer("TalkingAgents", 0),
        working_agents=data.integer("WorkingAgents", 0),
        break_agents=data.integer("BreakingAgents", 0),
        raw=data.data,
    )


def _satisfied(section: Reader) -> tuple[int, int]:
    """(responded, satisfied): ``SatisfactionRate`` is satisfied ÷ responded (SDK doc comment).

    ``SatisfactionIndex`` is the average keypad digit (e.g. 4.2) and says nothing about how many
    were satisfied, so it is not used here. UNVERIFIED: whether the rate is a fraction or a
    percent; a value above 1 is read as percent.
    """
    responded = section.integer("SatisfactionSurveysResponded", 0)
    rate = section.number("SatisfactionRate", 0.0)
    share = rate if rate <= 1.0 else rate / 100.0
    return responded, round(responded * min(max(share, 0.0), 1.0))


def skill_group_summaries(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SummaryReport], int | None]:
    paged = body(action, payload).obj("PagedSkillGroupSummaryReport")
    reports = [
        _skill_group_report(
            row,
            counts_default=None,  # required in the deprecated report
            within=lambda inbound: inbound.integer("CallsServiceLevel20", 0),
            wait_field="AnsweredByAgentOfQueueWaitTimeDuration",
            hold_field=None,
        )
        for row in paged.objects("List", required=False)
    ]
    return reports, _total(paged)


def _skill_group_report(
    row: Reader,
    *,
    counts_default: int | None,
    within: Callable[[Reader], int],
    wait_field: str,
    hold_field: str | None,
) -> SummaryReport:
    """One skill group's row of either report (the deprecated since-midnight one and
    ListHistoricalSkillGroupReport share the Inbound/Overall sections; they differ in the wait
    and hold fields, how the 20 s figure is given and whether the counts are optional)."""
    inbound = row.obj("Inbound")
    overall = row.opt_obj("Overall")
    surveyed, satisfied = _satisfied(inbound)
    return SummaryReport(
        subject_id=row.text("SkillGroupId"),
        subject_name=row.opt_text("SkillGroupName") or row.text("SkillGroupId"),
        interval_start=None,
        offered=inbound.integer("CallsOffered", counts_default),
        answered=inbound.integer("CallsHandled", counts_default),
        abandoned=inbound.integer("CallsAbandoned", counts_default),
        short_abandoned=0,
        answered_within_threshold=within(inbound),
        threshold_seconds=SERVICE_LEVEL_SECONDS,
        total_wait_seconds_answered=inbound.number(wait_field, 0.0),
        total_talk_seconds=inbound.number("TotalTalkTime", 0.0),
        total_hold_seconds=inbound.number(hold_field, 0.0) if hold_field else 0.0,
        total_work_seconds=inbound.number("TotalWorkTime", 0.0),
        total_ready_seconds=overall.number("TotalReadyTime", 0.0) if overall else 0.0,
        satisfaction_surveyed=surveyed,
        satisfaction_satisfied=satisfied,
        raw=row.data,
    )


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
                # percent in this deprecated report (SDK: "in percent (%)")
                answered_within_threshold=round(
                    inbound.number("ServiceLevel20", 0.0) / 100.0 * offered
                ),
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


def _within_20(inbound: Reader) -> int:
    """Calls answered within 20 s: ``ServiceLevel20`` × ``CallsQueued`` (skill-group reports).

    The SDK defines ServiceLevel20 as "calls with a wait ≤ 20 s / CallsQueued". UNVERIFIED: a
    fraction (0.85) or a percent (85); a value above 1 is read as percent.
    """
    level = inbound.number("ServiceLevel20", 0.0)
    share = level if level <= 1.0 else level / 100.0
    return round(share * inbound.integer("CallsQueued", 0))


def historical_skill_group_reports(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SummaryReport], int | None]:
    """``ListHistoricalSkillGroupReport`` (page 439666): ``Data.List[]`` per skill group."""
    data = body(action, payload).obj("Data")
    reports = [
        _skill_group_report(
            row,
            counts_default=0,
            within=_within_20,
            # TotalWaitTime / CallsHandled = AverageWaitTime (SDK): the answered calls' wait
            wait_field="TotalWaitTime",
            hold_field="TotalHoldTime",
        )
        for row in data.objects("List", required=False)
    ]
    return reports, _total(data)


def historical_agent_reports(
    action: str, payload: Mapping[str, Any]
) -> tuple[list[SummaryReport], int | None]:
    """``ListHistoricalAgentReport`` (page 439665): ``Data.List[]`` per agent.

    The agent's inbound section has ``ServiceLevel15`` but no 20 s figure, so the report says
    ``service_level_known=False``; abandoned is offered minus handled (rang here, not answered).
    """
    data = body(action, payload).obj("Data")
    reports = []
    for row in data.objects("List", required=False):
        inbound = row.obj("Inbound")
        overall = row.opt_obj("Overall")
        offered = inbound.integer("CallsOffered", 0)
        answered = inbound.integer("CallsHandled", 0)
        surveyed, satisfied = _satisfied(inbound)
        reports.append(
            SummaryReport(
                subject_id=row.text("AgentId"),
                subject_name=row.opt_text("AgentName") or row.text("AgentId"),
                interval_start=None,
                offered=offered,
                answered=answered,
                abandoned=max(offered - answered, 0),
                short_abandoned=0,
                answered_within_threshold=0,
                threshold_seconds=SERVICE_LEVEL_SECONDS,
                total_wait_seconds_answered=0.0,
                total_talk_seconds=inbound.number("TotalTalkTime", 0.0),
                total_hold_seconds=inbound.number("TotalHoldTime", 0.0),
                total_work_seconds=inbound.number("TotalWorkTime", 0.0),
                total_ready_seconds=overall.number("TotalReadyTime", 0.0) if overall else 0.0,
                satisfaction_surveyed=surveyed,
                satisfaction_satisfied=satisfied,
                raw=row.data,
                service_level_known=False,
            )
        )
    return reports, _total(data)


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
                answered_within_threshold=_within_20(inbound),
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


def _outcome(
    disposition: str | None,
    answered: bool,
    asked_for_agent: bool,
    initiator: str | None,
    caller: str,
    inbound: bool,
    action: str,
) -> str:
    known: str | None = None
    if disposition:
        known = vocab.lookup(
            vocab.CONTACT_DISPOSITION, disposition, None, f"{action} ContactDisposition"
        )
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


def _missed_stage(disposition: str | None) -> str | None:
    """Where the call was lost, from the documented ContactDisposition word (domain.missed_calls);
    None for ``Success``, outbound words and words the page does not list."""
    stage = DISPOSITION_STAGES.get(disposition or "")
    return None if stage is None else stage.value


def _direction(reader: Reader) -> str:
    word = (reader.opt_text("ContactType") or "INBOUND").upper()
    return vocab.lookup(vocab.CONTACT_TYPE, word, "inbound", f"{reader.action} ContactType")


def call_record(row: Reader) -> CallRecord:
    """One ``ListCallDetailRecordsV2`` row (see the module docstring for the derivations)."""
    inbound = _direction(row) == "inbound"
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
        row.action,
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
        missed_stage=_missed_stage(row.opt_text("ContactDisposition")),
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
    inbound = _direction(data) == "inbound"
    caller = data.opt_text("CallingNumber") or ""
    agents = data.str_list("AgentIds")
    groups = data.str_list("SkillGroupIds")
    established = data.ms_time("EstablishedTime")
    released = data.ms_time("ReleaseTime")
    # the SDK names it QueueEvents; an earlier revision of the page's example CdrQueueEvents
    queue_events = data.objects("QueueEvents", required=False) or data.objects(
        "CdrQueueEvents", required=False
    )
    queue_wait = _event_span_seconds(queue_events)
    asked = bool(groups) or queue_wait is not None
    initiator = data.opt_text("ReleaseInitiator")
    outcome = _outcome(
        data.opt_text("ContactDisposition"),
        established is not None and bool(agents),
        asked,
        initiator,
        caller,
        inbound,
        data.action,
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
        missed_stage=_missed_stage(data.opt_text("ContactDisposition")),
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
        duration_seconds=data.number("Duration", 0.0) / 1000,  # milliseconds (SDK doc comment)
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
                # milliseconds, sent as a string here (SDK: ``duration: str``)
                duration_seconds=row.number("Duration", 0.0) / 1000,
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
    """A ticket; ``State`` is Processing / Withdrawal / Rejected / Closed (GetTicket page),
    kept as the vendor's word (the desk shows it), an undocumented one logged once."""
    version = row.opt_text("TemplateVersion")
    state = row.opt_text("State") or ""
    if state and state not in vocab.TICKET_STATES:
        vocab.note_unknown(f"{row.action} State", state)
    return RemoteTicket(
        ticket_id=row.text("TicketId"),
        title=row.opt_text("Title") or "",
        state=state,
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


def current_task_id(action: str, payload: Mapping[str, Any]) -> str:
    """``GetTicket`` → ``Data.CurrentTaskId``: the task a signer is added to."""
    task = body(action, payload).obj("Data").opt_text("CurrentTaskId")
    if task is None:
        raise ResponseFormatError(
            action, "Data.CurrentTaskId", "missing: the ticket has no open task"
        )
    return task


def data_text(action: str, payload: Mapping[str, Any]) -> str:
    """Operations whose ``Data`` is a bare id (CreateTicket, AddTicketTask)."""
    value = body(action, payload).opt_text("Data")
    if value is None:
        raise ResponseFormatError(action, "Data", "missing")
    return value
