"""Exactly one process does a background duty at a time: whoever holds its lease row.

A lease expires ``ttl`` after its last renewal, so when the holder dies (kill -9, a closed
laptop lid over SSH) another desk or daemon takes over within one ttl. The holder renews well
before expiry and stops the duty the moment a renewal fails.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.store import Store


def holder_id() -> str:
    """Names this process in the lease row: readable for `doctor`, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    def __init__(self, store: Store, name: str, *, holder: str, ttl_seconds: float) -> None:
        self.store = store
        self.name = name
        self.holder = holder
        self.ttl = ttl_seconds
        self.held = False

    def acquire(self) -> bool:
        """Take the lease if it is free or expired; renew it if we already hold it."""
        if self.held:
            return self.renew()
        self.held = bool(self.store.leases.try_acquire(self.name, self.holder, self.ttl))
        return self.held

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
