"""Find a customer by mobile, ID number, name, policy no. or claim no.; results are masked.

The query runs in a thread worker (SQLite) and comes back as a message; a newer query cancels
an older one, so typing fast never shows stale results.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label

from cscdesk.domain.models import Member
from cscdesk.domain.privacy import mask_id_number, mask_mobile, mask_name
from cscdesk.tui.data import DeskData
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class _Results(Message):
    def __init__(self, query: str, members: list[Member], error: str | None) -> None:
        super().__init__()
        self.query = query
        self.members = members
        self.error = error


class SearchScreen(ModalScreen[str | None]):
    DEFAULT_CSS = (
        "SearchScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    SearchScreen .dialog { width: 100; height: 80%; }
    SearchScreen DataTable { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search-cancel")]
    AUTO_FOCUS = "#query"

    def __init__(self, data: DeskData, initial: str = "") -> None:
        super().__init__()
        localize(self)
        self.data = data
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Search customers"), classes="title")
            yield Input(
                value=self.initial,
                placeholder=_("Mobile, ID number, name, policy no. or claim no."),
                id="query",
            )
            yield Label("", id="count")
            table: DataTable[str] = DataTable(cursor_type="row", id="results")
            yield table

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        for key, label in (("name", "Name"), ("id", "ID number"), ("mobile", "Mobile"),
                           ("employee", "Employee no."), ("relation", "Relation")):  # fmt: skip
            table.add_column(_(label), key=key)
        if self.initial:
            self.run_search(self.initial)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        try:
            members = self.data.search(query)
        except Exception as exc:  # any store failure becomes a line on the dialog
            self.post_message(_Results(query, [], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Results(query, members, None))

    @on(_Results)
    def _show(self, message: _Results) -> None:
        table = self.query_one("#results", DataTable)
        table.clear()
        count = self.query_one("#count", Label)
        if message.error:
            count.update(_("Search failed") + f": {message.error}")
            return
        count.update(_("{n} found").format(n=len(message.members)))
        for member in message.members:
            table.add_row(
                mask_name(member.name),
                mask_id_number(member.id_number),
                mask_mobile(member.mobile) if member.mobile else "—",
                member.employee_no or "—",
                _(member.relation.value),
                key=member.id,
            )
        if message.members:
            table.focus()

    @on(DataTable.RowSelected, "#results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)
