"""Create or work a ticket: fields, workflow transition, escalation to an insurer, notes, history.

The editor only collects what the agent decided (a ``TicketChange``); ``domain.desk_tickets``
turns it into workflow steps and the desk saves them to the local store in one transaction, so
it works offline too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select

from cscdesk.domain.desk_tickets import TicketChange, TicketDraftFields
from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.domain.workflow import allowed_transitions
from cscdesk.tui.data import DeskData
from cscdesk.tui.format import local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class _History(Message):
    def __init__(self, events: list[TicketEvent], calls: list[Any], error: str | None) -> None:
        super().__init__()
        self.events = events
        self.calls = calls
        self.error = error


def _due_in(text: str, now: datetime) -> datetime | None:
    """``48`` hours, ``3d`` days; empty → no due time; anything else → ValueError."""
    text = text.strip().lower()
    if not text:
        return None
    if text.endswith("d"):
        return now + timedelta(days=float(text[:-1]))
    return now + timedelta(hours=float(text.removesuffix("h")))


class TicketEditor(ModalScreen[TicketChange | None]):
    DEFAULT_CSS = (
        "TicketEditor { align: center middle; }"
        + DIALOG_CSS
        + """
    TicketEditor .dialog { width: 110; height: 90%; }
    TicketEditor Horizontal { height: auto; }
    TicketEditor Horizontal > * { width: 1fr; }
    TicketEditor #history { height: 8; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="ticket-cancel"),
        Binding("ctrl+s", "save", "Save", id="ticket-save"),
    ]

    def __init__(self, data: DeskData, *, ticket: Ticket | None, draft: TicketDraftFields | None,
                 insurers: list[tuple[str, str]], now: datetime, zone: tzinfo | None,
                 can_call: bool) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.data = data
        self.ticket = ticket
        self.draft = draft
        self.insurers = insurers
        self.now = now
        self.zone = zone
        self.can_call = can_call

    def _value(self, name: str) -> str:
        source = self.ticket if self.ticket is not None else self.draft
        value = getattr(source, name, None)
        return "" if value is None else str(value)

    def compose(self) -> ComposeResult:
        creating = self.ticket is None
        title = _("New ticket") if creating else _("Ticket") + f" {self.ticket.id}"  # type: ignore[union-attr]
        with VerticalScroll(classes="dialog"):
            yield Label(title, classes="title")
            if not creating and self.ticket is not None:
                yield Label(
                    _("Status") + f": {_(self.ticket.status.value)}   "
                    + _("Sync") + f": {_(self.ticket.sync_state.value)}   "
                    + _("Call") + f": {self.ticket.contact_id or '—'}"
                )  # fmt: skip
            with Horizontal():
                yield Select(
                    [(_(t.value), t.value) for t in TicketType],
                    value=self._value("type") or TicketType.ENQUIRY.value,
                    allow_blank=False, id="type",
                )  # fmt: skip
                yield Select(
                    [(_(p.value), p.value) for p in Priority],
                    value=self._value("priority") or Priority.NORMAL.value,
                    allow_blank=False, id="priority",
                )  # fmt: skip
            yield Input(self._value("title"), placeholder=_("Title"), id="title")
            yield Input(self._value("description"), placeholder=_("Description"), id="description")
            with Horizontal():
                yield Input(self._value("policy_no"), placeholder=_("Policy no."), id="policy_no")
                yield Input(self._value("claim_no"), placeholder=_("Claim no."), id="claim_no")
            if not creating and self.ticket is not None:
                options = [
                    (_(s.value), s.value) for s in sorted(allowed_transitions(self.ticket.status))
                ]
                yield Select(options, prompt=_("Move to status…"), id="transition")
                with Horizontal():
                    yield Select(self.insurers, prompt=_("Escalate to insurer…"), id="insurer")
                    yield Input(
                        placeholder=_("Insurer reply due in (48 = hours, 3d = days)"), id="due"
                    )
                yield Input(placeholder=_("Add a note"), id="note")
                yield Label("", id="linked-calls")
                yield Label(_("History"), classes="title")
                history: DataTable[str] = DataTable(id="history", cursor_type="row")
                yield history
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                if not creating and self.can_call:
                    yield Button(_("Call back"), id="callback")
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="ok", variant="primary")

    def on_mount(self) -> None:
        if self.ticket is not None:
            table = self.query_one("#history", DataTable)
            for key, label in (
                ("when", "When"),
                ("who", "Who"),
                ("what", "What"),
                ("detail", "Detail"),
            ):
                table.add_column(_(label), key=key)
            self.load_history(self.ticket.id)
        self.query_one("#title", Input).focus()

    @work(thread=True, exclusive=True, group="ticket-history")
    def load_history(self, ticket_id: str) -> None:
        try:
            ticket = self.data.ticket(ticket_id)
            events = self.data.ticket_events(ticket_id)
            calls = self.data.calls_for_ticket(ticket)
        except Exception as exc:  # store trouble: shown in the dialog
            self.post_message(_History([], [], str(exc)))
            return
        self.post_message(_History(events, calls, None))

    @on(_History)
    def _history(self, message: _History) -> None:
        table = self.query_one("#history", DataTable)
        for event in message.events:
            detail = "; ".join(
                f"{k}: {a or '—'} → {b or '—'}" for k, (a, b) in event.changes.items()
            )
            if event.note:
                detail = (detail + " " if detail else "") + event.note
            table.add_row(local_time(event.at, self.zone), event.actor, _(event.kind), detail)
        if message.calls:
            lines = [
                f"{local_time(c.started_at, self.zone)} {c.contact_id} {_(c.outcome.value)}"
                + (f" {c.wrap_up_code}" if c.wrap_up_code else "")
                for c in message.calls
            ]
            self.query_one("#linked-calls", Label).update(
                _("Linked calls") + ": " + "; ".join(lines)
            )
        if message.error:
            self.query_one("#error", Label).update(_("History unavailable") + f": {message.error}")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#callback")
    def _callback(self) -> None:
        self.dismiss(TicketChange(callback=True))

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        error = self.query_one("#error", Label)
        fields: dict[str, object] = {
            "type": self.query_one("#type", Select).value,
            "priority": self.query_one("#priority", Select).value,
            "title": self.query_one("#title", Input).value,
            "description": self.query_one("#description", Input).value,
            "policy_no": self.query_one("#policy_no", Input).value,
            "claim_no": self.query_one("#claim_no", Input).value,
        }
        if not str(fields["title"]).strip():
            error.update(_("A ticket needs a title"))
            return
        if self.ticket is None:
            self.dismiss(TicketChange(fields=fields))
            return
        transition = self.query_one("#transition", Select).value
        insurer = self.query_one("#insurer", Select).value
        try:
            due = _due_in(self.query_one("#due", Input).value, self.now)
        except ValueError:
            error.update(_("Due time: give hours (48) or days (3d)"))
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss(
            TicketChange(
                fields=fields,
                transition=TicketStatus(transition) if isinstance(transition, str) else None,
                escalate_to=insurer if isinstance(insurer, str) else None,
                escalate_due=due,
                note=note,
            )
        )
