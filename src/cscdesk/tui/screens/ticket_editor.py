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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TextArea

from cscdesk.domain.desk_tickets import TicketChange, TicketDraftFields, assignee_of
from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.domain.ticket_refs import RefProblem, check_ref
from cscdesk.domain.workflow import allowed_transitions
from cscdesk.tui.data import DeskData
from cscdesk.tui.format import local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS
from cscdesk.tui.team_tickets import TeamContext
from cscdesk.tui.ticket_history import history_row

DETAIL_CELL = 60  # characters of a history line in its cell; the whole line shows below


class _History(Message):
    def __init__(self, events: list[TicketEvent], calls: list[Any], error: str | None) -> None:
        super().__init__()
        self.events = events
        self.calls = calls
        self.error = error


class _Refs(Message):
    """The customer's own policy and claim numbers, to check what the agent types."""

    def __init__(self, known: dict[str, list[str]]) -> None:
        super().__init__()
        self.known = known


def ref_message(problem: RefProblem) -> str:
    """Why a policy or claim no. was refused, in the agent's language."""
    what = _("Policy no.") if problem.field == "policy_no" else _("Claim no.")
    text = _("{what} {number} is not one of this customer's and does not look like an"
             " insurer's number (letters and digits, at least 6 digits)").format(
        what=what, number=problem.number)  # fmt: skip
    if problem.known:
        text += " — " + _("the customer has: {numbers}").format(numbers=", ".join(problem.known))
    return text


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
    TicketEditor #description { height: 5; }
    TicketEditor .field { color: $text-muted; height: 1; }
    TicketEditor .labelled { height: auto; }
    TicketEditor #history-detail { height: auto; max-height: 6; color: $text-muted; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="ticket-cancel"),
        Binding("ctrl+s", "save", "Save", id="ticket-save"),
    ]

    def __init__(self, data: DeskData, *, ticket: Ticket | None, draft: TicketDraftFields | None,
                 insurers: list[tuple[str, str]], now: datetime, zone: tzinfo | None,
                 can_call: bool, team: TeamContext | None = None,
                 assignees: list[tuple[str, str]] | None = None) -> None:  # fmt: skip
        super().__init__()
        self.team = team
        self.assignees = assignees or []
        self._known: dict[str, list[str]] = {}
        self._details: list[str] = []
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

    def _field(self, label: str, widget: Any) -> Vertical:
        """A visible label above its field (placeholders vanish once something is typed)."""
        return Vertical(Label(_(label), classes="field"), widget, classes="labelled")

    def compose(self) -> ComposeResult:
        creating = self.ticket is None
        ticket = self.ticket
        title = (
            _("New ticket") if ticket is None else _("Ticket") + f" {ticket.number or ticket.id}"
        )
        with VerticalScroll(classes="dialog"):
            yield Label(title, classes="title")
            if ticket is not None:
                yield Label(
                    _("Status") + f": {_(ticket.status.value)}   "
                    + _("Sync") + f": {_(ticket.sync_state.value)}   "
                    + _("Call") + f": {ticket.contact_id or '—'}"
                )  # fmt: skip
                yield Label(_("History"), classes="title")  # first: what happened so far
                history: DataTable[str] = DataTable(id="history", cursor_type="row")
                yield history
                yield Static("", id="history-detail")
            with Horizontal():
                yield self._field("Type", Select(
                    [(_(t.value), t.value) for t in TicketType],
                    value=self._value("type") or TicketType.ENQUIRY.value,
                    allow_blank=False, id="type",
                ))  # fmt: skip
                yield self._field("Priority", Select(
                    [(_(p.value), p.value) for p in Priority],
                    value=self._value("priority") or Priority.NORMAL.value,
                    allow_blank=False, id="priority",
                ))  # fmt: skip
                yield self._field("Assignee", self._assignee())
            yield self._field("Title", Input(self._value("title"), id="title"))
            yield self._field("Description", TextArea(self._value("description"), id="description"))
            with Horizontal():
                yield self._field("Policy no.", Input(self._value("policy_no"), id="policy_no"))
                yield self._field("Claim no.", Input(self._value("claim_no"), id="claim_no"))
            if ticket is not None:
                options = [
                    (_(s.value), s.value) for s in sorted(allowed_transitions(ticket.status))
                ]
                yield self._field("Move to status", Select(options, prompt=_("Move to status…"),
                                                           id="transition"))  # fmt: skip
                with Horizontal():
                    yield self._field("Escalate to insurer", Select(
                        self.insurers, prompt=_("Escalate to insurer…"), id="insurer"))  # fmt: skip
                    yield self._field("Insurer reply due in (48 = hours, 3d = days)",
                                      Input(id="due"))  # fmt: skip
                yield self._field("Add a note", Input(id="note"))
                yield Label("", id="linked-calls")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                if not creating and self.can_call:
                    yield Button(_("Call back"), id="callback")
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="ok", variant="primary")

    def _assignee(self) -> Select[str]:
        current = assignee_of(self.ticket) if self.ticket is not None else None
        if current is None and self.ticket is None and self.team is not None:
            current = f"agent:{self.team.agent_id}"  # a new ticket is the agent's own
        options = list(self.assignees)
        if current is not None and current not in {v for _l, v in options}:
            options.insert(0, (current.partition(":")[2], current))
        if current is None:
            return Select(options, prompt=_("Nobody"), id="assignee")
        return Select(options, prompt=_("Nobody"), id="assignee", value=current)

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
        member = (
            self.ticket.member_id
            if self.ticket is not None
            else getattr(self.draft, "member_id", None)
        )
        if member:
            self.load_refs(member)
        # at once, not by focus() (which lands a moment later): keys typed as soon as the
        # form shows went to the Type list, the screen's first focusable field, before it
        self.set_focus(self.query_one("#title", Input), scroll_visible=False)

    @work(thread=True, exclusive=True, group="ticket-refs")
    def load_refs(self, member_id: str) -> None:
        try:
            policies = self.data.store.policies
            known = {
                "policy_no": [p.policy_no for p in policies.for_member(member_id)],
                "claim_no": [c.claim_no for c in policies.claims_for_member(member_id)],
            }
        except Exception:  # without them the numbers are checked by their shape only
            return
        self.post_message(_Refs(known))

    @on(_Refs)
    def _refs(self, message: _Refs) -> None:
        self._known = message.known

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
        self._details = []
        for event in message.events:
            when, who, what, detail = history_row(event, self.team, self.zone)
            self._details.append(f"{when} {who} {what}: {detail}")
            table.add_row(when, who, what, detail if len(detail) <= DETAIL_CELL
                          else detail[: DETAIL_CELL - 1] + "…")  # fmt: skip
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

    @on(DataTable.RowHighlighted, "#history")
    def _history_line(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the highlighted line (a long note, every field changed) below the table."""
        if 0 <= event.cursor_row < len(self._details):
            self.query_one("#history-detail", Static).update(self._details[event.cursor_row])

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
            "description": self.query_one("#description", TextArea).text,
            "policy_no": self.query_one("#policy_no", Input).value,
            "claim_no": self.query_one("#claim_no", Input).value,
        }
        if not str(fields["title"]).strip():
            error.update(_("A ticket needs a title"))
            return
        insurer = self.ticket.insurer_id if self.ticket else getattr(self.draft, "insurer_id", None)
        for name in ("policy_no", "claim_no"):
            if str(fields[name]).strip() == self._value(name):
                continue  # accepted when it was first entered: only what is typed now is checked
            problem = check_ref(name, str(fields[name]), known=self._known.get(name, []),
                                insurer_id=insurer)  # fmt: skip
            if problem is not None:
                error.update(ref_message(problem))
                self.query_one(f"#{name}", Input).focus()
                return
        assignee = self.query_one("#assignee", Select).value
        assign_to = assignee if isinstance(assignee, str) else None
        if self.ticket is None:
            self.dismiss(TicketChange(fields=fields, assign_to=assign_to))
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
                assign_to=assign_to,
            )
        )
