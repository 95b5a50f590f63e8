"""Service requests to an insurer's own system, as the hand-off delivery sees them.

The neutral shapes and the port live here so that the delivery (``sync.handoffs``) and the
insurer adapters (``insurers.service_requests``) meet without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ServiceRequestFailed(Exception):
    """The insurer's system did not take or answer the call; ``transient``: a retry may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """What the insurer is asked: our ticket's reference, what kind of matter, and the text."""

    external_ref: str
    category: str
    subject: str
    detail: str
    policy_no: str | None = None
    claim_no: str | None = None
    member_ref: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RequestStatus:
    """The insurer's view of a request: ``state`` is received / in_progress / answered."""

    number: str
    state: str
    received_at: datetime | None = None
    accepted_at: datetime | None = None
    answered_at: datetime | None = None
    answer: str | None = None
    handler: str | None = None


class ServiceRequestPort(Protocol):
    async def submit(self, key: str, request: OutgoingRequest) -> RequestStatus: ...

    async def status(self, number: str) -> RequestStatus: ...

    async def message(self, number: str, key: str, text: str) -> RequestStatus: ...

    async def aclose(self) -> None: ...
