"""Sign-in, the idle lock screen, and the guard that locks an unattended desk (等保二级).

The screens only collect input and show outcomes; the decisions (lockout, audit, idle time)
live in ``cscdesk.security``. Password checks take argon2 time, so they run in a thread and the
screen stays responsive. The password field is cleared after every attempt.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events, on
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cscdesk.security.login import LoginFailed, LoginResult, LoginService
from cscdesk.security.session import DeskSession
from cscdesk.tui.i18n import _

CSS = """
LoginScreen, LockScreen { align: center middle; }
#login-box, #lock-box {
    width: 60; height: auto; padding: 1 2; border: thick $primary; background: $surface;
}
#login-message, #lock-message { color: $error; height: auto; }
"""


class LoginScreen(ModalScreen[LoginResult]):
    """Every desk session starts here; dismissed with the signed-in user, never without one."""

    DEFAULT_CSS = CSS
    BINDINGS = [("escape", "app.quit", _("Quit"))]

    def __init__(self, login: LoginService, user_id: str | None = None) -> None:
        super().__init__()
        self._login = login
        self._user_id = user_id or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(_("cscdesk — sign in"), classes="title")
            yield Label(_("User ID"))
            yield Input(value=self._user_id, id="login-user")
            yield Label(_("Password"))
            yield Input(password=True, id="login-password")
            yield Static("", id="login-message")
            yield Button(_("Sign in"), id="login-submit", variant="primary")

    def on_mount(self) -> None:
        target = "#login-password" if self._user_id else "#login-user"
        self.query_one(target, Input).focus()

    @on(Input.Submitted, "#login-user")
    def _next_field(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-submit")
    async def _submit(self) -> None:
        user_id = self.query_one("#login-user", Input).value.strip()
        password_input = self.query_one("#login-password", Input)
        password = password_input.value
        password_input.value = ""
        message = self.query_one("#login-message", Static)
        if not user_id or not password:
            message.update(_("Enter your user ID and password."))
            return
        try:
            result = await asyncio.to_thread(self._login.login, user_id, password)
        except LoginFailed as exc:
            message.update(str(exc))
            password_input.focus()
            return
        self.dismiss(result)


class LockScreen(ModalScreen[None]):
    """The desk after idle time: nothing of the desk is visible, only the same user's password opens it."""

    DEFAULT_CSS = CSS + "LockScreen { background: $background; }"

    def __init__(self, session: DeskSession) -> None:
        super().__init__()
        self._session = session

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(_("The desk is locked"), classes="title")
            yield Label(_("Signed in as {user}").format(user=self._session.user.id))
            yield Input(password=True, id="lock-password", placeholder=_("Password"))
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-password")
    async def _unlock(self, event: Input.Submitted) -> None:
        password = event.value
        event.input.value = ""
        try:
            await asyncio.to_thread(self._session.unlock, password)
        except LoginFailed as exc:
            self.query_one("#lock-message", Static).update(str(exc))
            return
        self.dismiss(None)


class IdleLockApp(App[Any]):
    """Mixin base for the desk apps: any key or mouse input counts as activity; a timer locks.

    Subclasses set ``self.session`` after login and call ``start_idle_guard``.
    """

    session: DeskSession | None = None
    IDLE_CHECK_SECONDS = 5.0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded and self.session:
            self.session.touch()
        await super().on_event(event)

    def start_idle_guard(self, session: DeskSession) -> None:
        self.session = session
        self.set_interval(self.IDLE_CHECK_SECONDS, self.lock_if_idle, name="idle-lock")

    def lock_if_idle(self) -> None:
        session = self.session
        if session is None or isinstance(self.screen, LockScreen):
            return
        if session.check():
            self.push_screen(LockScreen(session))

    def action_lock_desk(self) -> None:
        """Lock now (the agent steps away): same screen as the idle lock."""
        if self.session is not None and not isinstance(self.screen, LockScreen):
            self.session.lock(reason="user")
            self.push_screen(LockScreen(self.session))
