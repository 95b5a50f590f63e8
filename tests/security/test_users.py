"""User directory: personal accounts only, admins alone change users, changes audited."""

from __future__ import annotations

import pytest

from cscdesk.domain.access import AccessDenied, Role, User
from cscdesk.security.passwords import WeakPassword
from cscdesk.security.users import InvalidUser, UserDirectory
from cscdesk.store.users import UserExists, UserRepository

from .conftest import ADMIN, AGENT, PASSWORD, SECONDED, AuditTrail


def test_first_account_must_be_an_admin(user_repo: UserRepository, audit: AuditTrail) -> None:
    from .conftest import Clock

    fresh = UserDirectory(user_repo, audit, Clock())
    with pytest.raises(InvalidUser, match="admin"):
        fresh.bootstrap_admin(AGENT, PASSWORD)
    fresh.bootstrap_admin(ADMIN, PASSWORD)
    with pytest.raises(InvalidUser, match="exist"):
        fresh.bootstrap_admin(User("x.admin", "X", Role.ADMIN), PASSWORD)


@pytest.mark.parametrize("shared", ["admin", "Agent", "kefu", "demo"])
def test_shared_or_default_account_names_are_refused(directory: UserDirectory, shared: str) -> None:
    with pytest.raises(InvalidUser, match="person"):
        directory.add(ADMIN, User(shared, "共享账号", Role.AGENT), PASSWORD)


def test_same_id_twice_is_refused(directory: UserDirectory) -> None:
    with pytest.raises(UserExists):
        directory.add(ADMIN, User(AGENT.id, "另一个人", Role.AGENT), PASSWORD)


def test_weak_password_is_refused(directory: UserDirectory) -> None:
    with pytest.raises(WeakPassword):
        directory.add(ADMIN, User("sun.agent", "孙", Role.AGENT), "password")


def test_seconded_agent_needs_an_insurer(directory: UserDirectory) -> None:
    with pytest.raises(InvalidUser, match="insurer"):
        directory.add(ADMIN, User("qian.x", "钱", Role.SECONDED_AGENT), PASSWORD)


@pytest.mark.parametrize("actor", [AGENT, SECONDED])
def test_only_admins_change_users(directory: UserDirectory, actor: User) -> None:
    with pytest.raises(AccessDenied):
        directory.add(actor, User("sun.agent", "孙", Role.AGENT), PASSWORD)
    with pytest.raises(AccessDenied):
        directory.set_disabled(actor, AGENT.id, True)
    with pytest.raises(AccessDenied):
        directory.set_password(actor, ADMIN.id, "New-pass-2026!")


def test_user_changes_are_audited_without_the_password(
    directory: UserDirectory, audit: AuditTrail
) -> None:
    directory.add(ADMIN, User("sun.agent", "孙", Role.AGENT), PASSWORD)
    directory.set_disabled(ADMIN, "sun.agent", True)
    directory.set_disabled(ADMIN, "sun.agent", False)
    directory.set_password(ADMIN, "sun.agent", "New-pass-2026!")
    directory.unlock(ADMIN, "sun.agent")
    assert [(r.actor, r.action, r.subject) for r in audit.records] == [
        (ADMIN.id, "user_add", "user:sun.agent"),
        (ADMIN.id, "user_disable", "user:sun.agent"),
        (ADMIN.id, "user_enable", "user:sun.agent"),
        (ADMIN.id, "user_password", "user:sun.agent"),
        (ADMIN.id, "user_unlock", "user:sun.agent"),
    ]
    assert not any(PASSWORD in str(r.detail) or "New-pass" in str(r.detail) for r in audit.records)


def test_an_agent_may_change_their_own_password(
    directory: UserDirectory, user_repo: UserRepository
) -> None:
    before = user_repo.require(AGENT.id).password_hash
    directory.set_password(AGENT, AGENT.id, "Mine-2026-new!")
    assert user_repo.require(AGENT.id).password_hash != before
