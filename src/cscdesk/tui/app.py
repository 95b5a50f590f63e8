"""The Textual application: language, theme and keymap from settings, then the chosen screen.

The app is handed a ready ``DeskServices`` and builds nothing itself (cli → wiring do).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cscdesk.tui.i18n import _, set_language
from cscdesk.tui.keys import APP_ACTIONS, bindings, localize, palette_entries
from cscdesk.tui.login import SecureDeskApp
from cscdesk.tui.services import DeskServices


class DeskApp(SecureDeskApp):
    TITLE = "cscdesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        *SecureDeskApp.SECURITY_BINDINGS,
        *bindings(APP_ACTIONS),
    ]

    def __init__(self, services: DeskServices, *, role: str = "agent") -> None:
        self.language = set_language(services.language)
        super().__init__()
        localize(self)
        self.services = services
        self.role = role
        self.title = _("cscdesk — customer service desk")

    def on_mount(self) -> None:
        settings = self.services.settings
        if settings.desk.theme in self.available_themes:
            self.theme = settings.desk.theme
        else:
            self.notify(_("Unknown theme {theme}; using the default").format(theme=settings.desk.theme),
                        severity="warning")  # fmt: skip
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))
        if self.services.security is None:
            self.push_screen(self._first_screen())
        else:  # named login first; the screens then see only what this user may see
            self.begin_session(self.services.security, self._signed_in)

    def _signed_in(self, user: Any) -> None:
        from cscdesk.domain.access import Permission, can

        needed = Permission.VIEW_WALLBOARD if self.role == "lead" else Permission.TAKE_CALLS
        if not can(user, needed):
            self.notify(_("Your role ({role}) may not open this screen.").format(role=user.role),
                        severity="error", timeout=15)  # fmt: skip
            self.exit()
            return
        self.services = self.services.for_user(user)  # the session's own copy
        self.push_screen(self._first_screen())

    def action_insert_snippet(self) -> None:
        """F3: a canned note or call script into the note field that has the cursor."""
        from cscdesk.knowledge import KnowledgeBase
        from cscdesk.tui.snippets import pick_and_insert

        pick_and_insert(self, self.services.knowledge or KnowledgeBase(None))

    async def on_unmount(self) -> None:
        # closing a broken connection must not turn an exit into a crash
        with contextlib.suppress(Exception):
            await self.services.call_center.aclose()

    def _first_screen(self) -> Screen[Any]:
        if self.role == "lead":
            try:
                from cscdesk.tui.lead.screen import LeadScreen
            except ImportError as exc:
                self.notify(_("The team-lead wallboard is not available: {error}").format(error=exc),
                            severity="error", timeout=15)  # fmt: skip
            else:
                return LeadScreen(self.services)
        from cscdesk.tui.desk import AgentScreen

        return AgentScreen(self.services)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action, title, help_text in palette_entries(getattr(screen, "ACTIONS", ())):
            method = getattr(screen, f"action_{action}", None)
            if method is not None:
                yield SystemCommand(_(title), _(help_text), method)
