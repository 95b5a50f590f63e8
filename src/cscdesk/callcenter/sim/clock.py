"""Simulated time: a start instant plus seconds elapsed, and the wall-to-sim mapping when served.

The model advances by events (``run_until``); the clock only answers "what time is it" and, when a
server drives it, "how far should the model have got by now" (wall time × speed).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

MIN_SPEED = 1.0
MAX_SPEED = 600.0


class SimClock:
    def __init__(self, start: datetime, speed: float = 60.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulation start time must be timezone-aware")
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(
                f"speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}, got {speed:g}"
            )
        self.start = start
        self.speed = speed
        self.seconds = 0.0  # simulated seconds since ``start``
        self.paused = True
        self._wall_anchor = 0.0
        self._sim_anchor = 0.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def seconds_of(self, instant: datetime) -> float:
        return (instant - self.start).total_seconds()

    def epoch_ms(self, seconds: float | None = None) -> int:
        when = self.at(self.seconds if seconds is None else seconds)
        return int(when.astimezone(UTC).timestamp() * 1000)

    def resume(self) -> None:
        """Let wall time drive the model (served mode)."""
        self._wall_anchor = time.monotonic()
        self._sim_anchor = self.seconds
        self.paused = False

    def pause(self) -> None:
        """Freeze time; only explicit ``advance`` calls move the model (tests)."""
        self.paused = True

    def wall_target(self) -> float:
        """The simulated second the model should have reached by now."""
        if self.paused:
            return self.seconds
        return self._sim_anchor + (time.monotonic() - self._wall_anchor) * self.speed
