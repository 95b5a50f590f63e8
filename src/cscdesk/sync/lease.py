"""Exactly one process does a background duty at a time: whoever holds its lease row.

A lease expires ``ttl`` after its last renewal (the heartbeat). The holder renews well before
expiry, also in the middle of a long round (``worker.run_round`` keeps it alive), and stops the
duty the moment a renewal fails. Nothing takes a live holder's lease. A holder that died on this
host (its pid is gone) is replaced at once; one on another host, or one whose process cannot be
checked, when its heartbeat lapses.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.store import Store

log = logging.getLogger(__name__)


def holder_id() -> str:
    """Names this process in the lease row: readable for `doctor`, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class HolderInfo:
    """Who holds a lease, for messages: host, pid and how fresh its heartbeat is."""

    holder: str
    host: str
    pid: int | None
    expires_in: float  # seconds until the lease lapses without a heartbeat (negative: lapsed)

    def describe(self) -> str:
        """The one wording of a holder for people (``sync``, ``status``, ``doctor``, …):
        ``pid 4242 on desk-7 (heartbeat good for 30 s more)``, not the raw lease row."""
        who = f"pid {self.pid} on {self.host}" if self.pid is not None else self.holder
        if self.expires_in < 0:
            return f"{who} (heartbeat lapsed {-self.expires_in:.0f} s ago)"
        return f"{who} (heartbeat good for {self.expires_in:.0f} s more)"


def parse_holder(holder: str, expires_at: float, now: float) -> HolderInfo:
    parts = holder.rsplit(":", 2)
    pid = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
    host = parts[0] if pid is not None else "?"
    return HolderInfo(holder, host, pid, expires_at - now)


def live_holder(store: Store, name: str) -> HolderInfo | None:
    """Who holds lease ``name`` with a live heartbeat (None: nobody, or the heartbeat lapsed),
    for the read-only looks (``status``, ``archive status``, ``doctor``)."""
    row = store.leases.current(name)
    if row is None:
        return None
    info = parse_holder(row.holder, row.expires_at, time.time())
    return info if info.expires_in > 0 else None


def holder_is_dead(info: HolderInfo) -> bool:
    """True only when we can see the holder's process is gone: same host, no such pid."""
    if info.pid is None or info.host != socket.gethostname():
        return False
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Lease:
    def __init__(self, store: Store, name: str, *, holder: str, ttl_seconds: float) -> None:
        self.store = store
        self.name = name
        self.holder = holder
        self.ttl = ttl_seconds
        self.held = False

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or its holder died; renew it if already ours."""
        if self.held:
            return self.renew()
        self.held = bool(self.store.leases.try_acquire(self.name, self.holder, self.ttl))
        if not self.held:
            self.held = self._take_from_dead_holder()
        return self.held

    def _take_from_dead_holder(self) -> bool:
        row = self.store.leases.current(self.name)
        if row is None or row.holder == self.holder:
            return False
        info = parse_holder(row.holder, row.expires_at, time.time())
        if not holder_is_dead(info):
            return False
        taken = bool(self.store.leases.take_from(self.name, row.holder, self.holder, self.ttl))
        if taken:
            log.warning("took lease %s from %s, whose process is gone", self.name, row.holder)
        return taken

    def renew(self) -> bool:
        self.held = bool(self.store.leases.renew(self.name, self.holder, self.ttl))
        return self.held

    def keep(self) -> bool:
        """Renew, or retake a lease that lapsed while nobody else claimed it (a long pause)."""
        if self.renew():
            return True
        self.held = bool(self.store.leases.try_acquire(self.name, self.holder, self.ttl))
        return self.held

    def release(self) -> None:
        if self.held:
            self.store.leases.release(self.name, self.holder)
        self.held = False

    def current_holder(self) -> HolderInfo | None:
        """Who holds the lease now (None when nobody does), for 'held by …' messages."""
        row = self.store.leases.current(self.name)
        if row is None:
            return None
        return parse_holder(row.holder, row.expires_at, time.time())
