"""The team's tickets from the desk: views, hand-over and claiming, as blocking calls for workers.

A claim or hand-over re-reads the ticket, applies the rule of ``domain.assignment`` and saves it
with the store's version check; when another desk saved the ticket in between, it reads it again
and decides anew, so a second claimer hears who took it instead of overwriting them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from cscdesk.domain.assignment import CannotAssign, assign_to_agent, assign_to_group, claim
from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.domain.models import Ticket, TicketEvent
from cscdesk.domain.ticket_views import TicketView, query_for
from cscdesk.store.tickets import StaleTicket
from cscdesk.tui.data import DeskData

ATTEMPTS = 3  # re-reads when another desk saved the ticket meanwhile


class TeamTickets:
    def __init__(self, data: DeskData) -> None:
        self.data = data
        self.tickets = data.store.tickets

    def view(self, view: TicketView, *, agent_id: str, groups: Collection[str], now: datetime,
             insurer_id: str | None = None) -> tuple[list[Ticket], int]:  # fmt: skip
        """The view's first tickets and how many it holds in all."""
        query = query_for(view, agent_id=agent_id, groups=groups, now=now, insurer_id=insurer_id)
        return list(self.tickets.view(query)), int(self.tickets.view_count(query))

    def claim(
        self, ticket_id: str, agent_id: str, groups: Collection[str], now: datetime
    ) -> Ticket:
        return self._change(ticket_id, lambda t: claim(t, agent_id, groups, at=now))

    def assign(self, ticket_id: str, target: str, *, actor: str, now: datetime,
               note: str | None = None) -> Ticket:  # fmt: skip
        """``target``: ``agent:<id>`` or ``group:<id>`` (as the hand-over dialog offers them)."""
        kind, _sep, who = target.partition(":")
        if kind == "group":
            return self._change(
                ticket_id, lambda t: assign_to_group(t, who, at=now, actor=actor, note=note)
            )
        if kind != "agent":
            raise CannotAssign("no_agent", f"not an agent or a group: {target!r}")
        return self._change(
            ticket_id, lambda t: assign_to_agent(t, who, at=now, actor=actor, note=note)
        )

    def _change(
        self, ticket_id: str, step: Callable[[Ticket], tuple[Ticket, TicketEvent]]
    ) -> Ticket:
        for attempt in range(ATTEMPTS):
            current = self.data.ticket(ticket_id)
            try:
                return self.data.save_changes(current, [step(current)])
            except StaleTicket:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class TeamContext:
    """Who is looking (their groups) and how the center names people, groups and insurers."""

    agent_id: str
    groups: tuple[str, ...]
    directory: CenterDirectory
    now: Callable[[], datetime]
    english: bool = False

    def person(self, agent_id: str | None) -> str:
        if agent_id is None:
            return "—"
        agent = self.directory.agent(agent_id)
        return agent.name if agent is not None else agent_id

    def group(self, group_id: str | None) -> str:
        if group_id is None:
            return "—"
        return self.directory.group_name(group_id, english=self.english) or group_id

    def insurer(self, insurer_id: str | None) -> str:
        return self.directory.insurer_name(insurer_id) if insurer_id else "—"
