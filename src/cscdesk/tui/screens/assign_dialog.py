"""Hand a ticket over: to an agent (who then works it) or to a group's queue (one of its agents
claims it), with a note saying why. Returns ``(target, note)``; Escape cancels with None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, Select

from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.tui.i18n import _
from cscdesk.tui.screens.dialogs import _Dialog


def assignee_options(directory: CenterDirectory, *, english: bool) -> list[tuple[str, str]]:
    """Groups first (a queue), then agents by name: ``group:<id>`` / ``agent:<id>`` values."""
    groups = [
        (_("Group") + f": {g.name_en if english else g.name}", f"group:{g.id}")
        for g in directory.skill_groups
    ]
    agents = [(f"{a.name} ({a.id})", f"agent:{a.id}") for a in directory.agents]
    return groups + sorted(agents)


class AssignDialog(_Dialog[tuple[str, str | None]]):
    def __init__(self, ticket_label: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.ticket_label = ticket_label
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Hand over ticket") + f" {self.ticket_label}", classes="title")
            yield Label(_("To an agent or a group's queue"))
            yield Select(self.options, prompt=_("Choose…"), id="assignee")
            yield Label(_("Why (the new owner reads it in the history)"))
            yield Input(id="assign-note")
            yield Label("", id="assign-error", classes="error")
            yield self.buttons("Hand over")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        target = self.query_one("#assignee", Select).value
        if not isinstance(target, str):
            self.query_one("#assign-error", Label).update(_("Choose an agent or a group"))
            return
        note = self.query_one("#assign-note", Input).value.strip() or None
        self.dismiss((target, note))
