"""Named logins: lockout after N failures, idle lock, password age, every attempt audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cscdesk.domain.access import LockoutRule
from cscdesk.security.lockout import StoreUnknownIds
from cscdesk.security.login import AccountLocked, LoginFailed, LoginPolicy, LoginService
from cscdesk.security.reveal import RevealService
from cscdesk.security.session import DeskSession
from cscdesk.security.users import UserDirectory
from cscdesk.store import Store
from cscdesk.store.users import UserRepository

from .conftest import AGENT, PASSWORD, AuditTrail, Clock

POLICY = LoginPolicy(LockoutRule(attempts=3, lock_for=timedelta(minutes=15)))


@pytest.fixture
def login(
    directory: UserDirectory, user_repo: UserRepository, audit: AuditTrail, clock: Clock
) -> LoginService:
    return LoginService(user_repo, audit, POLICY, clock)


def test_right_password_signs_in_and_is_audited(login: LoginService, audit: AuditTrail) -> None:
    result = login.login(AGENT.id, PASSWORD)
    assert result.user.id == AGENT.id
    assert not result.password_expired
    assert audit.actions() == [(AGENT.id, "login", True)]


def test_unknown_user_and_wrong_password_read_the_same(login: LoginService) -> None:
    with pytest.raises(LoginFailed) as unknown:
        login.login("nobody", PASSWORD)
    with pytest.raises(LoginFailed) as wrong:
        login.login(AGENT.id, "Wrong-2026-xyz")
    assert str(unknown.value) == str(wrong.value)


def test_third_failure_locks_the_account_for_the_configured_time(
    login: LoginService, audit: AuditTrail, clock: Clock
) -> None:
    for _ in range(2):
        with pytest.raises(LoginFailed):
            login.login(AGENT.id, "Wrong-2026-xyz")
    with pytest.raises(AccountLocked) as locked:
        login.login(AGENT.id, "Wrong-2026-xyz")
    assert locked.value.until == clock.now + timedelta(minutes=15)
    # Even the right password is refused while locked.
    clock.advance(minutes=14)
    with pytest.raises(AccountLocked):
        login.login(AGENT.id, PASSWORD)
    clock.advance(minutes=1, seconds=1)
    assert login.login(AGENT.id, PASSWORD).user.id == AGENT.id
    actions = [a for _, a, _ in audit.actions()]
    assert actions.count("account_locked") == 1
    assert [s for _, a, s in audit.actions() if a == "login"] == [False] * 4 + [True]


def test_success_resets_the_failure_count(login: LoginService) -> None:
    for _ in range(2):
        with pytest.raises(LoginFailed):
            login.login(AGENT.id, "Wrong-2026-xyz")
    login.login(AGENT.id, PASSWORD)
    for _ in range(2):
        with pytest.raises(LoginFailed):
            login.login(AGENT.id, "Wrong-2026-xyz")
    assert login.login(AGENT.id, PASSWORD).user.id == AGENT.id


def test_disabled_account_cannot_sign_in(
    login: LoginService, directory: UserDirectory, audit: AuditTrail
) -> None:
    from .conftest import ADMIN

    directory.set_disabled(ADMIN, AGENT.id, True)
    with pytest.raises(LoginFailed):
        login.login(AGENT.id, PASSWORD)
    assert audit.records[-1].detail["reason"] == "disabled"


def test_old_password_must_be_changed(login: LoginService, clock: Clock) -> None:
    clock.advance(days=91)
    assert login.login(AGENT.id, PASSWORD).password_expired


def test_desk_locks_itself_after_idle_time_and_only_the_password_opens_it(
    login: LoginService, audit: AuditTrail, clock: Clock
) -> None:
    reveals = RevealService(audit, timedelta(seconds=30), clock)
    user = login.login(AGENT.id, PASSWORD).user
    session = DeskSession(
        user, idle=timedelta(minutes=10), clock=clock, audit=audit, login=login, reveals=reveals
    )
    clock.advance(minutes=9)
    assert not session.check()
    session.touch()
    clock.advance(minutes=9)
    assert not session.check()  # activity restarted the idle clock
    reveals.reveal(user, target_type="member", target_id="M1", field="mobile", reason="回拨客户")
    clock.advance(minutes=1)
    assert session.check()
    session.touch()  # a key press on the lock screen does not unlock
    assert session.locked
    assert not reveals.is_revealed(user, "member", "M1", "mobile")  # reveals forgotten on lock
    with pytest.raises(LoginFailed):
        session.unlock("Wrong-2026-xyz")
    assert session.locked
    session.unlock(PASSWORD)
    assert not session.locked
    session.end()
    actions = [a for _, a, _ in audit.actions()]
    assert actions[-4:] == ["login", "login", "screen_unlocked", "logout"]
    assert "screen_locked" in actions


def test_an_unknown_id_locks_like_a_real_one_with_the_same_message(
    directory: UserDirectory, user_repo: UserRepository, audit: AuditTrail, clock: Clock,
    store: Store,
) -> None:  # fmt: skip
    """Three wrong passwords for a real id and for one that does not exist read the same, and
    the unknown id stays locked in another process (a new service over the same store)."""
    login = LoginService(user_repo, audit, POLICY, clock, StoreUnknownIds(store))
    said: dict[str, list[str]] = {AGENT.id: [], "no.such.person": []}
    for user_id, messages in said.items():
        for _ in range(4):
            with pytest.raises(LoginFailed) as failed:
                login.login(user_id, "Wrong-2026-xyz")
            messages.append(f"{type(failed.value).__name__}: {failed.value}")
    assert said[AGENT.id] == said["no.such.person"]
    assert said[AGENT.id][2].startswith("AccountLocked: too many failed attempts")
    again = LoginService(user_repo, audit, POLICY, clock, StoreUnknownIds(store))
    with pytest.raises(AccountLocked):
        again.login("no.such.person", PASSWORD)
    clock.advance(minutes=15, seconds=1)
    with pytest.raises(LoginFailed) as after:
        again.login("no.such.person", PASSWORD)
    assert not isinstance(after.value, AccountLocked)  # the lock lapses as a real one does


def test_every_attempt_costs_one_password_verification(
    login: LoginService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timing path: a locked, an unknown and a real id all run argon2 exactly once."""
    from cscdesk.security import login as module

    calls: list[str] = []
    real = module.verify_password

    def counting(hashed: str, password: str) -> bool:
        calls.append(password)
        return real(hashed, password)

    monkeypatch.setattr(module, "verify_password", counting)
    attempts = [(AGENT.id, "Wrong-2026-xyz")] * 4 + [("nobody", "Wrong-2026-xyz")] * 4
    for user_id, password in attempts:  # the 4th of each is refused as locked
        with pytest.raises(LoginFailed):
            login.login(user_id, password)
    assert len(calls) == len(attempts)
