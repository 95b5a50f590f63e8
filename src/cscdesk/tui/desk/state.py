"""What the agent desk holds between messages, and the pure helpers its parts share."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec

from textual.css.query import NoMatches

from cscdesk.callcenter.port import (
    AgentSession,
    AgentStatus,
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


P = ParamSpec("P")


def if_composed(method: Callable[P, None]) -> Callable[P, None]:
    """Skip a repaint that lands while the layout is being swapped (narrow ↔ wide)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        with contextlib.suppress(NoMatches):
            method(*args, **kwargs)

    return wrapper


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
