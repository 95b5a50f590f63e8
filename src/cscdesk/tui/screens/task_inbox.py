"""The task inbox: hand-offs to work, and customers to tell (告知).

Business staff see the tasks routed to them or their team; a seconded agent sees the service
requests to their insurer (their data scope); every agent sees the "tell the customer" steps of
their own tickets. Take (受理), reply, hand back and close go through ``store.task_inbox``,
which checks the person may and lets only one of two people acting at once win; a reply shows
on the agent's ticket at once. Store work runs in thread workers that answer with messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label

from cscdesk.domain.handoffs import Channel, CustomerNotice, Handoff, HandoffState, NoticeMethod
from cscdesk.domain.privacy import mask_numbers_in_text
from cscdesk.store.customer_notices import CustomerNotices
from cscdesk.store.task_inbox import TaskInbox, Worker
from cscdesk.tui.format import local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize

STATE_LABELS = {
    HandoffState.QUEUED: "Waiting",
    HandoffState.SENT: "Sent",
    HandoffState.ACKNOWLEDGED: "In progress",
    HandoffState.ANSWERED: "Answered",
    HandoffState.HANDED_BACK: "Handed back",
    HandoffState.CLOSED: "Closed",
    HandoffState.FAILED: "Not delivered",
}
CHANNEL_LABELS = {
    Channel.API: "Insurer system",
    Channel.SECONDED: "Insurer request",
    Channel.STAFF: "Staff task",
}
NOTICE_LABELS = {NoticeMethod.CALLBACK: "Call the customer", NoticeMethod.SMS: "Send an SMS"}
# Fixed widths (cells): a CJK label would otherwise size its column to two characters.
COLUMNS = (("kind", "Kind", 18), ("ticket", "Ticket", 30), ("state", "State", 12),
           ("due", "Due", 11), ("who", "For", 16), ("text", "Request", 40))  # fmt: skip
TEXT_WIDTH = 40


@dataclass(frozen=True, slots=True)
class InboxRow:
    key: str
    handoff: Handoff | None = None
    notice: CustomerNotice | None = None


class InboxLoaded(Message):
    def __init__(self, rows: list[InboxRow], tickets: dict[str, str], error: str | None = None
                 ) -> None:  # fmt: skip
        super().__init__()
        self.rows = rows
        self.tickets = tickets
        self.error = error


class InboxDone(Message):
    def __init__(self, text: str, error: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class TextDialog(ModalScreen[str | None]):
    """One line of text (a reply, a reason); empty text is refused with a message."""

    DEFAULT_CSS = """
    TextDialog { align: center middle; }
    TextDialog > Vertical { width: 70; height: auto; border: round $primary; padding: 1 2;
                            background: $surface; }
    TextDialog Horizontal { height: auto; align-horizontal: right; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="text-cancel")
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        localize(self)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title)
            yield Input(id="text")
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("OK"), id="ok", variant="primary")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancelled(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.notify(_("Type the text first"), severity="warning")
            return
        self.dismiss(text)


class TaskInboxScreen(Screen[None]):
    DEFAULT_CSS = """
    TaskInboxScreen #inbox-title { height: 1; padding: 0 1; background: $boost; }
    TaskInboxScreen #inbox-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_screen", "Back", id="inbox-back"),
        Binding("a", "take", "Take", id="inbox-take"),
        Binding("r", "reply", "Reply", id="inbox-reply"),
        Binding("b", "hand_back", "Hand back", id="inbox-hand-back"),
        Binding("x", "close_item", "Close", id="inbox-close"),
        Binding("d", "told", "Customer told", id="inbox-told"),
        Binding("f5", "refresh", "Refresh", id="inbox-refresh"),
    ]

    def __init__(self, inbox: TaskInbox, worker: Worker, *, zone: tzinfo,
                 now: Callable[[], datetime], can_exit: bool = True) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.inbox = inbox
        self.notices = CustomerNotices(inbox.store)
        self.worker = worker
        self.zone = zone
        self.now = now
        self.can_exit = can_exit
        self.rows: dict[str, InboxRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Task inbox"), id="inbox-title")
            table: DataTable[str] = DataTable(cursor_type="row", id="inbox-table")
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#inbox-table", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(_(label), key=key, width=width)
        self.load()

    # --- reading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="inbox-load", exit_on_error=False)
    def load(self) -> None:
        try:
            rows = [InboxRow(h.id, handoff=h) for h in self.inbox.items(self.worker)]
            rows += [InboxRow(n.id, notice=n) for n in self.notices.open_for(self.worker.user_id)]
            tickets = {}
            for row in rows:
                ticket_id = row.handoff.ticket_id if row.handoff else row.notice.ticket_id  # type: ignore[union-attr]
                ticket = self.inbox.store.tickets.get(ticket_id)
                if ticket is not None:
                    tickets[ticket_id] = f"{ticket.number or ticket.id} {ticket.title}"
        except Exception as exc:  # a store failure is one line on the title, never a crash
            self.post_message(InboxLoaded([], {}, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(InboxLoaded(rows, tickets))

    @on(InboxLoaded)
    def _loaded(self, message: InboxLoaded) -> None:
        title = self.query_one("#inbox-title", Label)
        if message.error:
            title.update(_("Task inbox not readable: {error}").format(error=message.error))
            return
        self.rows = {row.key: row for row in message.rows}
        table = self.query_one("#inbox-table", DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(*self._cells(row, message.tickets), key=row.key)
        tasks = sum(1 for row in message.rows if row.handoff is not None)
        title.update(_("Task inbox: {tasks} to work, {told} customers to tell").format(
            tasks=tasks, told=len(message.rows) - tasks))  # fmt: skip

    def _cells(self, row: InboxRow, tickets: dict[str, str]) -> tuple[str, ...]:
        if row.handoff is not None:
            h = row.handoff
            text = mask_numbers_in_text(h.reply or h.request)[:TEXT_WIDTH]
            who = h.assignee or h.team or h.insurer_id or "—"
            return (_(CHANNEL_LABELS[h.channel]), tickets.get(h.ticket_id, h.ticket_id),
                    _(STATE_LABELS[h.state]), local_time(h.due_at, self.zone), who, text)  # fmt: skip
        notice = row.notice
        assert notice is not None
        trigger = _("the answer") if notice.trigger.value == "answer" else _("the hand-off")
        return (_(NOTICE_LABELS.get(notice.method, "Tell the customer")),
                tickets.get(notice.ticket_id, notice.ticket_id), _("To do"),
                local_time(notice.created_at, self.zone), _("me"),
                _("Tell the customer about {what}").format(what=trigger))  # fmt: skip

    def _selected(self) -> InboxRow | None:
        table = self.query_one("#inbox-table", DataTable)
        if table.row_count == 0:
            self.notify(_("Nothing selected"), severity="warning")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def _chosen_task(self) -> Handoff | None:
        row = self._selected()
        if row is not None and row.handoff is None:
            self.notify(_("Select a task or request, not a customer to tell"), severity="warning")
            return None
        return None if row is None else row.handoff

    # --- actions ---------------------------------------------------------------------------
    def action_close_screen(self) -> None:
        if self.can_exit:
            self.dismiss(None)

    def action_refresh(self) -> None:
        self.load()

    def action_take(self) -> None:
        if (task := self._chosen_task()) is not None:
            self.write(lambda: self.inbox.take(task.id, self.worker, at=self.now()),
                       _("Taken: it is yours to answer"))  # fmt: skip

    def action_reply(self) -> None:
        self._ask(_("Reply (the agent sees it on the ticket)"), self.inbox.reply,
                  _("Reply sent to the ticket"))  # fmt: skip

    def action_hand_back(self) -> None:
        self._ask(_("Why is it handed back?"), self.inbox.hand_back, _("Handed back to the agent"))

    def _ask(self, title: str, change: Callable[..., Any], done: str) -> None:
        task = self._chosen_task()
        if task is None:
            return

        def typed(text: str | None) -> None:
            if text:
                self.write(lambda: change(task.id, self.worker, text, at=self.now()), done)

        self.app.push_screen(TextDialog(title), typed)

    def action_close_item(self) -> None:
        if (task := self._chosen_task()) is not None:
            self.write(lambda: self.inbox.close(task.id, self.worker.user_id, at=self.now()),
                       _("Closed"))  # fmt: skip

    def action_told(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.notice is None:
            self.notify(_("Select a customer to tell"), severity="warning")
            return
        notice_id = row.notice.id
        self.write(lambda: self.notices.done(notice_id, by=self.worker.user_id, at=self.now()),
                   _("Marked as told"))  # fmt: skip

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def write(self, change: Callable[[], object], done: str) -> None:
        """One change; a refusal (not yours, changed meanwhile, a wrong step) is one line."""
        try:
            change()
        except Exception as exc:  # never a traceback: say what and where
            self.post_message(InboxDone("", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(InboxDone(done))

    @on(InboxDone)
    def _done(self, message: InboxDone) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify(message.text)
        self.load()


def staff_inbox(services: Any, user: Any) -> TaskInboxScreen:
    """The first and only screen of business staff (account managers, claims, underwriting)."""
    from zoneinfo import ZoneInfo

    inbox: TaskInbox = services.task_inbox
    return TaskInboxScreen(inbox, inbox.worker(user), zone=ZoneInfo(services.settings.sla.timezone),
                           now=services.now, can_exit=False)  # fmt: skip
