"""The insurer-neutral face of policy and claims lookup.

The desk asks one question (``LookupQuery``) and receives one ``InsurerResult`` per insurer as
each answers, already normalised to the domain's Policy, Coverage and Claim. How an insurer
spells its payload (JSON, signed XML, a daily spreadsheet) stays inside its adapter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from cscdesk.domain.models import Claim, Policy

Source = Literal["live", "batch", "cache"]


class ErrorKind(StrEnum):
    """Why an insurer gave no fresh answer; the gateway retries only the transient kinds."""

    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"  # connection refused, 5xx
    AUTH = "auth"  # credentials refused
    PAYLOAD = "payload"  # the answer could not be understood
    CIRCUIT_OPEN = "circuit_open"  # we stopped asking for a while
    CONFIG = "config"  # missing URL or secret

    @property
    def transient(self) -> bool:
        return self in (ErrorKind.TIMEOUT, ErrorKind.UNAVAILABLE)


@dataclass(frozen=True, slots=True)
class LookupQuery:
    """Who or what the agent is asking about, plus what the broker already knows locally.

    ``member_ids`` and ``insurer_ids`` come from the broker's own placement data: the gateway
    asks only ``insurer_ids`` when given (all configured insurers otherwise), and batch extracts
    are matched by ``member_ids``. ``actor`` is who asked, for the audit trail.
    """

    id_number: str | None = None
    mobile: str | None = None
    policy_no: str | None = None
    claim_no: str | None = None
    member_ids: tuple[str, ...] = ()
    insurer_ids: tuple[str, ...] = ()
    actor: str = "system"
    refresh: bool = False  # True: ask the insurers even when the cache is fresh

    def __post_init__(self) -> None:
        if not any((self.id_number, self.mobile, self.policy_no, self.claim_no, self.member_ids)):
            raise ValueError("a lookup needs an ID number, mobile, policy no., claim no. or member")

    @property
    def key(self) -> str:
        """A stable hash of what was asked: the cache key, and safe to write to the audit log."""
        parts = {
            "id": self.id_number or "",
            "mobile": self.mobile or "",
            "policy": self.policy_no or "",
            "claim": self.claim_no or "",
            "members": sorted(self.member_ids),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class InsurerResult:
    """One insurer's answer, or why there is none; ``as_of`` is when the data was true."""

    insurer_id: str
    insurer_name: str
    policies: tuple[Policy, ...] = ()
    claims: tuple[Claim, ...] = ()
    as_of: datetime | None = None
    source: Source = "live"
    stale: bool = False
    age_seconds: float = 0.0
    error: str | None = None
    error_kind: ErrorKind | None = None
    elapsed_ms: float = field(default=0.0, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None


class InsurerError(Exception):
    """Raised inside an adapter; the adapter's ``lookup`` turns it into an error result."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class PayloadError(InsurerError):
    """A payload that does not say what the contract says, naming the field that broke."""

    def __init__(self, field_path: str, problem: str) -> None:
        self.field_path = field_path
        self.problem = problem
        super().__init__(ErrorKind.PAYLOAD, f"unreadable payload at {field_path}: {problem}")


class InsurerAdapter(Protocol):
    """One insurer's system. ``lookup`` never raises: failures come back as error results."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    async def lookup(self, query: LookupQuery) -> InsurerResult: ...


class InsurerLookup(Protocol):
    """What the desk depends on: results streamed one insurer at a time, as each arrives."""

    def lookup(self, query: LookupQuery) -> AsyncIterator[InsurerResult]: ...
