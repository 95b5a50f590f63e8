"""Find any ticket of the center, or open one of the team's views, then open, claim or hand over.

Search: a ticket number as read out on the phone (``GD-20261130-0042``), a policy or claim no.,
a customer (mobile, ID number, name) or words of the title and notes (``理赔 进度``: every word
must appear; two-character words come from the store's index). Views: mine, my groups',
unassigned, due soon, overdue, escalated (per insurer), waiting on the customer.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select

from cscdesk.domain.assignment import CannotAssign
from cscdesk.domain.models import Ticket
from cscdesk.domain.ticket_views import TicketView
from cscdesk.store.tickets import StaleTicket
from cscdesk.tui.data import SEARCH_LIMIT, DeskData
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.assign_dialog import AssignDialog, assignee_options
from cscdesk.tui.screens.dialogs import DIALOG_CSS
from cscdesk.tui.team_tickets import TeamContext, TeamTickets

VIEW_LABELS = {
    TicketView.MINE: "Mine",
    TicketView.MY_GROUPS: "My groups'",
    TicketView.UNASSIGNED: "Unassigned",
    TicketView.DUE_SOON: "Due soon",
    TicketView.OVERDUE: "Overdue",
    TicketView.ESCALATED: "Escalated, per insurer",
    TicketView.WAITING_CUSTOMER: "Waiting on customer",
}
COLUMNS = (("number", "Ticket"), ("status", "Status"), ("title", "Title"), ("owner", "Owner"),
           ("group", "Group"), ("insurer", "Insurer"), ("due", "Due"))  # fmt: skip


class _Found(Message):
    def __init__(self, tickets: list[Ticket], error: str | None, total: int | None = None,
                 view: TicketView | None = None) -> None:  # fmt: skip
        super().__init__()
        self.tickets = tickets
        self.error = error
        self.total = total
        self.view = view


class _Handed(Message):
    def __init__(self, ticket: Ticket | None, error: str | None) -> None:
        super().__init__()
        self.ticket = ticket
        self.error = error


def assign_error(exc: Exception) -> str:
    """A refused claim or hand-over in the agent's language."""
    if isinstance(exc, StaleTicket):
        return _("Someone else changed the ticket meanwhile; try again")
    if not isinstance(exc, CannotAssign):
        return f"{type(exc).__name__}: {exc}"
    return {
        "finished": _("A finished ticket cannot be handed over"),
        "unchanged": _("The ticket is already there"),
        "no_agent": _("Choose an agent or a group"),
        "no_group": _("Choose an agent or a group"),
        "yours": _("The ticket is already yours"),
        "taken": _("Someone else already works this ticket"),
        "other_group": _("The ticket waits in another group's queue"),
    }.get(exc.reason, str(exc)) + f" ({exc})"


class TicketSearchScreen(ModalScreen[Ticket | None]):
    DEFAULT_CSS = (
        "TicketSearchScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    TicketSearchScreen .dialog { width: 120; max-width: 100%; height: 90%; }
    TicketSearchScreen Horizontal { height: auto; }
    TicketSearchScreen #ticket-query { width: 2fr; }
    TicketSearchScreen #ticket-view { width: 1fr; }
    TicketSearchScreen DataTable { height: 1fr; }
    TicketSearchScreen #ticket-keys { color: $text-muted; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="ticket-search-cancel"),
        Binding("ctrl+g", "claim", "Claim", id="ticket-search-claim"),
        Binding("ctrl+t", "hand_over", "Hand over", id="ticket-search-hand-over"),
    ]
    AUTO_FOCUS = "#ticket-query"

    def __init__(self, data: DeskData, zone: tzinfo, team: TeamContext | None = None,
                 view: TicketView | None = None) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.data = data
        self.zone = zone
        self.team = team
        self.initial_view = view
        self._found: dict[str, Ticket] = {}
        self._last: tuple[str, TicketView | None] = ("", view)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Find a ticket"), classes="title")
            with Horizontal():
                yield Input(placeholder=_("Ticket no., policy/claim no., customer or words"),
                            id="ticket-query")  # fmt: skip
                views = [(_(label), view.value) for view, label in VIEW_LABELS.items()]
                view = Select(views, prompt=_("Team views…"), id="ticket-view")
                if self.initial_view is not None:
                    view.value = self.initial_view.value
                yield view
            yield Label("", id="ticket-count")
            table: DataTable[str] = DataTable(cursor_type="row", id="ticket-results")
            yield table
            yield Label(_("Enter: open · Ctrl+G: claim · Ctrl+T: hand over · Esc: close"),
                        id="ticket-keys")  # fmt: skip

    def on_mount(self) -> None:
        table = self.query_one("#ticket-results", DataTable)
        for key, label in COLUMNS:
            table.add_column(_(label), key=key)
        if self.initial_view is not None:
            self.run_view(self.initial_view)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#ticket-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self._last = (event.value, None)
        self.run_search(event.value)

    @on(Select.Changed, "#ticket-view")
    def _view_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            view = TicketView(event.value)
            self._last = ("", view)
            self.run_view(view)

    def _again(self) -> None:
        text, view = self._last
        if view is not None:
            self.run_view(view)
        elif text:
            self.run_search(text)

    @work(thread=True, exclusive=True, group="ticket-search")
    def run_search(self, query: str) -> None:
        try:
            tickets = self.data.find_tickets(query)
        except Exception as exc:  # a store failure becomes a line on the dialog
            self.post_message(_Found([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Found(tickets, None))

    @work(thread=True, exclusive=True, group="ticket-search")
    def run_view(self, view: TicketView) -> None:
        team = self.team
        if team is None:
            return
        try:
            tickets, total = TeamTickets(self.data).view(
                view, agent_id=team.agent_id, groups=team.groups, now=team.now()
            )
        except Exception as exc:
            self.post_message(_Found([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Found(tickets, None, total, view))

    @on(_Found)
    def _show(self, message: _Found) -> None:
        table = self.query_one("#ticket-results", DataTable)
        table.clear()
        count = self.query_one("#ticket-count", Label)
        if message.error:
            count.update(_("Search failed") + f": {message.error}")
            return
        tickets = message.tickets
        if message.view is TicketView.ESCALATED:
            tickets = sorted(tickets, key=lambda t: self._insurer(t.insurer_id))
        self._found = {t.id: t for t in tickets}
        count.update(self._count_text(message, tickets))
        for ticket in tickets:
            table.add_row(
                ticket.number or ticket.id, _(ticket.status.value), ticket.title,
                self._person(ticket.owner), self._group(ticket.group_id),
                self._insurer(ticket.insurer_id), self._when(ticket.due_at), key=ticket.id,
            )  # fmt: skip
        if tickets:
            table.focus()

    def _count_text(self, message: _Found, tickets: list[Ticket]) -> str:
        if message.view is not None:
            text = _("{n} tickets in this view").format(n=message.total)
            if message.view is TicketView.ESCALATED and tickets:
                per: dict[str, int] = {}
                for ticket in tickets:
                    name = self._insurer(ticket.insurer_id)
                    per[name] = per.get(name, 0) + 1
                text += ": " + " · ".join(f"{name} {n}" for name, n in per.items())
            return text
        if len(tickets) >= SEARCH_LIMIT:
            return _("The newest {n} shown: add a word to narrow it").format(n=SEARCH_LIMIT)
        return _("{n} tickets found").format(n=len(tickets))

    def _person(self, agent_id: str | None) -> str:
        return self.team.person(agent_id) if self.team else agent_id or "—"

    def _group(self, group_id: str | None) -> str:
        return self.team.group(group_id) if self.team else group_id or "—"

    def _insurer(self, insurer_id: str | None) -> str:
        return self.team.insurer(insurer_id) if self.team else insurer_id or "—"

    def _when(self, moment: datetime | None) -> str:
        return "—" if moment is None else moment.astimezone(self.zone).strftime("%m-%d %H:%M")

    @on(DataTable.RowSelected, "#ticket-results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self._found.get(str(event.row_key.value)))

    def _selected(self) -> Ticket | None:
        table = self.query_one("#ticket-results", DataTable)
        if table.row_count == 0:
            self.query_one("#ticket-count", Label).update(_("No ticket selected"))
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._found.get(str(key))

    def action_claim(self) -> None:
        ticket = self._selected()
        if ticket is not None and self.team is not None:
            self.claim(ticket.id)

    def action_hand_over(self) -> None:
        ticket, team = self._selected(), self.team
        if ticket is None or team is None:
            return
        options = assignee_options(team.directory, english=team.english)

        def chosen(answer: tuple[str, str | None] | None) -> None:
            if answer is not None:
                self.hand_over(ticket.id, *answer)

        self.app.push_screen(AssignDialog(ticket.number or ticket.id, options), chosen)

    @work(thread=True, group="ticket-assign", exit_on_error=False)
    def claim(self, ticket_id: str) -> None:
        team = self.team
        assert team is not None
        try:
            ticket = TeamTickets(self.data).claim(ticket_id, team.agent_id, team.groups, team.now())
        except Exception as exc:
            self.post_message(_Handed(None, assign_error(exc)))
            return
        self.post_message(_Handed(ticket, None))

    @work(thread=True, group="ticket-assign", exit_on_error=False)
    def hand_over(self, ticket_id: str, target: str, note: str | None) -> None:
        team = self.team
        assert team is not None
        try:
            ticket = TeamTickets(self.data).assign(
                ticket_id, target, actor=team.agent_id, now=team.now(), note=note
            )
        except Exception as exc:
            self.post_message(_Handed(None, assign_error(exc)))
            return
        self.post_message(_Handed(ticket, None))

    @on(_Handed)
    def _handed(self, message: _Handed) -> None:
        if message.error is not None:
            self.notify(message.error, severity="error")
            return
        ticket = message.ticket
        assert ticket is not None
        where = self._person(ticket.owner) if ticket.owner else self._group(ticket.group_id)
        self.notify(_("Ticket {number} is now with {who}").format(
            number=ticket.number or ticket.id, who=where))  # fmt: skip
        self._again()
