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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
        """Validate a plan's types and ranges; every error names ``source``, the key, what was
        expected and what was given."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{source}: a fault plan must be a table of keys, got {_kind(data)}")
        try:
            spec = _PlanFile.model_validate(dict(data))
        except ValidationError as exc:
            raise ValueError(_explain(source, exc)) from None
        for code in spec.error_rates:
            if code not in ERROR_STATUS:
                raise ValueError(
                    f"{source}: error_rates.{code}: unknown code; use one of {', '.join(ERROR_STATUS)}"
                )
        plan = cls(
            latency=Latency(
                fixed_ms=spec.latency.fixed_ms,
                jitter_ms=spec.latency.jitter_ms,
                exponential_mean_ms=spec.latency.exponential_mean_ms,
            ),
            error_rates=dict(spec.error_rates),
            reset_rate=spec.reset_rate,
            timeout_rate=spec.timeout_rate,
            timeout_seconds=spec.timeout_seconds,
            lost_response_rate=spec.lost_response_rate,
            actions=frozenset(spec.actions) if spec.actions else None,
        )
        total = (
            sum(plan.error_rates.values())
            + plan.reset_rate
            + plan.timeout_rate
            + plan.lost_response_rate
        )
        if total > 1.0:
            raise ValueError(f"{source}: fault rates add up to {total:g}, more than 1")
        return plan

    @classmethod
    def from_file(cls, path: Path) -> FaultPlan:
        """Read a plan from TOML or JSON; errors name the file and the key."""
        try:
            if not path.is_file():
                raise ValueError(f"{path}: a fault plan must be a regular file")
            with path.open("rb") as handle:
                raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as exc:
            raise ValueError(f"{path}: cannot read fault plan: {exc.strerror}") from None
        if len(raw) > MAX_PLAN_BYTES:
            raise ValueError(f"{path}: a fault plan is at most {MAX_PLAN_BYTES} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
        kind = "JSON" if path.suffix == ".json" else "TOML"
        try:
            data = json.loads(text) if kind == "JSON" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: not valid {kind}: {exc}") from None
        except RecursionError:
            raise ValueError(f"{path}: not valid {kind}: nested too deeply") from None
        return cls.from_mapping(data, source=str(path))


MAX_PLAN_BYTES = 64 * 1024

_RATE = "a probability between 0 and 1"
_MS = "milliseconds, a number 0 or more"


class _LatencyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    fixed_ms: float = Field(default=0.0, ge=0, description=_MS)
    jitter_ms: float = Field(default=0.0, ge=0, description=_MS)
    exponential_mean_ms: float = Field(default=0.0, ge=0, description=_MS)


class _PlanFile(BaseModel):
    """The plan as written in a file: TOML/JSON types, checked strictly (no "0.5" strings)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    latency: _LatencyFile = Field(
        default_factory=_LatencyFile,
        description="a table with fixed_ms, jitter_ms, exponential_mean_ms",
    )
    error_rates: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description=(
            f"a table of vendor code = {_RATE}, e.g. [error_rates] "
            '"Throttling.User" = 0.05 (quote a code that has a dot)'
        ),
    )
    reset_rate: float = Field(default=0.0, ge=0, le=1, description=_RATE)
    timeout_rate: float = Field(default=0.0, ge=0, le=1, description=_RATE)
    timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="seconds, above 0, at most 3600"
    )
    lost_response_rate: float = Field(default=0.0, ge=0, le=1, description=_RATE)
    actions: list[str] | None = Field(
        None, description='a list of action names, e.g. ["MakeCall", "CreateTicket"]'
    )


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "a table"}  # fmt: skip
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} {shown}"


def _expected(loc: tuple[str | int, ...]) -> str | None:
    if not loc:
        return None
    head = str(loc[0])
    if head == "error_rates" and len(loc) > 1:
        return _RATE
    if head == "latency" and len(loc) > 1:
        inner = _LatencyFile.model_fields.get(str(loc[1]))
        return inner.description if inner else None
    field_info = _PlanFile.model_fields.get(head)
    return field_info.description if field_info else None


def _explain(source: str, exc: ValidationError) -> str:
    """One line per problem: file, key, what was expected, what was given."""
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        key = ".".join(str(part) for part in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {key}")
            continue
        expected = _expected(loc) or error["msg"].removeprefix("Input should be ")
        lines.append(f"{source}: {key}: expected {expected}, got {_kind(error['input'])}")
    return "\n".join(lines)


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
