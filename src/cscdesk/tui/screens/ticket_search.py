"""Find any ticket of the center by its number or its words (Chinese included), not only one's own.

Every word must appear (``理赔 进度``); two-character words come from the store's index, so the
search stays fast on a million tickets. Picking a result opens it in the ticket editor.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label

from cscdesk.domain.models import Ticket
from cscdesk.tui.data import SEARCH_LIMIT, DeskData
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class _Found(Message):
    def __init__(self, tickets: list[Ticket], error: str | None) -> None:
        super().__init__()
        self.tickets = tickets
        self.error = error


class TicketSearchScreen(ModalScreen[Ticket | None]):
    DEFAULT_CSS = (
        "TicketSearchScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    TicketSearchScreen .dialog { width: 110; max-width: 100%; height: 80%; }
    TicketSearchScreen DataTable { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ticket-search-cancel")]
    AUTO_FOCUS = "#ticket-query"

    def __init__(self, data: DeskData, zone: tzinfo) -> None:
        super().__init__()
        localize(self)
        self.data = data
        self.zone = zone
        self._found: dict[str, Ticket] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Find a ticket"), classes="title")
            yield Input(placeholder=_("Ticket no. or words from its title and notes"),
                        id="ticket-query")  # fmt: skip
            yield Label("", id="ticket-count")
            table: DataTable[str] = DataTable(cursor_type="row", id="ticket-results")
            yield table

    def on_mount(self) -> None:
        table = self.query_one("#ticket-results", DataTable)
        for key, label in (("id", "Ticket"), ("status", "Status"), ("title", "Title"),
                           ("owner", "Owner"), ("updated", "Updated")):  # fmt: skip
            table.add_column(_(label), key=key)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#ticket-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="ticket-search")
    def run_search(self, query: str) -> None:
        try:
            tickets = self.data.find_tickets(query)
        except Exception as exc:  # a store failure becomes a line on the dialog
            self.post_message(_Found([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Found(tickets, None))

    @on(_Found)
    def _show(self, message: _Found) -> None:
        table = self.query_one("#ticket-results", DataTable)
        table.clear()
        count = self.query_one("#ticket-count", Label)
        if message.error:
            count.update(_("Search failed") + f": {message.error}")
            return
        self._found = {t.id: t for t in message.tickets}
        if len(message.tickets) >= SEARCH_LIMIT:
            count.update(_("The newest {n} shown: add a word to narrow it").format(n=SEARCH_LIMIT))
        else:
            count.update(_("{n} tickets found").format(n=len(message.tickets)))
        for ticket in message.tickets:
            table.add_row(ticket.id, _(ticket.status.value), ticket.title, ticket.owner or "—",
                          self._when(ticket.updated_at), key=ticket.id)  # fmt: skip
        if message.tickets:
            table.focus()

    def _when(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%m-%d %H:%M")

    @on(DataTable.RowSelected, "#ticket-results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self._found.get(str(event.row_key.value)))
