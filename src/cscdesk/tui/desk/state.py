"""What the agent desk holds between messages, and the pure helpers its parts share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cscdesk.callcenter.port import (
    AgentSession,
    AgentStatus,
    CallState,
    OfferedCall,
    QueueState,
    SkillGroupInfo,
    UserInfo,
)
from cscdesk.domain.models import Member, Ticket
from cscdesk.tui.i18n import current_language
from cscdesk.tui.messages import ProfileData
from cscdesk.tui.widgets.status_bar import StatusFacts

WIDE_COLUMNS = 120
QUEUE_POLL_FACTOR = 3  # queues are polled every third session poll
RECORDING_URL_SECONDS = 600
IN_CALL = {AgentStatus.RINGING, AgentStatus.TALKING, AgentStatus.HOLDING, AgentStatus.OUTBOUND}


@dataclass
class DeskState:
    """Everything the screen shows; only message handlers change it."""

    session: AgentSession | None = None
    me: UserInfo | None = None
    groups: dict[str, SkillGroupInfo] = field(default_factory=dict)
    users: list[UserInfo] = field(default_factory=list)
    queues: list[QueueState] = field(default_factory=list)
    facts: StatusFacts = field(default_factory=StatusFacts)
    offered_job: str | None = None
    last_call: OfferedCall | None = None
    wrapped_contact: str | None = None
    member: Member | None = None
    profile: ProfileData | None = None
    lookup_id: int = 0
    results: list[Any] = field(default_factory=list)
    pending_insurers: list[str] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    current_ticket: str | None = None
    selected_policy: tuple[str, str] | None = None  # (insurer id, policy no.)
    selected_claim: tuple[str, str] | None = None  # (insurer id, claim no.)
    banner: str = ""
    banner_kind: str = ""
    consulting: bool = False  # an attended transfer is waiting to be completed or cancelled
    in_flight: str | None = None  # the call action sent and not yet seen in a session poll
    in_flight_at: float = 0.0  # monotonic time it was sent (a stuck one stops blocking)
    settle_after: float | None = None  # it finished: the first poll started after this shows it
    deferred: tuple[str, Any] | None = None  # a step the desk takes itself, waiting its turn
    call_marks: CallMarks = field(default_factory=lambda: CallMarks())
    acw_contact: str | None = None  # the call whose after-call work began at ``acw_since``
    acw_since: datetime | None = None
    after_wrap_up: str | None = None  # the break reason to take after wrap-up (None: Ready)
    call_tickets: dict[str, str] = field(default_factory=dict)  # contact id → ticket id made here


@dataclass
class CallMarks:
    """When the desk first saw the current call talking and on hold (the call system's poll
    carries no such times): the call timer and the hold timer."""

    job_id: str | None = None
    talk_since: datetime | None = None
    hold_since: datetime | None = None

    def track(self, call: OfferedCall | None, now: datetime) -> None:
        if call is None or call.job_id != self.job_id:
            self.job_id = call.job_id if call else None
            self.talk_since = self.hold_since = None
        if call is None:
            return
        if self.talk_since is None and call.state is not CallState.OFFERED:
            self.talk_since = now
        if call.state is CallState.HOLDING:
            self.hold_since = self.hold_since or now
        else:
            self.hold_since = None


@dataclass(frozen=True, slots=True)
class SessionChange:
    """What one session poll means for the desk, decided without touching a widget."""

    call: OfferedCall | None  # the call on screen (None in wrap-up and between calls)
    last_call: OfferedCall | None  # the call a wrap-up or a ticket refers to
    newly_offered: OfferedCall | None  # ringing now and not seen ringing before: screen pop
    ringing: bool  # the offered banner stays only while the call rings
    start_wrap_up: bool  # the call just ended into wrap-up and nobody wrapped it up yet


def track_session(previous: AgentSession | None, session: AgentSession, *,
                  last_call: OfferedCall | None, offered_job: str | None,
                  wrapped_contact: str | None) -> SessionChange:  # fmt: skip
    """The session tracker: the previous state and a poll give the change to act on.

    A call counts as offered once per job (a slow poll must not pop the profile twice); the
    wrap-up dialog opens when the agent goes from a call (or from nothing, after a restart)
    into WORKING for a contact not wrapped up yet.
    """
    call = session.call if session.status is not AgentStatus.WORKING else None
    if call is not None:
        last_call = call
    offered = call is not None and call.state is CallState.OFFERED
    newly = call if offered and call is not None and call.job_id != offered_job else None
    was_in_call = previous is not None and previous.status in IN_CALL
    wrap = (
        session.status is AgentStatus.WORKING
        and last_call is not None
        and wrapped_contact != last_call.contact_id
        and (was_in_call or previous is None or previous.status is AgentStatus.WORKING)
    )
    return SessionChange(call, last_call, newly, offered, wrap)


def english() -> bool:
    return current_language() != "zh_CN"


def local_results(profile: ProfileData, insurer_name: Any) -> list[Any]:
    """Without an insurer gateway: the broker's own placement data, marked as such."""
    from cscdesk.insurers.port import InsurerResult

    by_insurer: dict[str, tuple[list[Any], list[Any]]] = {}
    for policy in profile.local_policies:
        by_insurer.setdefault(policy.insurer_id, ([], []))[0].append(policy)
    for claim in profile.local_claims:
        by_insurer.setdefault(claim.insurer_id, ([], []))[1].append(claim)
    return [
        InsurerResult(
            insurer_id=i,
            insurer_name=insurer_name(i),
            policies=tuple(p),
            claims=tuple(c),
            source="batch",
            stale=True,
        )
        for i, (p, c) in sorted(by_insurer.items())
    ]
