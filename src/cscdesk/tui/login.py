"""Sign-in, the idle lock screen, and the guard that locks an unattended desk (等保二级).

The screens only collect input and show outcomes; the decisions (lockout, audit, idle time)
live in ``cscdesk.security``. Password checks take argon2 time, so they run in a thread and the
screen stays responsive. The password field is cleared after every attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cscdesk.tui.i18n import _

if TYPE_CHECKING:  # the security layer loads after the desk's first frame (issue 20)
    from cscdesk.domain.access import User
    from cscdesk.security.desk import DeskSecurity
    from cscdesk.security.login import LoginResult, LoginService
    from cscdesk.security.session import DeskSession

CSS = """
LoginScreen, LockScreen { align: center middle; }
#login-box, #lock-box {
    width: 60; height: auto; padding: 1 2; border: thick $primary; background: $surface;
}
#login-message, #lock-message { color: $error; height: auto; }
"""


class LoginScreen(ModalScreen["LoginResult"]):
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
        from cscdesk.security.login import LoginFailed

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
        from cscdesk.security.login import LoginFailed

        password = event.value
        event.input.value = ""
        try:
            await asyncio.to_thread(self._session.unlock, password)
        except LoginFailed as exc:
            self.query_one("#lock-message", Static).update(str(exc))
            return
        self.dismiss(None)


class SecureDeskApp(App[Any]):
    """Base of the desk apps: sign-in first, any key or mouse input counts as activity, a timer
    locks the idle desk, reveals on request, logout audited on exit."""

    IDLE_CHECK_SECONDS = 5.0
    SECURITY_BINDINGS = [
        Binding("ctrl+l", "lock_desk", "Lock", id="lock", show=False),
        Binding("v", "reveal('mobile')", "Show mobile", id="reveal-mobile", show=False),
        Binding("V", "reveal('id_number')", "Show ID number", id="reveal-id", show=False),
    ]
    session: DeskSession | None = None
    security: DeskSecurity | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded and self.session:
            self.session.touch()
        await super().on_event(event)

    def begin_session(self, security: DeskSecurity, on_ready: Callable[[User], None]) -> None:
        """Sign in (or take the demo user), start the idle guard, then hand over the user."""
        self.security = security
        if security.auto_user is not None:
            self._started(security, security.auto_user, on_ready)
            return

        def signed_in(result: LoginResult | None) -> None:
            if result is None:
                self.exit()
                return
            if result.password_expired:
                self.notify(_("Your password has expired: change it now (cscdesk users passwd)."),
                            severity="warning", timeout=30)  # fmt: skip
            self._started(security, result.user, on_ready)

        self.push_screen(LoginScreen(security.login), signed_in)

    def _started(
        self, security: DeskSecurity, user: User, on_ready: Callable[[User], None]
    ) -> None:
        self.start_idle_guard(security.start_session(user))
        on_ready(user)

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

    def action_reveal(self, field: str) -> None:
        """Show one field of the customer on screen unmasked, after a reason, for a short time."""
        from cscdesk.tui.reveal import FIELD_LABELS, RevealScreen

        session, security = self.session, self.security
        member = getattr(getattr(self.screen, "state", None), "member", None)
        if session is None or security is None or member is None:
            self.notify(_("No customer on screen."), severity="warning")
            return
        value = getattr(member, field, None) or ""

        def revealed(granted: bool | None) -> None:
            if granted:
                shown = security.reveals.show(session.user, "member", member.id, field, value)
                seconds = security.reveals.duration.total_seconds()
                self.notify(f"{_(FIELD_LABELS.get(field, field))}: {shown}", timeout=seconds)

        self.push_screen(
            RevealScreen(security.reveals, session.user, target_type="member",
                         target_id=member.id, field=field),
            revealed,
        )  # fmt: skip

    async def on_unmount(self) -> None:
        if self.session is not None:
            self.session.end(reason="exit")
