"""Hand-offs (转办): a ticket the center cannot finish goes to an insurer or to the broker's own
business staff, and comes back answered.

One record per hand-off, whatever the channel:

* ``api``: the insurer's own system receives a service request through its adapter;
* ``seconded``: the insurer's seconded agents in the center take it from their queue;
* ``staff``: the broker's account managers, claims or underwriting staff take it from their inbox.

States (the same for every channel)::

    queued ──► sent ──► acknowledged ──► answered ──► closed
      │          │            │             ▲
      │          └────────────┴──► handed_back (staff or insurer gives it back unanswered)
      └──► failed (the insurer's system refused it, or every retry ran out: a person must act)

``queued`` is waiting for delivery (api) or for someone to take it (seconded, staff); a seconded
or staff hand-off goes straight to ``acknowledged`` when taken. An answer (or a hand-back) goes
into the ticket's history and re-opens the ticket for its agent, who tells the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.models import Ticket, TicketEvent, TicketStatus
from cscdesk.domain.workflow import TRANSITIONS, add_note, transition


class Channel(StrEnum):
    API = "api"  # the insurer's system, through its adapter
    SECONDED = "seconded"  # the insurer's seconded agents in the center
    STAFF = "staff"  # the broker's own business staff


class HandoffState(StrEnum):
    QUEUED = "queued"  # 待转出 / 待接单
    SENT = "sent"  # 已送达 (the insurer's system accepted it)
    ACKNOWLEDGED = "acknowledged"  # 处理中
    ANSWERED = "answered"  # 已答复
    HANDED_BACK = "handed_back"  # 已退回
    CLOSED = "closed"  # 已关闭
    FAILED = "failed"  # 转出失败


H = HandoffState
HANDOFF_TRANSITIONS: dict[HandoffState, frozenset[HandoffState]] = {
    H.QUEUED: frozenset({H.SENT, H.ACKNOWLEDGED, H.ANSWERED, H.HANDED_BACK, H.FAILED, H.CLOSED}),
    H.SENT: frozenset({H.ACKNOWLEDGED, H.ANSWERED, H.HANDED_BACK, H.CLOSED}),
    H.ACKNOWLEDGED: frozenset({H.ANSWERED, H.HANDED_BACK, H.CLOSED}),
    H.ANSWERED: frozenset({H.CLOSED}),
    H.HANDED_BACK: frozenset({H.CLOSED}),
    H.FAILED: frozenset({H.QUEUED, H.CLOSED}),  # QUEUED: a person sends it again
    H.CLOSED: frozenset(),
}
OPEN_STATES = frozenset({H.QUEUED, H.SENT, H.ACKNOWLEDGED})
RETURNED_STATES = frozenset({H.ANSWERED, H.HANDED_BACK})


class IllegalHandoffStep(ValueError):
    def __init__(self, handoff_id: str, current: HandoffState, target: HandoffState) -> None:
        allowed = ", ".join(sorted(s.value for s in HANDOFF_TRANSITIONS[current])) or "none"
        super().__init__(
            f"hand-off {handoff_id}: cannot go from {current.value} to {target.value};"
            f" allowed: {allowed}"
        )


@dataclass(frozen=True, slots=True)
class Handoff:
    """One hand-off of a ticket. ``idempotency_key`` names it to the insurer's system, so a
    resent request is recognised; ``version`` guards every change (several processes)."""

    id: str
    ticket_id: str
    channel: Channel
    state: HandoffState
    created_at: datetime
    created_by: str
    idempotency_key: str
    request: str = ""
    insurer_id: str | None = None
    assignee: str | None = None  # staff: the person it was routed to
    team: str | None = None  # staff: the team whose members may take it
    due_at: datetime | None = None
    remote_ref: str | None = None  # the insurer's request number
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    reply: str | None = None
    replied_by: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    applied: bool = False  # the answer (or hand-back) is in the ticket's history
    version: int = 1

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES


def step(handoff: Handoff, to: HandoffState, at: datetime, **changes: object) -> Handoff:
    """Move a hand-off on; the moments of each state are set once, when first reached."""
    if to is not handoff.state and to not in HANDOFF_TRANSITIONS[handoff.state]:
        raise IllegalHandoffStep(handoff.id, handoff.state, to)
    moments: dict[str, object] = {}
    if to is H.SENT and handoff.sent_at is None:
        moments["sent_at"] = at
    if to in (H.ACKNOWLEDGED, H.ANSWERED, H.HANDED_BACK) and handoff.acknowledged_at is None:
        moments["acknowledged_at"] = at
    if to in RETURNED_STATES and handoff.answered_at is None:
        moments["answered_at"] = at
    if to is H.CLOSED and handoff.closed_at is None:
        moments["closed_at"] = at
    moments.update(changes)
    return replace(handoff, state=to, **moments)  # type: ignore[arg-type]


# ---------------------------------------------------------------- delivery retries
@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff between delivery attempts; after ``max_attempts`` a person must act."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=10)
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        return min(self.cap, self.base * (2 ** max(0, attempts - 1)))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


# ---------------------------------------------------------------- the insurer's agreed terms
@dataclass(frozen=True, slots=True)
class ServiceTerms:
    """Agreed with the insurer: how soon a request is taken up and how soon it is answered,
    both counted from its delivery (an API request) or its creation (a seconded queue)."""

    response: timedelta
    resolution: timedelta


def request_start(handoff: Handoff) -> datetime:
    return handoff.sent_at or handoff.created_at


def response_time(handoff: Handoff) -> timedelta | None:
    return (
        None
        if handoff.acknowledged_at is None
        else handoff.acknowledged_at - request_start(handoff)
    )


def resolution_time(handoff: Handoff) -> timedelta | None:
    return None if handoff.answered_at is None else handoff.answered_at - request_start(handoff)


def breaches(handoff: Handoff, terms: ServiceTerms, now: datetime) -> tuple[bool, bool]:
    """(response late, resolution late): late when it came after its term, or has not come
    and the term is over. A request that failed to reach the insurer is not its breach."""
    if handoff.state is H.FAILED:
        return False, False
    start = request_start(handoff)
    stopped = handoff.closed_at or now  # closed unanswered: the clocks stop there
    response_end = handoff.acknowledged_at or stopped
    resolution_end = handoff.answered_at or stopped
    return response_end - start > terms.response, resolution_end - start > terms.resolution


# ---------------------------------------------------------------- routing to business staff
@dataclass(frozen=True, slots=True)
class Route:
    """One routing rule: when every given condition matches, the task goes to ``assignee`` (a
    person: e.g. the employer's account manager) or to ``team`` (its members share it)."""

    employer: str | None = None
    ticket_type: str | None = None
    insurer: str | None = None
    assignee: str | None = None
    team: str | None = None

    def matches(self, *, employer: str | None, ticket_type: str, insurer: str | None) -> bool:
        return (
            (self.employer is None or self.employer == employer)
            and (self.ticket_type is None or self.ticket_type == ticket_type)
            and (self.insurer is None or self.insurer == insurer)
        )

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.employer, self.ticket_type, self.insurer))


class NoRoute(LookupError):
    """No routing rule names anyone for this ticket."""


def route_task(
    routes: Sequence[Route], *, employer: str | None, ticket_type: str, insurer: str | None
) -> Route:
    """The most specific matching rule (employer, then type, then insurer as tie-breakers by
    order in the configuration); raises :class:`NoRoute` naming what was looked for."""
    matching = [
        (index, r)
        for index, r in enumerate(routes)
        if r.matches(employer=employer, ticket_type=ticket_type, insurer=insurer)
    ]
    if not matching:
        raise NoRoute(
            f"no hand-off route for employer {employer or '-'}, ticket type {ticket_type},"
            f" insurer {insurer or '-'}: add a [[handoffs.routes]] rule"
        )
    return min(matching, key=lambda pair: (-pair[1].specificity, pair[0]))[1]


def may_work(
    handoff: Handoff,
    *,
    user_id: str,
    teams: Iterable[str],
    insurer_id: str | None,
) -> bool:
    """Whether this person may take, answer or hand back the hand-off: the assignee or a member
    of its team for staff tasks; a seconded agent of its insurer for the seconded channel."""
    if handoff.channel is Channel.SECONDED:
        return insurer_id is not None and handoff.insurer_id == insurer_id
    if handoff.channel is Channel.STAFF:
        return handoff.assignee == user_id or (
            handoff.team is not None and handoff.team in set(teams)
        )
    return False


# ---------------------------------------------------------------- back into the ticket
def returned_to_ticket(
    ticket: Ticket, handoff: Handoff, *, who: str, at: datetime
) -> list[tuple[Ticket, TicketEvent]]:
    """The ticket steps an answer or a hand-back makes: the reply as a note in the ticket's
    history (so it syncs like any note), and an escalated ticket back to open for its agent."""
    if handoff.state not in RETURNED_STATES:
        raise ValueError(f"hand-off {handoff.id} is {handoff.state.value}: nothing came back yet")
    verb = "答复 reply" if handoff.state is H.ANSWERED else "退回 handed back"
    text = f"[{verb} · {who}] {handoff.reply or ''}".strip()
    steps: list[tuple[Ticket, TicketEvent]] = []
    current = ticket
    if (
        current.status is TicketStatus.ESCALATED
        and TicketStatus.OPEN in TRANSITIONS[current.status]
    ):
        current, event = transition(current, TicketStatus.OPEN, at=at, actor=handoff.replied_by
                                    or "handoff")  # fmt: skip
        steps.append((current, event))
    current, event = add_note(current, text, at=at, actor=handoff.replied_by or "handoff")
    steps.append((current, event))
    return steps


# ---------------------------------------------------------------- the customer told (告知)
class NoticeMethod(StrEnum):
    CALLBACK = "callback"  # a callback task for the agent
    SMS = "sms"  # an SMS request record for the agent to send
    NONE = "none"


class NoticeTrigger(StrEnum):
    HANDOFF = "handoff"  # the customer hears that the request went on, and to whom
    ANSWER = "answer"  # the customer hears the answer


@dataclass(frozen=True, slots=True)
class CustomerNotice:
    """A tracked "tell the customer" step (告知): open until the agent marks it done."""

    id: str
    ticket_id: str
    handoff_id: str
    trigger: NoticeTrigger
    method: NoticeMethod
    owner: str | None  # the agent who tells the customer (the ticket's owner)
    created_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
