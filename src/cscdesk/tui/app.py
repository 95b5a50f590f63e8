"""The Textual application: language, theme and keymap from settings, then the chosen screen.

The app builds nothing itself (cli → wiring do). It is handed either ready ``DeskServices`` or a
``DeskStart``: settings and language for the first frame, and the composition root's builder,
which opens the store and starts the call-center connection (the embedded simulator) in a
thread after that frame is on screen, so the desk appears at once (issue 20: first paint was
4.5× a bare Textual app while the store and simulator started before it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from cscdesk.tui.i18n import _, set_language
from cscdesk.tui.keys import APP_ACTIONS, bindings, localize, palette_entries
from cscdesk.tui.login import SecureDeskApp

if TYPE_CHECKING:
    from cscdesk.config import Settings
    from cscdesk.tui.services import DeskServices

EXIT_START_FAILED = 2  # the builder refused (a store that cannot open, a wrong config): as the CLI


@dataclass(frozen=True)
class DeskStart:
    """What the first frame needs, and the builder of everything else (run after it)."""

    settings: Settings
    language: str
    build: Callable[[], DeskServices]


class StartingScreen(Screen[None]):
    """The first frame: the desk's title while the store opens and the call center connects."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(_("cscdesk — opening the store and connecting to the call center…"),
                         id="starting")  # fmt: skip


class DeskApp(SecureDeskApp):
    TITLE = "cscdesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        *SecureDeskApp.SECURITY_BINDINGS,
        *bindings(APP_ACTIONS),
    ]

    def __init__(self, services: DeskServices | DeskStart, *, role: str = "agent") -> None:
        self.language = set_language(services.language)
        super().__init__()
        localize(self)
        self._start = services if isinstance(services, DeskStart) else None
        self._settings = services.settings
        if not isinstance(services, DeskStart):
            self.services = services
        self.role = role
        self.title = _("cscdesk — customer service desk")
        self.start_error: str | None = None  # why the builder refused, for the CLI to print

    def on_mount(self) -> None:
        settings = self._settings
        if settings.desk.theme in self.available_themes:
            self.theme = settings.desk.theme
        else:
            self.notify(_("Unknown theme {theme}; using the default").format(theme=settings.desk.theme),
                        severity="warning")  # fmt: skip
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))
        if self._start is None:
            self._begin()
            return
        self.push_screen(StartingScreen())
        self.call_after_refresh(self.run_worker, self._build, thread=True, name="desk-start")

    def _build(self) -> None:
        """In a thread, after the first frame: the composition root's builder."""
        assert self._start is not None
        try:
            services = self._start.build()
        except Exception as exc:  # the builder's refusal (WiringError) or a fault: one line
            self.call_from_thread(self._start_failed, str(exc) or type(exc).__name__)
            return
        self.call_from_thread(self._built, services)

    def _built(self, services: DeskServices) -> None:
        self.services = services
        self.pop_screen()
        self._begin()

    def _start_failed(self, error: str) -> None:
        self.start_error = error
        self.exit(return_code=EXIT_START_FAILED)

    def _begin(self) -> None:
        if self.services.security is None:
            self.push_screen(self._first_screen())
        else:  # named login first; the screens then see only what this user may see
            self.begin_session(self.services.security, self._signed_in)

    def _signed_in(self, user: Any) -> None:
        from cscdesk.domain.access import Permission, can

        if user.role == "business_staff" and self.services.task_inbox is not None:
            from cscdesk.tui.screens.task_inbox import staff_inbox

            self.push_screen(staff_inbox(self.services, user))  # business staff take no calls
            return
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

        services = getattr(self, "services", None)  # none yet while the first frame waits
        knowledge = services.knowledge if services is not None else None
        pick_and_insert(self, knowledge or KnowledgeBase(None))

    async def on_unmount(self) -> None:
        # closing a broken connection must not turn an exit into a crash
        services = getattr(self, "services", None)  # None: closed before the builder finished
        if services is not None:
            with contextlib.suppress(Exception):
                await services.call_center.aclose()

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
        """The screen's own commands first, then Textual's (theme, quit, screenshot...) in the
        desk's language; Textual's "Keys" panel is left out: F1 is the desk's key list."""
        for action, title, help_text in palette_entries(getattr(screen, "ACTIONS", ())):
            method = getattr(screen, f"action_{action}", None)
            if method is not None:
                yield SystemCommand(_(title), _(help_text), method)
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        """The command palette, its search prompt in the desk's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"),
                                            id="--command-palette"))  # fmt: skip
