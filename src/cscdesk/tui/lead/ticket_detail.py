"""One ticket read from the lead's board: its fields and its whole history, read-only.

The lead looks before acting (a word with the owner, a reassignment on the desk); nothing here
writes. The customer's name is masked like everywhere on screen; times are in the center's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from cscdesk.domain.models import Ticket, TicketEvent
from cscdesk.domain.privacy import mask_name
from cscdesk.tui.format import countdown, local_time
from cscdesk.tui.i18n import _, current_language
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS
from cscdesk.tui.services import DeskServices


class HistoryRead(Message):
    def __init__(self, events: list[TicketEvent], customer: str, error: str | None) -> None:
        super().__init__()
        self.events = events
        self.customer = customer
        self.error = error


class TicketDetailScreen(ModalScreen[None]):
    DEFAULT_CSS = (
        "TicketDetailScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    TicketDetailScreen .dialog { width: 110; height: 90%; }
    TicketDetailScreen #detail-fields { height: auto; }
    TicketDetailScreen #detail-history { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape", "close_detail", "Back", id="detail-back")]

    def __init__(self, services: DeskServices, ticket: Ticket, *,
                 person: Callable[[str | None], str], now: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.services = services
        self.ticket = ticket
        self.person = person
        self.now = now
        self.zone = ZoneInfo(services.settings.sla.timezone)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.ticket.number or self.ticket.id}  {self.ticket.title}",
                        classes="title")  # fmt: skip
            yield Static(self._fields(customer="…"), id="detail-fields")
            yield Label(_("History"), classes="title")
            yield DataTable(cursor_type="row", id="detail-history")
            yield Label("", id="detail-error", classes="error")

    def _fields(self, customer: str) -> str:
        t, directory = self.ticket, self.services.directory
        english = current_language() == "en"
        group = directory.group_name(t.group_id, english=english) if t.group_id else None
        rows = [
            (_("Status"), _(t.status.value)),
            (_("Type"), _(t.type.value)),
            (_("Priority"), _(t.priority.value)),
            (_("Owner"), self.person(t.owner)),
            (_("Group"), group or t.group_id or "—"),
            (_("Insurer"), directory.insurer_name(t.insurer_id) or "—"),
            (_("Customer"), customer),
            (_("Policy no."), t.policy_no or "—"),
            (_("Claim no."), t.claim_no or "—"),
            (_("Created"), local_time(t.created_at, self.zone)),
            (_("Due"), f"{local_time(t.due_at, self.zone)} ({countdown(t.due_at, self.now())})"
                       if t.due_at else "—"),
        ]  # fmt: skip
        lines = [f"{label}: {value}" for label, value in rows]
        if t.description:
            lines.append(f"{_('Description')}: {t.description}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        table = self.query_one("#detail-history", DataTable)
        for key, label in (("when", "When"), ("who", "Who"), ("what", "What"),
                           ("detail", "Detail")):  # fmt: skip
            table.add_column(_(label), key=key)
        self.read_history()

    @work(thread=True, exclusive=True, group="ticket-detail", exit_on_error=False)
    def read_history(self) -> None:
        store = self.services.store
        try:
            events = store.tickets.events(self.ticket.id)
            member = store.members.find(self.ticket.member_id) if self.ticket.member_id else None
        except Exception as exc:  # store trouble: a line in the dialog
            self.post_message(HistoryRead([], "—", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(HistoryRead(events, mask_name(member.name) if member else "—", None))

    @on(HistoryRead)
    def _history(self, message: HistoryRead) -> None:
        self.query_one("#detail-fields", Static).update(self._fields(message.customer))
        table = self.query_one("#detail-history", DataTable)
        for event in message.events:
            detail = "; ".join(
                f"{_(name)}: {before or '—'} → {after or '—'}"
                for name, (before, after) in event.changes.items()
            )
            if event.note:
                detail = f"{detail} {event.note}".strip()
            table.add_row(local_time(event.at, self.zone), self.person(event.actor),
                          _(event.kind), detail)  # fmt: skip
        if message.error:
            self.query_one("#detail-error", Label).update(
                _("History unavailable") + f": {message.error}"
            )

    def action_close_detail(self) -> None:
        self.dismiss(None)
