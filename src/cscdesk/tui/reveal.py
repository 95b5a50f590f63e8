"""Reveal one masked field: the agent types why; the answer is audited either way.

The screen shows which record and field will be revealed and for how long; the permission
check, the reason rule and the audit event are the ``RevealService``'s.
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cscdesk.domain.access import AccessDenied, User
from cscdesk.security.reveal import RevealService
from cscdesk.tui.i18n import _

FIELD_LABELS = {
    "mobile": "mobile number",
    "id_number": "ID number",
    "bank_account": "bank account",
    "name": "name",
}


class RevealScreen(ModalScreen[bool]):
    """Dismissed with True when the field is revealed, False when cancelled or refused."""

    DEFAULT_CSS = """
    RevealScreen { align: center middle; }
    #reveal-box { width: 64; height: auto; padding: 1 2; border: thick $warning; background: $surface; }
    #reveal-message { color: $error; height: auto; }
    """
    BINDINGS = [("escape", "cancel", _("Cancel"))]

    def __init__(
        self,
        reveals: RevealService,
        user: User,
        *,
        target_type: str,
        target_id: str,
        field: str,
    ) -> None:
        super().__init__()
        self._reveals = reveals
        self._user = user
        self._target = (target_type, target_id)
        self._field = field

    def compose(self) -> ComposeResult:
        seconds = int(self._reveals.duration.total_seconds())
        with Vertical(id="reveal-box"):
            yield Static(
                _("Show the {field} unmasked for {seconds} s").format(
                    field=_(FIELD_LABELS.get(self._field, self._field)), seconds=seconds
                )
            )
            yield Label(_("Reason (recorded in the audit log)"))
            yield Input(id="reveal-reason")
            yield Static("", id="reveal-message")

    def on_mount(self) -> None:
        self.query_one("#reveal-reason", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted, "#reveal-reason")
    async def _submit(self, event: Input.Submitted) -> None:
        target_type, target_id = self._target
        try:
            await asyncio.to_thread(
                self._reveals.reveal,
                self._user,
                target_type=target_type,
                target_id=target_id,
                field=self._field,
                reason=event.value,
            )
        except AccessDenied:
            self.query_one("#reveal-message", Static).update(
                _("Your role may not reveal personal data; the attempt was recorded.")
            )
            return
        except ValueError:
            self.query_one("#reveal-message", Static).update(
                _("Type a reason of at least four characters.")
            )
            return
        self.dismiss(True)
