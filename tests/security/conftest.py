"""Security fixtures: a real SQLite user directory, a hand-moved clock, the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cscdesk.domain.access import Role, User
from cscdesk.security.users import UserDirectory
from cscdesk.store import Store, open_store
from cscdesk.store.users import UserRepository

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "Kefu-2026-xyz"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class AuditRecord:
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    success: bool


@dataclass
class AuditTrail:
    records: list[AuditRecord] = field(default_factory=list)

    def __call__(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any],
        *,
        success: bool = True,
    ) -> None:
        self.records.append(AuditRecord(actor, action, subject, dict(detail), success))

    def actions(self) -> list[tuple[str, str, bool]]:
        return [(r.actor, r.action, r.success) for r in self.records]


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with test-sized cost so the folder stays fast (production keeps defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def audit() -> AuditTrail:
    return AuditTrail()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "cscdesk.db")
    yield opened
    opened.close()


@pytest.fixture
def user_repo(store: Store) -> UserRepository:
    return UserRepository(store)


ADMIN = User("wang.admin", "王管理", Role.ADMIN)
AGENT = User("li.agent", "李客服", Role.AGENT)
SECONDED = User("zhao.ruian", "赵派驻", Role.SECONDED_AGENT, insurer_id="ruian")


@pytest.fixture
def directory(user_repo: UserRepository, audit: AuditTrail, clock: Clock) -> UserDirectory:
    directory = UserDirectory(user_repo, audit, clock)
    directory.bootstrap_admin(ADMIN, PASSWORD)
    directory.add(ADMIN, AGENT, PASSWORD)
    directory.add(ADMIN, SECONDED, PASSWORD)
    audit.records.clear()
    return directory
