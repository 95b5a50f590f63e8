"""What the Textual app is handed by the composition root (the cli package): the desk builds nothing itself.

Screens read these services; network and SQLite calls on them run in workers, never in handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import Paths, Settings
from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.knowledge import KnowledgeBase


@dataclass(frozen=True)
class DeskServices:
    """Built once by ``wiring``; never changed afterwards. A signed-in session gets its own copy
    (``for_user``) with the user's scoped gateway and call-center id."""

    settings: Settings
    paths: Paths
    call_center: CallCenterPort
    store: Any  # cscdesk.store.Store: typed loosely here so tui does not pin store internals
    gateway: Any | None  # cscdesk.insurers.gateway.InsurerGateway, None when no insurer is set up
    user_id: str  # the CCC user this desk signs in as
    device_id: str = "cscdesk"
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    demo: bool = False  # embedded simulator: show the simulator clock in the status bar
    sim_clock: Callable[[], datetime] | None = None  # simulated time, demo only
    background: list[Any] = field(default_factory=list)  # things to stop on exit (sim handles…)
    language: str = "zh_CN"
    # cscdesk.security.desk.DeskSecurity: sign-in, idle lock, audited reveal, data scope
    security: Any | None = None
    # the center's directory (names in both languages, wrap-up rules), loaded once by wiring
    # from the deployment; only the embedded demo fills it with its fictional center
    directory: CenterDirectory = field(default_factory=CenterDirectory)
    # articles, canned notes and call scripts from [knowledge] folder (the demo's own set in the
    # embedded demo); None: no knowledge base
    knowledge: KnowledgeBase | None = None
    # the ``[[insurers]]`` entries hand-offs and lookups go to (in the demo: the shared
    # center's simulated insurers when it runs them)
    insurers: tuple[Any, ...] = ()
    # cscdesk.store.task_inbox.TaskInbox and the hand-off routing rules, built by wiring from
    # [handoffs]; None: no task inbox on this desk
    task_inbox: Any | None = None
    handoff_routes: tuple[Any, ...] = ()

    def for_user(self, user: Any) -> DeskServices:
        """The services as this signed-in user may use them (a copy: nothing is mutated)."""
        gateway = self.security.scoped(self.gateway, user) if self.security else self.gateway
        return replace(self, gateway=gateway, user_id=user.ccc_user_id or self.user_id)
