"""One signed-in desk session: who it is, when it was last used, and whether it is locked.

等保二级 asks that an unattended session end or lock by itself. The desk calls ``touch`` on every
key press or click and ``check`` from a timer; after ``idle`` without activity the session locks,
revealed fields are forgotten, and only the same user's password opens it again (failures count
towards the account lockout like any other login).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from cscdesk.domain.access import User
from cscdesk.security.events import AuditAction, AuditWriter
from cscdesk.security.login import LoginService
from cscdesk.security.reveal import RevealService

Clock = Callable[[], datetime]


class DeskSession:
    def __init__(
        self,
        user: User,
        *,
        idle: timedelta,
        clock: Clock,
        audit: AuditWriter,
        login: LoginService,
        reveals: RevealService,
    ) -> None:
        self.user = user
        self.idle = idle
        self._clock = clock
        self._audit = audit
        self._login = login
        self.reveals = reveals
        self.last_activity = clock()
        self.locked = False
        self.ended = False

    def touch(self) -> None:
        """The user did something: the idle clock starts again (ignored while locked)."""
        if not self.locked:
            self.last_activity = self._clock()

    def idle_for(self) -> timedelta:
        return self._clock() - self.last_activity

    def check(self) -> bool:
        """Lock when idle too long; True when the session is (now) locked."""
        if not self.locked and not self.ended and self.idle_for() >= self.idle:
            self.lock(reason="idle")
        return self.locked

    def lock(self, *, reason: str = "user") -> None:
        if self.locked:
            return
        self.locked = True
        self.reveals.forget(self.user.id)
        self._audit(
            self.user.id,
            AuditAction.SCREEN_LOCKED,
            f"user:{self.user.id}",
            {"reason": reason, "idle_seconds": int(self.idle_for().total_seconds())},
        )

    def unlock(self, password: str) -> None:
        """Re-check the same user's password; raises LoginFailed / AccountLocked."""
        result = self._login.login(self.user.id, password)
        self.user = result.user
        self.locked = False
        self.last_activity = self._clock()
        self._audit(self.user.id, AuditAction.SCREEN_UNLOCKED, f"user:{self.user.id}", {})

    def end(self, *, reason: str = "user") -> None:
        """Log out: forget reveals; the caller drops the session object."""
        if self.ended:
            return
        self.ended = True
        self.reveals.forget(self.user.id)
        self._login.logout(self.user, reason=reason)
