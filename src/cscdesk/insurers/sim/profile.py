"""How a simulated insurer misbehaves; tests flip these fields while the service runs."""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field
from typing import Literal

MalformedKind = Literal["random", "truncate", "bad_field", "entity"]


@dataclass
class FaultProfile:
    latency_ms: tuple[float, float] = (10.0, 40.0)
    error_rate: float = 0.0  # share of answers that are HTTP 500
    fail_next: int = 0  # the next N answers are HTTP 500, whatever the rate
    malformed_rate: float = 0.0  # share of answers whose body is broken
    malformed_kind: MalformedKind = "random"
    slow_seconds: float = 0.0  # > 0: every answer waits this long first (past a client timeout)
    token_ttl_seconds: float = 3600.0  # OAuth insurers: lifetime of issued tokens
    body_override: bytes | None = None  # tests: answer exactly these bytes (signed if XML)
    _rng: random.Random = field(default_factory=lambda: random.Random(7), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def seed(self, seed: int) -> None:
        with self._lock:
            self._rng.seed(seed)

    def _draw(self) -> float:
        with self._lock:
            return self._rng.random()

    def pick(self, options: tuple[str, ...]) -> str:
        with self._lock:
            return self._rng.choice(options)

    async def delay(self) -> None:
        low, high = self.latency_ms
        with self._lock:
            latency = self._rng.uniform(low, max(low, high)) / 1000
        await asyncio.sleep(latency + max(0.0, self.slow_seconds))

    def fail_now(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
        return self.error_rate > 0 and self._draw() < self.error_rate

    def malformed_now(self) -> MalformedKind | None:
        if self.malformed_rate <= 0 or self._draw() >= self.malformed_rate:
            return None
        if self.malformed_kind != "random":
            return self.malformed_kind
        return self.pick(("truncate", "bad_field", "entity"))  # type: ignore[return-value]


def default_profiles(seed: int) -> dict[str, FaultProfile]:
    """The demo's personalities: 瑞安 steady, 嘉禾 slower, 华盈 flaky."""
    profiles = {
        "ruian": FaultProfile(latency_ms=(30, 120)),
        "jiahe": FaultProfile(latency_ms=(80, 300)),
        "huaying": FaultProfile(latency_ms=(50, 900), error_rate=0.15, malformed_rate=0.05),
    }
    for offset, profile in enumerate(profiles.values()):
        profile.seed(seed + offset)
    return profiles
