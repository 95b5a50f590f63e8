"""The lead's ticket board (班长工单看板), reached from the wallboard: the center's unfinished
tickets per group and agent, due within the hour, overdue, escalated to each insurer and waiting
on the customer; moving along the board lists that bucket's tickets, Enter reads one with its
history (``ticket_detail``).

Counts come from one grouped read (``store.ticket_board``) and each list from the team view the
count stands for, both in thread workers; handlers own the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from cscdesk.domain.models import Ticket
from cscdesk.domain.ticket_board import Bucket, BucketKind, bucket_query, buckets
from cscdesk.store.ticket_board import board_counts
from cscdesk.tui.format import countdown
from cscdesk.tui.i18n import _, current_language
from cscdesk.tui.keys import localize
from cscdesk.tui.lead.ticket_detail import TicketDetailScreen
from cscdesk.tui.services import DeskServices

REFRESH_SECONDS = 10.0
BUCKET_LABELS = {
    BucketKind.ALL: "All open tickets",
    BucketKind.UNASSIGNED: "Unassigned",
    BucketKind.DUE_WITHIN_HOUR: "Due within the hour",
    BucketKind.OVERDUE: "Overdue",
    BucketKind.WAITING_CUSTOMER: "Waiting on the customer",
    BucketKind.ESCALATED: "Escalated to {name}",
    BucketKind.GROUP: "Group {name}",
    BucketKind.AGENT: "Agent {name}",
}
TICKET_COLUMNS = (("number", "Ticket"), ("status", "Status"), ("title", "Title"),
                  ("owner", "Owner"), ("due", "Due"))  # fmt: skip


class BoardLoaded(Message):
    def __init__(self, rows: list[Bucket], error: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.error = error


class BucketListed(Message):
    def __init__(self, key: str, tickets: list[Ticket], error: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.tickets = tickets
        self.error = error


def row_key(bucket: Bucket) -> str:
    return f"{bucket.kind.value}:{bucket.key or ''}"


class TicketBoardScreen(Screen[None]):
    DEFAULT_CSS = """
    TicketBoardScreen #board-title { height: 1; padding: 0 1; background: $boost; }
    TicketBoardScreen #board { width: 44; height: 1fr; }
    TicketBoardScreen #board-tickets { width: 1fr; height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_screen", "Back", id="board-back"),
        Binding("f5", "refresh", "Refresh", id="board-refresh"),
    ]

    def __init__(self, services: DeskServices, *, now: Callable[[], datetime]) -> None:
        super().__init__()
        localize(self)
        self.services = services
        self.now = now
        self.rows: dict[str, Bucket] = {}
        self.tickets: dict[str, Ticket] = {}
        self.showing: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(_("Team tickets"), id="board-title")
        with Horizontal():
            yield DataTable(cursor_type="row", id="board")
            yield DataTable(cursor_type="row", id="board-tickets")
        yield Footer()

    def on_mount(self) -> None:
        board = self.query_one("#board", DataTable)
        board.add_column(_("Tickets"), key="bucket")
        board.add_column(_("Open"), key="count")
        listing = self.query_one("#board-tickets", DataTable)
        for key, label in TICKET_COLUMNS:
            listing.add_column(_(label), key=key)
        board.focus()
        self.load_board()
        self.set_interval(REFRESH_SECONDS, self.load_board)  # desks keep working meanwhile

    # --- names -------------------------------------------------------------------------------
    def label(self, bucket: Bucket) -> str:
        directory = self.services.directory
        key = bucket.key or ""
        if bucket.kind is BucketKind.ESCALATED:
            name = directory.insurer_name(key)
        elif bucket.kind is BucketKind.GROUP:
            name = directory.group_name(key, english=current_language() == "en") or key
        elif bucket.kind is BucketKind.AGENT:
            name = self.person(key)
        else:
            name = ""
        return _(BUCKET_LABELS[bucket.kind]).format(name=name)

    def person(self, agent_id: str | None) -> str:
        if not agent_id:
            return "—"
        agent = self.services.directory.agent(agent_id)
        return agent.name if agent else agent_id

    # --- workers -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="board-counts", exit_on_error=False)
    def load_board(self) -> None:
        directory = self.services.directory
        try:
            counts = board_counts(self.services.store, self.now())
        except Exception as exc:  # the store said no: a line on the title, never a crash
            self.post_message(BoardLoaded([], f"{type(exc).__name__}: {exc}"))
            return
        rows = buckets(counts, groups=tuple(g.id for g in directory.skill_groups),
                       agents=tuple(a.id for a in directory.agents),
                       insurers=tuple(i.id for i in directory.insurers))  # fmt: skip
        self.post_message(BoardLoaded(rows))

    @work(thread=True, exclusive=True, group="board-list", exit_on_error=False)
    def list_bucket(self, bucket: Bucket) -> None:
        key = row_key(bucket)
        try:
            tickets = self.services.store.tickets.view(
                bucket_query(bucket.kind, bucket.key, self.now())
            )
        except Exception as exc:
            self.post_message(BucketListed(key, [], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(BucketListed(key, tickets))

    # --- handlers ----------------------------------------------------------------------------
    @on(BoardLoaded)
    def _board_loaded(self, message: BoardLoaded) -> None:
        title = self.query_one("#board-title", Label)
        if message.error:
            title.update(_("Tickets not readable: {error}").format(error=message.error))
            return
        board = self.query_one("#board", DataTable)
        at = board.cursor_row
        board.clear()
        self.rows = {row_key(b): b for b in message.rows}
        for bucket in message.rows:
            board.add_row(self.label(bucket), str(bucket.count), key=row_key(bucket))
        board.move_cursor(row=min(at, board.row_count - 1))
        title.update(_("Team tickets at {time}").format(time=f"{self.now():%H:%M}"))
        self._show_selected()

    @on(DataTable.RowHighlighted, "#board")
    def _bucket_highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        board = self.query_one("#board", DataTable)
        if board.row_count == 0:
            return
        key = str(board.coordinate_to_cell_key(board.cursor_coordinate).row_key.value)
        if key in self.rows:
            self.list_bucket(self.rows[key])

    @on(BucketListed)
    def _listed(self, message: BucketListed) -> None:
        if message.error:
            self.notify(message.error, severity="error")
            return
        listing = self.query_one("#board-tickets", DataTable)
        kept = None  # the same bucket again (a refresh): the cursor stays on its ticket
        if message.key == self.showing and listing.row_count:
            kept = listing.coordinate_to_cell_key(listing.cursor_coordinate).row_key.value
        self.showing = message.key
        self.tickets = {t.id: t for t in message.tickets}
        listing.clear()
        now = self.now()
        for t in message.tickets:
            due = countdown(t.due_at, now) if t.due_at else "—"
            listing.add_row(t.number or t.id, _(t.status.value), t.title,
                            self.person(t.owner), due, key=t.id)  # fmt: skip
        if kept in self.tickets:
            listing.move_cursor(row=listing.get_row_index(str(kept)))

    @on(DataTable.RowSelected, "#board")
    def _bucket_chosen(self) -> None:
        listing = self.query_one("#board-tickets", DataTable)
        if listing.row_count:
            listing.focus()

    @on(DataTable.RowSelected, "#board-tickets")
    def _ticket_chosen(self, event: DataTable.RowSelected) -> None:
        ticket = self.tickets.get(str(event.row_key.value))
        if ticket is not None:
            self.app.push_screen(
                TicketDetailScreen(self.services, ticket, person=self.person, now=self.now)
            )

    def action_close_screen(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.load_board()
