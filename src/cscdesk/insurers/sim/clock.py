"""Simulated time for the insurer services: runs ``speed`` times faster than the wall clock.

Tests move it forward with ``advance`` instead of sleeping, so claim progress is deterministic.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(self, *, speed: float = 60.0, start: datetime | None = None) -> None:
        self._speed = speed
        self._start = start or datetime.now(UTC)
        self._real_start = time.monotonic()
        self._offset = timedelta()
        self._lock = threading.Lock()

    @property
    def start(self) -> datetime:
        return self._start

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real_start) * self._speed
        with self._lock:
            return self._start + timedelta(seconds=elapsed) + self._offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta
