"""The agent's open tickets with SLA countdowns coloured by urgency and each one's sync state."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from cscdesk.domain.models import SyncState, Ticket
from cscdesk.tui.format import URGENCY_STYLE, countdown, sla_urgency
from cscdesk.tui.i18n import _

SYNC_STYLE = {
    SyncState.PENDING: "yellow",
    SyncState.SYNCED: "green",
    SyncState.CONFLICT: "bold red",
}
COLUMNS = ("id", "type", "status", "priority", "title", "due", "sync")


SLA_WIDTH = len(" -365d 23h ")  # fixed: a countdown growing by a digit is not cut off


def sla_cell(ticket: Ticket, now: datetime) -> Text:
    """The countdown with a blank either side inside its colour: an overdue red block stays
    apart from the Sync word next to it ("-24d 06h" then "synced", not "-24d 06hsynced")."""
    if ticket.due_at is None:
        return Text(" — ", "dim")
    level = sla_urgency(ticket.created_at, ticket.due_at, now)
    return Text(f" {countdown(ticket.due_at, now)} ", URGENCY_STYLE[level])


def _same(shown: object, cell: str | Text) -> bool:
    if isinstance(shown, Text) and isinstance(cell, Text):
        return (shown.plain, shown.style) == (cell.plain, cell.style)
    return shown == cell


class TicketTable(DataTable[str | Text]):
    """Rows keyed by ticket id; the SLA column is refreshed in place every second."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        labels = ("Ticket", "Type", "Status", "Priority", "Title", "SLA", "Sync")
        for key, label in zip(COLUMNS, labels, strict=True):
            self.add_column(_(label), key=key, width=SLA_WIDTH if key == "due" else None)

    def cells(self, ticket: Ticket, now: datetime, current: str | None) -> list[str | Text]:
        ref = Text(ticket.number or ticket.id, "bold reverse" if ticket.id == current else "")
        sync = Text(_(ticket.sync_state.value), SYNC_STYLE[ticket.sync_state])
        priority_style = "bold red" if ticket.priority.value in ("high", "urgent") else ""
        return [
            ref,
            _(ticket.type.value),
            _(ticket.status.value),
            Text(_(ticket.priority.value), priority_style),
            ticket.title,
            sla_cell(ticket, now),
            sync,
        ]

    def show(self, tickets: list[Ticket], now: datetime, current: str | None) -> None:
        wanted = {t.id for t in tickets}
        for key in [k.value for k in list(self.rows) if k.value not in wanted]:
            if key is not None:
                self.remove_row(key)
        for ticket in tickets:
            cells = self.cells(ticket, now, current)
            if ticket.id in self.rows:  # polled every few seconds: write only what changed
                for column, value in zip(COLUMNS, cells, strict=True):
                    if not _same(self.get_cell(ticket.id, column), value):
                        self.update_cell(ticket.id, column, value)
            else:
                self.add_row(*cells, key=ticket.id)

    def tick(self, tickets: list[Ticket], now: datetime) -> None:
        """Only countdowns whose text or colour changed are written: every ``update_cell``
        repaints, and rewriting a few hundred unchanged cells each second slowed key presses
        under load (bench_desk_keypress)."""
        for ticket in tickets:
            if ticket.id in self.rows:
                cell = sla_cell(ticket, now)
                if not _same(self.get_cell(ticket.id, "due"), cell):
                    self.update_cell(ticket.id, "due", cell)
