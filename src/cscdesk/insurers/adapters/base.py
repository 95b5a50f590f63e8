"""What every HTTP adapter shares: turning any failure into an error result naming the insurer.

Subclasses only say how to fetch and parse; ``lookup`` guarantees the Protocol's promise that
nothing an insurer sends (or fails to send) escapes as an exception.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import httpx

from cscdesk.insurers.adapters.parsed import Parsed
from cscdesk.insurers.port import ErrorKind, InsurerError, InsurerResult, LookupQuery, PayloadError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_status(response: httpx.Response) -> None:
    """Map an HTTP status to the error kinds the gateway acts on (retry, breaker, message)."""
    status = response.status_code
    if status < 300:
        return
    if status in (401, 403):
        raise InsurerError(ErrorKind.AUTH, f"credentials refused (HTTP {status})")
    if status == 429 or status >= 500:
        raise InsurerError(ErrorKind.UNAVAILABLE, f"service unavailable (HTTP {status})")
    raise InsurerError(ErrorKind.PAYLOAD, f"request refused (HTTP {status})")


class NamedAdapter:
    """What every adapter shows the gateway of itself: the insurer's id and display name."""

    def __init__(self, insurer_id: str, name: str) -> None:
        self._id = insurer_id
        self._name = name

    @property
    def id(self) -> str:
        return self._id

    @property
    def name(self) -> str:
        return self._name


class HttpAdapter(NamedAdapter, ABC):
    def __init__(self, insurer_id: str, name: str, *, clock: Clock = utc_now) -> None:
        super().__init__(insurer_id, name)
        self._clock = clock

    @abstractmethod
    async def fetch(self, query: LookupQuery) -> Parsed:
        """Ask the insurer; raise ``InsurerError``/``httpx`` errors, return parsed domain data."""

    async def lookup(self, query: LookupQuery) -> InsurerResult:
        started = time.perf_counter()
        empty = InsurerResult(insurer_id=self._id, insurer_name=self._name, source="live")
        try:
            parsed = await self.fetch(query)
        except PayloadError as exc:
            log.warning("insurer %s sent an unreadable payload at %s", self._id, exc.field_path)
            return self._failed(empty, exc.kind, f"{self._name}: {exc}", started)
        except InsurerError as exc:
            return self._failed(empty, exc.kind, f"{self._name}: {exc}", started)
        except httpx.TimeoutException:
            return self._failed(empty, ErrorKind.TIMEOUT, f"{self._name}: timed out", started)
        except httpx.HTTPError as exc:
            kind = ErrorKind.UNAVAILABLE
            return self._failed(
                empty, kind, f"{self._name}: unreachable ({type(exc).__name__})", started
            )
        except Exception as exc:  # a parser bug must not take the whole lookup down
            log.exception("insurer %s adapter failed", self._id)
            kind = ErrorKind.PAYLOAD
            return self._failed(
                empty, kind, f"{self._name}: unreadable answer ({type(exc).__name__})", started
            )
        now = self._clock()
        as_of = parsed.as_of or now
        return InsurerResult(
            insurer_id=self._id,
            insurer_name=self._name,
            policies=parsed.policies,
            claims=parsed.claims,
            as_of=as_of,
            source="live",
            age_seconds=max(0.0, (now - as_of).total_seconds()),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _failed(
        empty: InsurerResult, kind: ErrorKind, message: str, started: float
    ) -> InsurerResult:
        elapsed = (time.perf_counter() - started) * 1000
        return replace(empty, error_kind=kind, error=message, elapsed_ms=elapsed)
