"""F1 / ?: every key of the screen underneath, as remapped by ``settings.keymap``, with its id."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = (
        "HelpScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    HelpScreen .dialog { width: 80; height: 85%; }
    HelpScreen DataTable { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help-close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        """``rows``: (key, what it does, binding id) for each active binding."""
        super().__init__()
        localize(self)
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Keys"), classes="title")
            table: DataTable[str] = DataTable(cursor_type="row")
            yield table
            yield Label(_('Remap any key in the config file: [keymap] id = "key".'))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Key"), key="key")
        table.add_column(_("Action"), key="action")
        table.add_column(_("Binding id"), key="id")
        for row in self.rows:
            table.add_row(*row)
        table.focus()  # arrow keys, Page Up/Down and Home/End scroll the list

    def action_close(self) -> None:
        self.dismiss(None)
