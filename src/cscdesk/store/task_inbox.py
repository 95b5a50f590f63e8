"""The work a person does on hand-offs in their inbox: take, reply, hand back, close.

Business staff see the tasks routed to them or their teams; a seconded agent sees the requests
to their insurer (their data scope). Every action checks that the person may work the hand-off
(``domain.handoffs.may_work``) and is a compare-and-set, so two people acting on one task at
once cannot both win. A reply or hand-back goes into the ticket in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.domain.handoffs import (
    Channel,
    Handoff,
    HandoffState,
    Route,
    may_work,
    route_task,
    step,
)
from cscdesk.store.handoffs import Handoffs, new_handoff_id

if TYPE_CHECKING:
    from cscdesk.domain.access import User
    from cscdesk.store.db import Store


class NotYours(PermissionError):
    """The hand-off is neither routed to this person nor to their team or insurer."""


@dataclass(frozen=True, slots=True)
class Worker:
    """Who works the inbox: their id, their teams, and (seconded agents) their insurer."""

    user_id: str
    name: str
    teams: tuple[str, ...] = ()
    insurer_id: str | None = None

    @classmethod
    def of(cls, user: User, teams: Mapping[str, Sequence[str]]) -> Worker:
        mine = tuple(sorted(team for team, members in teams.items() if user.id in members))
        return cls(user.id, user.name, mine, user.insurer_id)


@dataclass
class TaskInbox:
    store: Store
    handoffs: Handoffs
    teams: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def worker(self, user: User) -> Worker:
        return Worker.of(user, self.teams)

    def items(self, worker: Worker, *, include_done: bool = False) -> list[Handoff]:
        return self.handoffs.inbox(user_id=worker.user_id, teams=worker.teams,
                                   insurer_id=worker.insurer_id, include_done=include_done)  # fmt: skip

    def _mine(self, handoff_id: str, worker: Worker) -> Handoff:
        handoff = self.handoffs.require(handoff_id)
        if not may_work(handoff, user_id=worker.user_id, teams=worker.teams,
                        insurer_id=worker.insurer_id):  # fmt: skip
            raise NotYours(f"hand-off {handoff_id} is not routed to {worker.user_id}")
        return handoff

    def take(self, handoff_id: str, worker: Worker, *, at: datetime) -> Handoff:
        """Take it up (受理): acknowledged, and assigned to the person who took it."""
        handoff = self._mine(handoff_id, worker)
        if handoff.state is HandoffState.ACKNOWLEDGED:
            return handoff
        changes: dict[str, object] = {}
        if handoff.channel is Channel.STAFF or handoff.assignee is None:
            changes["assignee"] = worker.user_id
        taken = step(handoff, HandoffState.ACKNOWLEDGED, at, **changes)
        return self.handoffs.save(taken, base_version=handoff.version, at=at)

    def reply(self, handoff_id: str, worker: Worker, text: str, *, at: datetime) -> Handoff:
        """Answer it; the answer shows on the agent's ticket at once."""
        return self._return(handoff_id, worker, text, HandoffState.ANSWERED, at)

    def hand_back(self, handoff_id: str, worker: Worker, text: str, *, at: datetime) -> Handoff:
        """Give it back unanswered, saying why (wrong team, missing information)."""
        return self._return(handoff_id, worker, text, HandoffState.HANDED_BACK, at)

    def _return(self, handoff_id: str, worker: Worker, text: str, to: HandoffState,
                at: datetime) -> Handoff:  # fmt: skip
        if not text.strip():
            raise ValueError(f"hand-off {handoff_id}: a reply or a reason is needed")
        handoff = self._mine(handoff_id, worker)
        returned = step(handoff, to, at, reply=text.strip(), replied_by=worker.user_id)
        with self.store.transaction():
            saved = self.handoffs.save(returned, base_version=handoff.version, at=at)
            return self.handoffs.bring_back(saved, who=worker.name, at=at)

    def hand_to_staff(self, ticket_id: str, routes: Sequence[Route], *, actor: str, note: str,
                      at: datetime, due_at: datetime | None = None) -> Handoff:  # fmt: skip
        """Hand a ticket to business staff by the routing rules: by its customer's employer
        (the account manager), its type, its insurer. Raises ``NoRoute`` naming the ticket's
        employer, type and insurer when no rule matches."""
        ticket = self.store.tickets.require(ticket_id)
        member = self.store.members.find(ticket.member_id) if ticket.member_id else None
        employer = member.employer_id if member else None
        route = route_task(routes, employer=employer,
                           ticket_type=ticket.type.value, insurer=ticket.insurer_id)  # fmt: skip
        handoff = Handoff(
            id=new_handoff_id(), ticket_id=ticket.id, channel=Channel.STAFF,
            state=HandoffState.QUEUED, created_at=at, created_by=actor,
            idempotency_key=f"{ticket.id}:staff:{new_handoff_id()}", request=note.strip() or ticket.title,
            insurer_id=ticket.insurer_id, assignee=route.assignee, team=route.team, due_at=due_at,
        )  # fmt: skip
        self.handoffs.add(handoff, at=at)
        return handoff

    def close(self, handoff_id: str, user_id: str, *, at: datetime) -> Handoff:
        """Close it (the ticket's agent, once the answer is used, or whoever worked it)."""
        handoff = self.handoffs.require(handoff_id)
        closed = step(handoff, HandoffState.CLOSED, at)
        return self.handoffs.save(closed, base_version=handoff.version, at=at)
