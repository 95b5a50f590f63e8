"""The desk's sign-in, idle lock and reveal screens, driven with Textual's Pilot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from textual.app import ComposeResult
from textual.widgets import Input, Static

from cscdesk.security.login import LoginPolicy, LoginResult, LoginService
from cscdesk.security.reveal import RevealService
from cscdesk.security.session import DeskSession
from cscdesk.store.users import UserRepository
from cscdesk.tui.i18n import set_language
from cscdesk.tui.login import LockScreen, LoginScreen, SecureDeskApp
from cscdesk.tui.reveal import RevealScreen

from .conftest import AGENT, PASSWORD, SECONDED, AuditTrail, Clock

MOBILE = "13812345678"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("zh_CN")


class DeskUnderTest(SecureDeskApp):
    def __init__(self, login: LoginService, reveals: RevealService, clock: Clock) -> None:
        super().__init__()
        self.login = login
        self.reveals = reveals
        self.clock = clock
        self.result: LoginResult | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="mobile")

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.login), self._signed_in)

    def _signed_in(self, result: LoginResult | None) -> None:
        assert result is not None
        self.result = result
        session = DeskSession(
            result.user,
            idle=timedelta(minutes=10),
            clock=self.clock,
            audit=self.login._audit,
            login=self.login,
            reveals=self.reveals,
        )
        self.start_idle_guard(session)
        self.show_mobile()

    def show_mobile(self) -> None:
        assert self.session is not None
        shown = self.reveals.show(self.session.user, "member", "M1", "mobile", MOBILE)
        self.query_one("#mobile", Static).update(shown)


def _desk(
    directory: object, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> DeskUnderTest:
    login = LoginService(user_repo, audit, LoginPolicy(), clock)
    return DeskUnderTest(login, RevealService(audit, timedelta(seconds=30), clock), clock)


async def _wait_for(pilot: object, condition: object) -> None:
    for _ in range(200):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


async def _sign_in(app: DeskUnderTest, pilot: object, user_id: str, password: str) -> None:
    app.screen.query_one("#login-user", Input).value = user_id
    app.screen.query_one("#login-password", Input).value = password
    app.screen.query_one("#login-password", Input).focus()
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_wrong_password_stays_on_login_then_right_one_opens_the_desk(
    directory: object, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> None:
    app = _desk(directory, user_repo, audit, clock)
    async with app.run_test() as pilot:
        assert isinstance(app.screen, LoginScreen)
        await _sign_in(app, pilot, AGENT.id, "Wrong-2026-xyz")
        message = app.screen.query_one("#login-message", Static)
        await _wait_for(pilot, lambda: "wrong" in str(message.render()))
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-password", Input).value == ""
        await _sign_in(app, pilot, AGENT.id, PASSWORD)
        await _wait_for(pilot, lambda: app.result is not None)
        assert app.result is not None and app.result.user.id == AGENT.id
        assert str(app.query_one("#mobile", Static).render()) == "138****5678"


async def test_idle_desk_locks_and_the_password_unlocks_it(
    directory: object, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> None:
    app = _desk(directory, user_repo, audit, clock)
    async with app.run_test() as pilot:
        await _sign_in(app, pilot, AGENT.id, PASSWORD)
        await _wait_for(pilot, lambda: app.session is not None)
        clock.advance(minutes=9)
        await pilot.press("x")  # activity restarts the idle clock
        clock.advance(minutes=9)
        app.lock_if_idle()
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)
        clock.advance(minutes=2)
        app.lock_if_idle()
        await _wait_for(
            pilot, lambda: isinstance(app.screen, LockScreen) and app.screen.query("#lock-password")
        )
        field = app.screen.query_one("#lock-password", Input)
        field.value = PASSWORD
        await pilot.press("enter")
        await _wait_for(pilot, lambda: not isinstance(app.screen, LockScreen))
    actions = [a for _, a, _ in audit.actions()]
    assert "screen_locked" in actions and "screen_unlocked" in actions


async def test_reveal_screen_needs_a_reason_and_a_permission(
    directory: object, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> None:
    app = _desk(directory, user_repo, audit, clock)
    async with app.run_test() as pilot:
        await _sign_in(app, pilot, SECONDED.id, PASSWORD)
        await _wait_for(pilot, lambda: app.session is not None)
        assert app.session is not None
        outcome: list[bool | None] = []
        app.push_screen(
            RevealScreen(
                app.reveals, app.session.user, target_type="member", target_id="M1", field="mobile"
            ),
            outcome.append,
        )
        await pilot.pause()
        app.screen.query_one("#reveal-reason", Input).value = "客户要求核对"
        await pilot.press("enter")
        message = app.screen.query_one("#reveal-message", Static)
        await _wait_for(pilot, lambda: "recorded" in str(message.render()))
        await pilot.press("escape")
        await _wait_for(pilot, lambda: outcome == [False])
        app.show_mobile()
        assert str(app.query_one("#mobile", Static).render()) == "138****5678"
    reveals = [r for r in audit.records if r.action == "reveal"]
    assert [(r.actor, r.success) for r in reveals] == [(SECONDED.id, False)]
    assert audit.records[-1].action == "logout"  # leaving the desk is audited too


async def test_reveal_screen_shows_the_field_for_an_agent_with_a_reason(
    directory: object, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> None:
    app = _desk(directory, user_repo, audit, clock)
    async with app.run_test() as pilot:
        await _sign_in(app, pilot, AGENT.id, PASSWORD)
        await _wait_for(pilot, lambda: app.session is not None)
        assert app.session is not None
        outcome: list[bool | None] = []
        app.push_screen(
            RevealScreen(
                app.reveals, app.session.user, target_type="member", target_id="M1", field="mobile"
            ),
            outcome.append,
        )
        await pilot.pause()
        app.screen.query_one("#reveal-reason", Input).value = "回拨客户"
        await pilot.press("enter")
        await _wait_for(pilot, lambda: outcome == [True])
        app.show_mobile()
        assert str(app.query_one("#mobile", Static).render()) == MOBILE
        clock.advance(seconds=31)
        app.show_mobile()
        assert str(app.query_one("#mobile", Static).render()) == "138****5678"
    reveal = [r for r in audit.records if r.action == "reveal"]
    assert [(r.actor, r.success, r.detail["reason"]) for r in reveal] == [
        (AGENT.id, True, "回拨客户")
    ]
