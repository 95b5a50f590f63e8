"""Messages workers post to the agent screen; only their handlers change state and widgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from cscdesk.callcenter.port import AgentSession, QueueState, SkillGroupInfo, UserInfo


class SessionPolled(Message):
    """One successful PollUserStatus round trip."""

    def __init__(self, session: AgentSession, latency_ms: float) -> None:
        super().__init__()
        self.session = session
        self.latency_ms = latency_ms
        self.sent: float | None = None  # monotonic time the poll was sent (None: unknown)


class PollFailed(Message):
    """A poll that did not come back; ``offline`` when the call system could not be reached."""

    def __init__(self, reason: str, offline: bool) -> None:
        super().__init__()
        self.reason = reason
        self.offline = offline


class QueuesPolled(Message):
    def __init__(self, queues: list[QueueState]) -> None:
        super().__init__()
        self.queues = queues


class DirectoryLoaded(Message):
    """Who this desk is and which skill groups and colleagues it can use."""

    def __init__(self, me: UserInfo, groups: list[SkillGroupInfo], users: list[UserInfo]) -> None:
        super().__init__()
        self.me = me
        self.groups = groups
        self.users = users


class CallActionDone(Message):
    """A call-control or state request finished; ``error`` is the notice to show when it failed."""

    def __init__(self, action: str, error: str | None = None, offline: bool = False) -> None:
        super().__init__()
        self.action = action
        self.error = error
        self.offline = offline


class MembersFound(Message):
    """Members matching a caller number (screen pop) or a search."""

    def __init__(self, purpose: str, members: list[Any], query: str) -> None:
        super().__init__()
        self.purpose = purpose  # "pop" or "search"
        self.members = members
        self.query = query


@dataclass(frozen=True, slots=True)
class ProfileData:
    member: Any
    employer_name: str | None
    main_member: Any | None
    dependants: list[Any]
    timeline: list[Any]
    local_policies: list[Any]
    local_claims: list[Any]


class ProfileLoaded(Message):
    def __init__(self, profile: ProfileData) -> None:
        super().__init__()
        self.profile = profile


class InsurerAnswered(Message):
    """One insurer's result for the member on screen (``lookup_id`` drops stale ones)."""

    def __init__(self, lookup_id: int, result: Any) -> None:
        super().__init__()
        self.lookup_id = lookup_id
        self.result = result


class LookupFinished(Message):
    def __init__(self, lookup_id: int, error: str | None = None) -> None:
        super().__init__()
        self.lookup_id = lookup_id
        self.error = error


class TicketsLoaded(Message):
    def __init__(self, tickets: list[Any], backlog: int | None) -> None:
        super().__init__()
        self.tickets = tickets
        self.backlog = backlog


class TicketSaved(Message):
    def __init__(self, ticket: Any, created: bool) -> None:
        super().__init__()
        self.ticket = ticket
        self.created = created


class StoreFailed(Message):
    """A local store operation failed: shown as a notice, the desk carries on."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__()
        self.what = what
        self.reason = reason


class RecordingReady(Message):
    def __init__(self, contact_id: str, path: str | None, played_with: str | None,
                 error: str | None = None) -> None:  # fmt: skip
        super().__init__()
        self.contact_id = contact_id
        self.path = path
        self.played_with = played_with
        self.error = error
