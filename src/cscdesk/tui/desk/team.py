"""The desk's part in the team's tickets: views, and noticing tickets handed to this agent.

Tickets are polled (``RearmingPoll`` "tickets"), so a ticket another desk or process hands to
this agent, and the sync state the background sync wrote, show within one poll; a ticket that
newly appears in the agent's list is announced once.
"""

from __future__ import annotations

from cscdesk.domain.desk_tickets import TicketDraftFields
from cscdesk.domain.models import SyncState, Ticket
from cscdesk.domain.ticket_views import TicketView
from cscdesk.tui.desk.state import english
from cscdesk.tui.desk.tickets import DeskTickets
from cscdesk.tui.i18n import _
from cscdesk.tui.screens.conflict_screen import ConflictScreen
from cscdesk.tui.screens.ticket_search import TicketSearchScreen
from cscdesk.tui.team_tickets import TeamContext


class DeskTeam(DeskTickets):
    _known_tickets: set[str] | None = None  # ids in the list at the last load; None: not loaded

    def my_groups(self) -> tuple[str, ...]:
        """The agent's groups as the call system knows them, else as the directory has them."""
        me, agent = self.state.me, self._agent()
        groups = me.skill_groups if me and me.skill_groups else agent.skill_groups if agent else ()
        return tuple(groups)

    def team_context(self) -> TeamContext:
        """Who is looking, their groups, and how people are named."""
        return TeamContext(agent_id=self.agent_id, groups=self.my_groups(),
                           directory=self.directory, now=self.services.now,
                           english=english())  # fmt: skip

    def open_ticket_search(self, view: TicketView | None = None) -> None:
        def picked(ticket: Ticket | None) -> None:
            self.load_tickets()  # a claim or hand-over in the dialog changes the list
            if ticket is not None:
                self._open_ticket_editor(ticket=ticket)

        screen = TicketSearchScreen(self.data, self.zone, self.team_context(), view)
        self.app.push_screen(screen, picked)

    def action_find_ticket(self) -> None:
        """Any ticket of the center by number, reference, customer or words."""
        self.open_ticket_search()

    def action_ticket_views(self) -> None:
        """The team's views, starting with the agent's group queues (to claim from)."""
        self.open_ticket_search(TicketView.MY_GROUPS)

    def _open_ticket_editor(
        self, *, ticket: Ticket | None = None, draft: TicketDraftFields | None = None
    ) -> None:
        """A ticket in sync conflict opens on its conflict first: both values, the agent picks."""
        if ticket is None or ticket.sync_state is not SyncState.CONFLICT:
            super()._open_ticket_editor(ticket=ticket, draft=draft)
            return

        def settled(resolved: Ticket | None) -> None:
            if resolved is not None:
                self.notify(_("Conflict resolved: {number}").format(
                    number=resolved.number or resolved.id))  # fmt: skip
                self.load_tickets()
                super(DeskTeam, self)._open_ticket_editor(ticket=resolved)

        screen = ConflictScreen(self.data.store, ticket, team=self.team_context(), zone=self.zone,
                                actor=self.agent_id, now=self.services.now)  # fmt: skip
        self.app.push_screen(screen, settled)

    def announce_arrivals(self, tickets: list[Ticket]) -> None:
        """Name tickets that joined the agent's list since the last poll (handed over, claimed
        elsewhere); the first load announces nothing."""
        ids = {t.id for t in tickets}
        known, self._known_tickets = self._known_tickets, ids
        if known is None:
            return
        for ticket in tickets:
            if ticket.id not in known and ticket.id != self.state.current_ticket:
                self.notify(_("New in your tickets: {number} {title}").format(
                    number=ticket.number or ticket.id, title=ticket.title))  # fmt: skip
