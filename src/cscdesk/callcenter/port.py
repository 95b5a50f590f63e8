"""The provider-neutral face of the cloud call system.

Everything above ``callcenter/`` speaks this Protocol and these models; only an adapter (today
``callcenter.aliyun``) knows a vendor's operation names and payloads. Models are frozen
dataclasses; ``raw`` keeps the vendor payload for audit and debugging, never for logic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")

Raw = Mapping[str, Any]


class AgentStatus(StrEnum):
    OFFLINE = "offline"
    READY = "ready"
    BREAK = "break"
    RINGING = "ringing"  # a call is offered to this agent
    TALKING = "talking"
    HOLDING = "holding"
    WORKING = "working"  # after-call work (wrap-up)
    OUTBOUND = "outbound"  # dialling out
    UNKNOWN = "unknown"  # the vendor sent a state word we do not know (logged once)


class CallState(StrEnum):
    OFFERED = "offered"  # ringing at the agent
    TALKING = "talking"
    HOLDING = "holding"
    CONSULTING = "consulting"  # attended transfer: talking to the transfer target
    CONFERENCE = "conference"  # three-way: the customer, this agent and the consulted colleague
    DIALING = "dialing"
    ENDED = "ended"
    UNKNOWN = "unknown"  # the vendor sent a channel state we do not know (logged once)


@dataclass(frozen=True, slots=True)
class Capabilities:
    push_events: bool
    max_page_size: int
    max_page_number: int
    cdr_lookback_days: int
    recording_url_ttl_seconds: int
    tickets: bool
    supervisor_actions: bool


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    latency_ms: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` is opaque and None on the last page."""

    items: list[T]
    next_cursor: str | None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class SkillGroupInfo:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str  # the vendor user id, e.g. "agent001@ccc-demo"
    login_name: str
    display_name: str
    role: str = "Agent"
    skill_groups: tuple[str, ...] = ()
    work_mode: str = "ON_SITE"
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    device_id: str | None = None  # the voice device registered for this user, if any
    device_online: bool | None = None  # its registration state; None when the vendor sent none


@dataclass(frozen=True, slots=True)
class QueueState:
    """Realtime state of one skill group."""

    skill_group_id: str
    skill_group_name: str
    waiting_calls: int
    longest_wait_seconds: float
    ready_agents: int
    talking_agents: int
    working_agents: int  # after-call work
    break_agents: int
    logged_in_agents: int
    raw: Raw = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AgentState:
    """Realtime state of one agent as a lead sees it."""

    agent_id: str
    agent_name: str
    status: AgentStatus
    state_since: datetime | None
    skill_groups: tuple[str, ...] = ()
    break_code: str | None = None
    contact_id: str | None = None
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    # a supervisor on the agent's call: "monitor", "coach" or "barge", and the supervisor's id
    supervision: str | None = None
    supervised_by: str | None = None


@dataclass(frozen=True, slots=True)
class OfferedCall:
    """The call in front of one agent: ringing, talking, on hold or consulting."""

    job_id: str  # the vendor's job / contact id of the current leg
    contact_id: str
    caller: str  # ANI; the number screen pop looks up
    callee: str
    skill_group_id: str | None
    state: CallState
    since: datetime | None
    variables: Mapping[str, str] = field(default_factory=dict)
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    muted: bool = False  # this agent's voice is muted: the customer does not hear them
    consulted: str | None = None  # the colleague (user id) in a consult or conference
    customer_leg: str | None = None  # the vendor's id of the customer's leg (keypad tones go there)


@dataclass(frozen=True, slots=True)
class AgentSession:
    """What ``poll_agent_session`` returns: the agent's own state and current call.

    ``state_since`` is when this client first saw the current status (the vendor's poll carries no
    state time); ``device_id`` is the voice device the agent is registered with (SIP phone or
    WebRTC softphone), None when no device is registered, so answering cannot work;
    ``work_mode`` is the vendor's work mode (``ON_SITE``, ``OFF_SITE``, ``OFFICE_PHONE``).
    """

    agent_id: str
    status: AgentStatus
    state_since: datetime | None
    signed_in_groups: tuple[str, ...]
    call: OfferedCall | None
    break_code: str | None = None
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    device_id: str | None = None
    work_mode: str | None = None


@dataclass(frozen=True, slots=True)
class RealtimeMetrics:
    """Instance-wide realtime figures (GetRealtimeInstanceStates)."""

    waiting_calls: int
    longest_wait_seconds: float
    logged_in_agents: int
    ready_agents: int
    talking_agents: int
    working_agents: int
    break_agents: int
    raw: Raw = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SummaryReport:
    """Since-midnight or per-interval counters for one skill group or one agent.

    ``subject_id`` is a skill group id or an agent id; ``interval_start`` is None for
    since-midnight reports. Durations are totals in seconds so that averages can be recomputed.
    ``service_level_known`` is False when the vendor's report has no service-level figure (the
    historical agent report has none at 20 s): ``answered_within_threshold`` is then 0, not a
    measurement.
    """

    subject_id: str
    subject_name: str
    interval_start: datetime | None
    offered: int  # 人工请求量: calls that asked for an agent
    answered: int
    abandoned: int
    short_abandoned: int
    answered_within_threshold: int
    threshold_seconds: float
    total_wait_seconds_answered: float  # for ASA
    total_talk_seconds: float
    total_hold_seconds: float
    total_work_seconds: float  # after-call work
    total_ready_seconds: float = 0.0  # agents only: available idle time, for occupancy
    satisfaction_surveyed: int = 0
    satisfaction_satisfied: int = 0
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    service_level_known: bool = True


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One CDR, normalised. Times are timezone-aware."""

    contact_id: str
    direction: str  # "inbound" / "outbound"
    caller: str
    callee: str
    start_time: datetime
    established_time: datetime | None
    release_time: datetime | None
    skill_group_id: str | None
    agent_ids: tuple[str, ...]
    queue_wait_seconds: float | None  # None when the call never queued for an agent
    ring_seconds: float
    talk_seconds: float
    hold_seconds: float
    work_seconds: float
    outcome: str  # answered / abandoned / timeout / ivr_only (domain.CallOutcome values)
    release_initiator: str | None
    recording_available: bool
    satisfaction: int | None
    transferred_to: str | None = None
    raw: Raw = field(default_factory=dict, compare=False, repr=False)
    # where an unanswered inbound call was lost (domain.missed_calls.MissedStage values), when
    # the vendor says so; None otherwise
    missed_stage: str | None = None


@dataclass(frozen=True, slots=True)
class RecordingLocator:
    contact_id: str
    file_name: str
    url: str | None  # None while archived (needs restore first)
    expires_at: datetime | None
    archived: bool
    duration_seconds: float
    raw: Raw = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TicketTemplate:
    id: str
    name: str
    raw: Raw = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RemoteTicket:
    """A ticket as the call system keeps it. ``context`` carries our fields as a JSON object."""

    ticket_id: str
    title: str
    state: str
    context: Mapping[str, Any]
    customer_id: str | None
    contact_id: str | None
    template_id: str | None
    creator_id: str | None
    created_at: datetime | None
    updated_at: datetime | None
    version: int | None = None
    raw: Raw = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TicketDraft:
    title: str
    context: Mapping[str, Any]
    template_id: str | None = None
    customer_id: str | None = None
    contact_id: str | None = None
    source: str = "cscdesk"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """A change pushed (or synthesised by polling) for one agent."""

    kind: str  # offered / answered / released / state
    session: AgentSession
    at: datetime


class CallCenterPort(Protocol):
    """What cscdesk needs of any cloud call system."""

    def capabilities(self) -> Capabilities: ...

    async def health(self) -> Health: ...

    # directory
    async def list_skill_groups(self) -> list[SkillGroupInfo]: ...
    async def list_users(self) -> list[UserInfo]: ...
    async def get_user(self, user_id: str) -> UserInfo: ...

    # agent state and the agent's own call (screen pop)
    async def sign_in(
        self, agent_id: str, skill_groups: Sequence[str], device_id: str
    ) -> AgentSession:
        """Sign in to the skill groups on the voice device ``device_id`` (SIP desk phone or
        softphone; the mobile in off-site mode). Returns the agent's state after sign-in, naming
        the device and work mode; ``NoVoiceDeviceError`` when that device is not registered."""
        ...

    async def sign_out(self, agent_id: str, device_id: str) -> None: ...
    async def ready(self, agent_id: str, device_id: str) -> None: ...
    async def take_break(self, agent_id: str, device_id: str, code: str) -> None: ...
    async def poll_agent_session(self, agent_id: str, device_id: str) -> AgentSession: ...

    # call control
    async def answer(self, agent_id: str, device_id: str, job_id: str) -> None: ...
    async def release(self, agent_id: str, device_id: str, job_id: str) -> None: ...
    async def hold(self, agent_id: str, device_id: str, job_id: str, leg_id: str) -> None:
        """Put the leg ``leg_id`` on hold (the desk holds the customer's leg)."""
        ...

    async def retrieve(self, agent_id: str, device_id: str, job_id: str, leg_id: str) -> None:
        """Take the held leg ``leg_id`` back."""
        ...

    async def blind_transfer(
        self, agent_id: str, device_id: str, job_id: str, target: str, target_type: str
    ) -> None: ...
    async def start_attended_transfer(
        self, agent_id: str, device_id: str, job_id: str, target: str, target_type: str
    ) -> None: ...
    async def complete_attended_transfer(
        self, agent_id: str, device_id: str, job_id: str
    ) -> None: ...
    async def cancel_attended_transfer(
        self, agent_id: str, device_id: str, job_id: str
    ) -> None: ...
    async def make_call(self, agent_id: str, device_id: str, callee: str) -> str: ...
    async def mute(self, agent_id: str, device_id: str, job_id: str) -> None: ...
    async def unmute(self, agent_id: str, device_id: str, job_id: str) -> None: ...
    async def send_dtmf(
        self, agent_id: str, device_id: str, job_id: str, leg_id: str, digits: str
    ) -> None:
        """Keypad tones on the customer's leg ``leg_id`` (an IVR asking for a choice)."""
        ...

    async def start_conference(self, agent_id: str, device_id: str, job_id: str) -> None:
        """During a consult: the customer, this agent and the consulted colleague all talk."""
        ...

    async def leave_conference(self, agent_id: str, device_id: str, job_id: str) -> None:
        """This agent leaves a conference; the colleague keeps the customer."""
        ...

    # team lead
    async def list_queue_states(
        self, skill_group_ids: Sequence[str] | None = None
    ) -> list[QueueState]: ...
    async def list_agent_states(self, skill_group_id: str | None = None) -> list[AgentState]: ...
    async def get_realtime_metrics(self) -> RealtimeMetrics: ...
    async def skill_group_reports_since_midnight(self) -> list[SummaryReport]: ...
    async def agent_reports_since_midnight(self) -> list[SummaryReport]: ...
    async def skill_group_interval_reports(
        self, skill_group_id: str, start: datetime, end: datetime, interval_minutes: int
    ) -> list[SummaryReport]: ...
    async def monitor(self, supervisor_id: str, device_id: str, agent_id: str) -> None: ...
    async def coach(self, supervisor_id: str, device_id: str, agent_id: str) -> None: ...
    async def barge_in(self, supervisor_id: str, device_id: str, agent_id: str) -> None: ...
    async def stop_supervising(self, supervisor_id: str, device_id: str) -> None: ...
    async def reset_agent_state(self, agent_id: str) -> None: ...

    # tickets
    async def list_ticket_templates(self) -> list[TicketTemplate]: ...
    async def create_ticket(self, draft: TicketDraft) -> RemoteTicket: ...
    async def update_ticket(
        self, ticket_id: str, *, title: str | None, context: Mapping[str, Any] | None
    ) -> None: ...
    async def get_ticket(self, ticket_id: str) -> RemoteTicket: ...
    async def list_tickets(
        self, *, updated_since: datetime | None, cursor: str | None = None
    ) -> Page[RemoteTicket]: ...
    async def add_ticket_task(
        self, ticket_id: str, assignee: str, note: str, task_id: str | None = None
    ) -> str: ...
    async def finish_ticket_task(self, ticket_id: str, task_id: str, note: str) -> None: ...
    async def transfer_ticket_task(self, ticket_id: str, task_id: str, assignee: str) -> None: ...
    async def terminate_ticket(self, ticket_id: str, reason: str) -> None: ...

    # archive: CDRs and recordings
    async def list_call_records(
        self, start: datetime, end: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Page[CallRecord]: ...
    async def get_call_record(self, contact_id: str) -> CallRecord: ...
    async def get_recording(self, contact_id: str, expire_seconds: int) -> RecordingLocator: ...
    async def list_recordings(
        self, start: datetime, end: datetime, cursor: str | None = None
    ) -> Page[RecordingLocator]: ...
    async def restore_recordings(self, contact_ids: Sequence[str]) -> None: ...
    def download(self, locator: RecordingLocator) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...
