"""A ticket in conflict: the same field changed here and in the call system since they last
agreed. The agent sees both values of each such field and keeps one, or writes a merged value
(text fields); both sides' other edits are kept, and the values not kept go into the history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from cscdesk.domain.models import Ticket
from cscdesk.sync.conflicts import FieldConflict, field_conflicts, settle
from cscdesk.sync.storage import SyncStorage
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS
from cscdesk.tui.team_tickets import TeamContext
from cscdesk.tui.ticket_history import field_label, value_text

TEXT_FIELDS = frozenset({"title", "description", "policy_no", "claim_no"})  # can be merged


class _Loaded(Message):
    def __init__(self, conflicts: list[FieldConflict], error: str | None) -> None:
        super().__init__()
        self.conflicts = conflicts
        self.error = error


class _Settled(Message):
    def __init__(self, ticket: Ticket | None, error: str | None) -> None:
        super().__init__()
        self.ticket = ticket
        self.error = error


def merged_draft(item: FieldConflict) -> str:
    """Both texts, this desk's first: a start the agent edits into one."""
    return " / ".join(str(v) for v in (item.local, item.remote) if v not in (None, ""))


class ConflictScreen(ModalScreen[Ticket | None]):
    DEFAULT_CSS = (
        "ConflictScreen { align: center middle; }"
        + DIALOG_CSS
        + """
    ConflictScreen .dialog { width: 110; max-width: 100%; height: 90%; }
    ConflictScreen .conflict { height: auto; border-top: solid $primary; padding-top: 1; }
    ConflictScreen .side { height: auto; }
    ConflictScreen .side > Label { width: 1fr; }
    ConflictScreen .merged { display: none; }
    ConflictScreen .merged.-shown { display: block; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="conflict-cancel")]

    def __init__(self, store: Any, ticket: Ticket, *, team: TeamContext | None, zone: tzinfo,
                 actor: str, now: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.storage = SyncStorage(store)
        self.ticket = ticket
        self.team = team
        self.zone = zone
        self.actor = actor
        self.now = now
        self.conflicts: list[FieldConflict] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(_("Sync conflict on ticket") + f" {self.ticket.number or self.ticket.id}",
                        classes="title")  # fmt: skip
            yield Label(_("These fields were changed here and in the call system. Keep one value"
                          " or write a merged one; the value not kept stays in the history."))  # fmt: skip
            yield Vertical(id="conflicts")
            yield Label("", id="conflict-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="conflict")
    def load(self) -> None:
        try:
            copy = self.storage.conflict(self.ticket.id)
        except Exception as exc:
            self.post_message(_Loaded([], f"{type(exc).__name__}: {exc}"))
            return
        if copy is None:
            self.post_message(_Loaded([], _("This ticket has no conflict any more")))
            return
        self.post_message(_Loaded(field_conflicts(copy), None))

    def _shown(self, name: str, value: Any) -> str:
        return value_text(name, None if value is None else str(value), self.team, self.zone)

    @on(_Loaded)
    def _loaded(self, message: _Loaded) -> None:
        if message.error:
            self.query_one("#conflict-error", Label).update(message.error)
            return
        self.conflicts = message.conflicts
        box = self.query_one("#conflicts", Vertical)
        for item in message.conflicts:
            name = item.field
            options = [(_("Keep this desk's value"), "local"),
                       (_("Take the call system's value"), "remote")]  # fmt: skip
            if name in TEXT_FIELDS:
                options.append((_("Write a merged value"), "merged"))
            choice: Select[str] = Select(options, allow_blank=False, id=f"choose-{name}")
            box.mount(Vertical(
                Label(field_label(name), classes="title"),
                Horizontal(
                    Label(_("This desk") + f": {self._shown(name, item.local)}"),
                    Label(_("Call system") + f": {self._shown(name, item.remote)}"),
                    classes="side",
                ),
                choice,
                Input(merged_draft(item), id=f"merged-{name}", classes="merged"),
                classes="conflict",
            ))  # fmt: skip

    @on(Select.Changed)
    def _choice(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("choose-")
        for merged in self.query(f"#merged-{name}"):
            merged.set_class(event.value == "merged", "-shown")

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in self.conflicts:
            side = self.query_one(f"#choose-{item.field}", Select).value
            if side == "merged":
                values[item.field] = self.query_one(f"#merged-{item.field}", Input).value
            else:
                values[item.field] = item.local if side == "local" else item.remote
        return values

    @on(Button.Pressed, "#ok")
    def _save(self) -> None:
        if self.conflicts:
            self.settle(self._values())

    @work(thread=True, exclusive=True, group="conflict-save", exit_on_error=False)
    def settle(self, values: dict[str, Any]) -> None:
        try:
            ticket = settle(self.storage, self.ticket.id, values, actor=self.actor, at=self.now())
        except Exception as exc:  # the conflict stays as it was: nothing lost
            self.post_message(_Settled(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(_Settled(ticket, None))

    @on(_Settled)
    def _settled(self, message: _Settled) -> None:
        if message.error is not None:
            self.query_one("#conflict-error", Label).update(_("Not saved") + f": {message.error}")
            return
        self.dismiss(message.ticket)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
