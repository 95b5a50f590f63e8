"""What the desk needs from security, built once by the composition root (wiring).

``DeskSecurity`` bundles the login service, the reveal service and the data-scope setting; after
sign-in it opens a ``DeskSession`` (idle lock) and wraps the insurer gateway so every answer
reaches the screen already cut to what this user may see. In the embedded demo there is no
login: ``auto_user`` (the demo agent) is signed in, reveals are still checked and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cscdesk.domain.access import Role, Scope, User
from cscdesk.security.commands import build_security
from cscdesk.security.events import AuditWriter
from cscdesk.security.login import LoginService
from cscdesk.security.reveal import RevealService
from cscdesk.security.scope import ScopedLookup
from cscdesk.security.session import DeskSession

Clock = Callable[[], datetime]


@dataclass
class DeskSecurity:
    login: LoginService
    reveals: RevealService
    audit: AuditWriter
    idle: timedelta
    others: Scope
    clock: Clock
    auto_user: User | None = None  # demo: signed in without a password, never idle-locked

    def start_session(self, user: User) -> DeskSession:
        idle = timedelta(days=36500) if self.auto_user is not None else self.idle
        return DeskSession(
            user,
            idle=idle,
            clock=self.clock,
            audit=self.audit,
            login=self.login,
            reveals=self.reveals,
        )

    def scoped(self, gateway: Any, user: User) -> Any:
        return None if gateway is None else ScopedLookup(gateway, user, self.others)


def build_desk_security(
    store: Any, settings: Any, clock: Clock, *, demo_agent: str | None = None
) -> DeskSecurity:
    sec = settings.security
    base = build_security(store, settings, clock)
    auto = User(demo_agent, demo_agent, Role.AGENT, ccc_user_id=demo_agent) if demo_agent else None
    return DeskSecurity(
        login=base.login,
        reveals=RevealService(base.audit, timedelta(seconds=sec.reveal_seconds), clock),
        audit=base.audit,
        idle=timedelta(minutes=sec.idle_lock_minutes),
        others=Scope(sec.seconded_sees_other_insurers),
        clock=clock,
        auto_user=auto,
    )
