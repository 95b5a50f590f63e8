"""The simulator's own call and agent records, and their view as domain ``Call`` objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cscdesk.domain.models import Agent, CallDirection, CallOutcome
from cscdesk.domain.models import Call as DomainCall


class UserState(StrEnum):
    """CCC user states as PollUserStatus reports them."""

    OFFLINE = "OFFLINE"
    READY = "READY"
    BREAK = "BREAK"
    CALLING = "CALLING"  # ringing (inbound offer) or dialling (outbound)
    TALKING = "TALKING"
    WORKING = "WORKING"  # after-call work (话后处理)


@dataclass(slots=True)
class AgentRuntime:
    """One agent's live state; ``human`` agents move only on API calls."""

    agent: Agent
    human: bool
    state: UserState = UserState.OFFLINE
    state_since: float = 0.0
    idle_since: float = 0.0
    break_code: str = ""
    signed_groups: tuple[str, ...] = ()
    device_id: str = ""  # the voice device the agent signed in with (SignInGroup DeviceId)
    # whether that device (SIP phone, WebRTC softphone, or the mobile in OFF_SITE mode) is
    # registered; "同一时间只允许一种设备注册" (SignInGroup page 439627)
    device_online: bool = True
    work_mode: str = "ON_SITE"  # ON_SITE / OFF_SITE / OFFICE_PHONE (SignInGroup page 439627)
    call: CallRuntime | None = None  # offered, active or in wrap-up
    consult: CallRuntime | None = None  # attended-transfer consult the agent is serving
    offer_token: int = 0
    reserved_at: float | None = None  # last time a call was reserved for (offered to) this agent
    # a supervisor's leg on another agent's call (MonitorCall / CoachCall / BargeInCall):
    # whom they watch, how (MONITOR, COACH, BARGE), and the state to go back to on ReleaseCall
    supervising: str = ""
    supervision_mode: str = ""
    state_before_supervision: UserState | None = None


@dataclass(slots=True)
class CallRuntime:
    """One contact from arrival to release; becomes a CDR when it ends."""

    contact_id: str
    direction: CallDirection
    caller: str
    callee: str
    started_at: float
    skill_group: str | None = None
    groups: list[str] = field(default_factory=list)
    queued_at: float | None = None
    offered_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    agent_ids: list[str] = field(default_factory=list)
    current_agent: str | None = None
    ring_seconds: float = 0.0
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    hold_started: float | None = None
    acw_seconds: float = 0.0
    transfers_blind: int = 0
    transfers_attended: int = 0
    outcome: CallOutcome | None = None
    release_initiator: str = ""
    recorded: bool = False
    satisfaction: int | None = None
    wrap_up_code: str | None = None
    talk_started: float | None = None
    consult_agent: str | None = None
    conference: bool = False  # SwitchToConference: customer, agent and consulted colleague talk
    muted: set[str] = field(default_factory=set)  # agents whose channel is muted (MuteCall)
    digits: list[str] = field(default_factory=list)  # DTMF sent to the customer's channel
    token: int = 0  # bumped whenever a scheduled event about this call becomes stale
    preferred_agent: str | None = None
    serial_open_at: float | None = None  # serial groups: when seconded agents may take it
    voicemail: bool = False  # the caller was sent to voicemail (ContactDisposition Voicemail)
    events: list[tuple[float, str, str]] = field(default_factory=list)  # (t, who, event)
    supervisors: dict[str, str] = field(default_factory=dict)  # supervisor id → mode

    @property
    def wait_seconds(self) -> float | None:
        if self.queued_at is None:
            return None
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return None if end is None else max(0.0, end - self.queued_at)

    @property
    def transfer_count(self) -> int:
        return self.transfers_blind + self.transfers_attended


def to_domain_call(call: CallRuntime, at: Callable[[float], datetime]) -> DomainCall:
    """The CDR as the domain indicators read it; ``at`` maps sim seconds to datetimes."""

    def when(seconds: float | None) -> datetime | None:
        return None if seconds is None else at(seconds)

    return DomainCall(
        contact_id=call.contact_id,
        direction=call.direction,
        caller=call.caller,
        callee=call.callee,
        started_at=at(call.started_at),
        outcome=call.outcome or CallOutcome.ABANDONED,
        skill_group=call.skill_group,
        agent_id=call.agent_ids[0] if call.agent_ids else None,
        queued_at=when(call.queued_at),
        answered_at=when(call.answered_at),
        ended_at=when(call.ended_at),
        talk_seconds=call.talk_seconds,
        hold_seconds=call.hold_seconds,
        acw_seconds=call.acw_seconds,
        wrap_up_code=call.wrap_up_code,
        transferred_to=call.groups[-1] if call.transfer_count and call.groups else None,
        recorded=call.recorded,
        satisfaction=call.satisfaction,
    )
