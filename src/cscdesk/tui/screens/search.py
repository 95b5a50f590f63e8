"""Find a customer by mobile, ID number, any part of a name, policy no. or claim no.

Results are masked, and show what tells namesakes apart without unmasking anything: employer,
birth year, relation and how many policies; the count is the true number of matches.

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

from cscdesk.store.members import MemberSearch
from cscdesk.tui.data import DeskData
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class _Results(Message):
    def __init__(self, query: str, found: MemberSearch | None, error: str | None) -> None:
        super().__init__()
        self.query = query
        self.found = found
        self.error = error


class SearchScreen(ModalScreen[str | None]):
    DEFAULT_CSS = (
        "SearchScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    SearchScreen .dialog { width: 118; max-width: 100%; height: 80%; }
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
                placeholder=_("Mobile, ID number, any part of a name, policy no. or claim no."),
                id="query",
            )
            yield Label("", id="count")
            table: DataTable[str] = DataTable(cursor_type="row", id="results")
            yield table

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        for key, label in (("name", "Name"), ("employer", "Employer"), ("born", "Born"),
                           ("relation", "Relation"), ("policies", "Policies"),
                           ("mobile", "Mobile"), ("id", "ID number")):  # fmt: skip
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
            found = self.data.search(query)
        except Exception as exc:  # any store failure becomes a line on the dialog
            self.post_message(_Results(query, None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Results(query, found, None))

    @on(_Results)
    def _show(self, message: _Results) -> None:
        table = self.query_one("#results", DataTable)
        table.clear()
        count = self.query_one("#count", Label)
        if message.error or message.found is None:
            count.update(_("Search failed") + f": {message.error}")
            return
        found = message.found
        if found.total > len(found.hits):
            count.update(_("{total} found, the first {n} shown: add to the search to narrow it")
                         .format(total=found.total, n=len(found.hits)))  # fmt: skip
        else:
            count.update(_("{n} found").format(n=found.total))
        for hit in found.hits:
            shown = hit.masked()
            table.add_row(
                shown["name"], hit.employer, shown["birth_year"], _(hit.relation.value),
                shown["policies"], shown["mobile"] or "—", shown["id_number"], key=hit.member.id,
            )  # fmt: skip
        if found.hits:
            table.focus()

    @on(DataTable.RowSelected, "#results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)
