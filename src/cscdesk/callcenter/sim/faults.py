"""Fault injection: what can go wrong between a desk and a rented cloud call system.

A ``FaultPlan`` says how often each fault happens (and for which actions); ``FaultInjector`` draws
from a seeded generator so a test run is repeatable, and can be switched at runtime.
"""

from __future__ import annotations

import json
import random
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

# vendor code -> HTTP status the gateway answers with
ERROR_STATUS: dict[str, int] = {
    "Throttling.User": 400,
    "Throttling": 400,
    "InternalError": 500,
    "ServiceUnavailable": 503,
}


class FaultKind(StrEnum):
    NONE = "none"
    ERROR = "error"  # answer with a vendor error code
    RESET = "reset"  # drop the connection before answering
    TIMEOUT = "timeout"  # hang longer than a client waits
    LOST_RESPONSE = "lost_response"  # apply the operation, then drop the connection


@dataclass(frozen=True, slots=True)
class Latency:
    """Added delay in milliseconds: ``fixed`` + uniform(0, ``jitter``) or exponential(mean)."""

    fixed_ms: float = 0.0
    jitter_ms: float = 0.0
    exponential_mean_ms: float = 0.0

    def draw(self, rng: random.Random) -> float:
        delay = self.fixed_ms
        if self.jitter_ms:
            delay += rng.uniform(0.0, self.jitter_ms)
        if self.exponential_mean_ms:
            delay += rng.expovariate(1.0 / self.exponential_mean_ms)
        return delay / 1000.0


@dataclass(frozen=True, slots=True)
class FaultPlan:
    latency: Latency = field(default_factory=Latency)
    error_rates: Mapping[str, float] = field(default_factory=dict)  # vendor code -> probability
    reset_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    lost_response_rate: float = 0.0
    actions: frozenset[str] | None = None  # None: every action

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "faults") -> FaultPlan:
        known = {
            "latency",
            "error_rates",
            "reset_rate",
            "timeout_rate",
            "timeout_seconds",
            "lost_response_rate",
            "actions",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
        latency = data.get("latency", {})
        if not isinstance(latency, Mapping):
            raise ValueError(f"{source}: 'latency' must be a table")
        rates = {str(k): float(v) for k, v in dict(data.get("error_rates", {})).items()}
        for code, rate in rates.items():
            if code not in ERROR_STATUS:
                raise ValueError(
                    f"{source}: error_rates.{code}: unknown code; use one of {', '.join(ERROR_STATUS)}"
                )
            _check_rate(f"{source}: error_rates.{code}", rate)
        plan = cls(
            latency=Latency(
                fixed_ms=float(latency.get("fixed_ms", 0.0)),
                jitter_ms=float(latency.get("jitter_ms", 0.0)),
                exponential_mean_ms=float(latency.get("exponential_mean_ms", 0.0)),
            ),
            error_rates=rates,
            reset_rate=float(data.get("reset_rate", 0.0)),
            timeout_rate=float(data.get("timeout_rate", 0.0)),
            timeout_seconds=float(data.get("timeout_seconds", 30.0)),
            lost_response_rate=float(data.get("lost_response_rate", 0.0)),
            actions=frozenset(data["actions"]) if data.get("actions") else None,
        )
        for name in ("reset_rate", "timeout_rate", "lost_response_rate"):
            _check_rate(f"{source}: {name}", getattr(plan, name))
        total = sum(rates.values()) + plan.reset_rate + plan.timeout_rate + plan.lost_response_rate
        if total > 1.0:
            raise ValueError(f"{source}: fault rates add up to {total:g}, more than 1")
        return plan

    @classmethod
    def from_file(cls, path: Path) -> FaultPlan:
        """Read a plan from TOML or JSON; errors name the file and the key."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{path}: cannot read fault plan: {exc.strerror}") from None
        try:
            data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(
                f"{path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}"
            ) from None
        return cls.from_mapping(data, source=str(path))


def _check_rate(name: str, rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {rate:g}")


@dataclass(frozen=True, slots=True)
class Decision:
    kind: FaultKind
    delay_seconds: float = 0.0
    code: str | None = None

    @property
    def status(self) -> int:
        return ERROR_STATUS.get(self.code or "", 500)


class FaultInjector:
    """Draws one decision per request from a seeded generator; ``set`` swaps the plan at runtime."""

    def __init__(self, plan: FaultPlan | None = None, seed: int = 7) -> None:
        self._plan = plan or FaultPlan()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set(self, plan: FaultPlan | None = None, **changes: Any) -> FaultPlan:
        """Install ``plan`` (or the current one with ``changes``); returns what is now in force."""
        with self._lock:
            base = plan or self._plan
            self._plan = replace(base, **changes) if changes else base
            return self._plan

    def clear(self) -> None:
        self.set(FaultPlan())

    def decide(self, action: str) -> Decision:
        with self._lock:
            plan = self._plan
            if plan.actions is not None and action not in plan.actions:
                return Decision(FaultKind.NONE)
            delay = plan.latency.draw(self._rng)
            roll = self._rng.random()
        edge = 0.0
        for code, rate in sorted(plan.error_rates.items()):
            edge += rate
            if roll < edge:
                return Decision(FaultKind.ERROR, delay, code)
        for kind, rate in (
            (FaultKind.RESET, plan.reset_rate),
            (FaultKind.TIMEOUT, plan.timeout_rate),
            (FaultKind.LOST_RESPONSE, plan.lost_response_rate),
        ):
            edge += rate
            if roll < edge:
                extra = plan.timeout_seconds if kind is FaultKind.TIMEOUT else 0.0
                return Decision(kind, delay + extra)
        return Decision(FaultKind.NONE, delay)
