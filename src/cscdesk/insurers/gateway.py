"""Ask every insurer that matters at once; hand each answer to the desk the moment it lands.

Per insurer: a timeout per attempt, a retry with backoff for fast transient failures (connection
refused, 5xx; these reads are idempotent), a circuit breaker, and the answer cache — fresh
answers within the TTL are served from it, and when an insurer fails or its breaker is open its
last answer is still shown, marked stale with its age. Timeouts are not retried: the agent on
the phone should not wait twice. One audit event per lookup records who asked about whom,
never the ID number or mobile that was asked with.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cscdesk.insurers.adapters.base import Clock, utc_now
from cscdesk.insurers.breaker import BreakerState, CircuitBreaker
from cscdesk.insurers.cache import AnswerCache, CachedAnswer
from cscdesk.insurers.port import ErrorKind, InsurerAdapter, InsurerResult, LookupQuery
from cscdesk.insurers.storage import AuditSink, audit_sink

if TYPE_CHECKING:
    import httpx

    from cscdesk.config import GatewaySettings, InsurerSettings
    from cscdesk.store import Store

log = logging.getLogger(__name__)

SecretResolver = Callable[[str | None, str], str]


@dataclass(slots=True)
class Channel:
    """One insurer as the gateway drives it."""

    adapter: InsurerAdapter
    breaker: CircuitBreaker
    timeout_seconds: float
    retries: int
    cached: bool = True  # batch insurers answer from local files: nothing to cache

    @property
    def id(self) -> str:
        return self.adapter.id


class InsurerGateway:
    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        cache: AnswerCache | None = None,
        audit: AuditSink | None = None,
        cache_ttl_seconds: float = 300.0,
        backoff_seconds: float = 0.05,
        clock: Clock = utc_now,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.channels = {c.id: c for c in channels}
        self._cache = cache
        self._audit = audit
        self._ttl = cache_ttl_seconds
        self._backoff = backoff_seconds
        self._clock = clock
        self._client = client

    def breaker_state(self, insurer_id: str) -> BreakerState:
        return self.channels[insurer_id].breaker.state

    def targets(self, query: LookupQuery) -> list[Channel]:
        if not query.insurer_ids:
            return list(self.channels.values())
        return [self.channels[i] for i in query.insurer_ids if i in self.channels]

    async def lookup(self, query: LookupQuery) -> AsyncIterator[InsurerResult]:
        """Yield one result per insurer asked, in the order they arrive."""
        targets = self.targets(query)
        self._record_audit(query, targets)
        tasks = [asyncio.ensure_future(self._ask(channel, query)) for channel in targets]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    async def lookup_all(self, query: LookupQuery) -> list[InsurerResult]:
        return [result async for result in self.lookup(query)]

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def _ask(self, channel: Channel, query: LookupQuery) -> InsurerResult:
        try:
            return await self._ask_unguarded(channel, query)
        except Exception as exc:  # the promise: never an exception out of the gateway
            log.exception("lookup at insurer %s failed unexpectedly", channel.id)
            return InsurerResult(
                insurer_id=channel.id,
                insurer_name=channel.adapter.name,
                error=f"{channel.adapter.name}: lookup failed ({type(exc).__name__})",
                error_kind=ErrorKind.PAYLOAD,
            )

    async def _ask_unguarded(self, channel: Channel, query: LookupQuery) -> InsurerResult:
        cached = self._cache.get(channel.id, query.key) if self._cache and channel.cached else None
        now = self._clock()
        fresh = cached is not None and (now - cached.fetched_at).total_seconds() <= self._ttl
        if cached is not None and fresh and not query.refresh:
            return self._from_cache(channel, cached, now, stale=False)
        if not channel.breaker.allow():
            wait = channel.breaker.retry_in()
            message = (
                f"{channel.adapter.name}: not asked for now (circuit open, retry in {wait:.0f} s)"
            )
            return self._fallback(channel, cached, ErrorKind.CIRCUIT_OPEN, message)
        result = await self._attempts(channel, query)
        if result.ok:
            channel.breaker.record_success()
            if self._cache is not None and channel.cached:
                self._cache.put(query.key, result, self._clock())
            return result
        channel.breaker.record_failure()
        assert result.error_kind is not None and result.error is not None
        return self._fallback(channel, cached, result.error_kind, result.error, result.elapsed_ms)

    async def _attempts(self, channel: Channel, query: LookupQuery) -> InsurerResult:
        started = time.perf_counter()
        for attempt in range(channel.retries + 1):
            try:
                async with asyncio.timeout(channel.timeout_seconds):
                    result = await channel.adapter.lookup(query)
            except TimeoutError:
                result = InsurerResult(
                    insurer_id=channel.id,
                    insurer_name=channel.adapter.name,
                    error=f"{channel.adapter.name}: no answer within {channel.timeout_seconds:g} s",
                    error_kind=ErrorKind.TIMEOUT,
                )
            retryable = result.error_kind is ErrorKind.UNAVAILABLE
            if result.ok or not retryable or attempt == channel.retries:
                break
            await asyncio.sleep(self._backoff * 2**attempt)
        elapsed = (time.perf_counter() - started) * 1000
        return _with(result, elapsed_ms=elapsed)

    def _from_cache(
        self,
        channel: Channel,
        cached: CachedAnswer,
        now: datetime,
        *,
        stale: bool,
        error: str | None = None,
        kind: ErrorKind | None = None,
    ) -> InsurerResult:
        return InsurerResult(
            insurer_id=channel.id,
            insurer_name=channel.adapter.name,
            policies=cached.policies,
            claims=cached.claims,
            as_of=cached.as_of,
            source="cache",
            stale=stale,
            age_seconds=max(0.0, (now - cached.as_of).total_seconds()),
            error=error,
            error_kind=kind,
        )

    def _fallback(
        self,
        channel: Channel,
        cached: CachedAnswer | None,
        kind: ErrorKind,
        message: str,
        elapsed_ms: float = 0.0,
    ) -> InsurerResult:
        if cached is None:
            return InsurerResult(
                insurer_id=channel.id,
                insurer_name=channel.adapter.name,
                error=message,
                error_kind=kind,
                elapsed_ms=elapsed_ms,
            )
        result = self._from_cache(
            channel, cached, self._clock(), stale=True, error=message, kind=kind
        )
        return _with(result, elapsed_ms=elapsed_ms)

    def _record_audit(self, query: LookupQuery, targets: list[Channel]) -> None:
        if self._audit is None:
            return
        used = [
            name
            for name, value in (
                ("id_number", query.id_number),
                ("mobile", query.mobile),
                ("policy_no", query.policy_no),
                ("claim_no", query.claim_no),
            )
            if value
        ]
        subject = ",".join(sorted(query.member_ids)) or f"query:{query.key}"
        detail = {
            "query_key": query.key,
            "by": used,
            "policy_no": query.policy_no,
            "claim_no": query.claim_no,
            "insurers": [c.id for c in targets],
        }
        try:
            self._audit(query.actor, "insurer.lookup", subject, detail)
        except Exception:  # an audit failure is logged loudly but must not lose the lookup
            log.exception("could not write the audit event for an insurer lookup")


def _with(result: InsurerResult, **changes: Any) -> InsurerResult:
    return replace(result, **changes)


def build_adapter(
    settings: InsurerSettings,
    *,
    client: httpx.AsyncClient,
    store: Store,
    secrets: SecretResolver,
    clock: Clock = utc_now,
) -> InsurerAdapter:
    """The adapter ``settings.kind`` names; a configuration problem becomes an error adapter."""
    from cscdesk.config import SecretUnavailable
    from cscdesk.insurers.adapters.batch import BatchAdapter
    from cscdesk.insurers.adapters.json_dialects import DIALECTS
    from cscdesk.insurers.adapters.rest_oauth import RestOAuthAdapter
    from cscdesk.insurers.adapters.xml_hmac import XmlHmacAdapter
    from cscdesk.insurers.misconfigured import MisconfiguredAdapter

    where = f"insurers[{settings.id}]"
    if settings.kind == "batch":
        return BatchAdapter(settings.id, settings.name, store=store, clock=clock)
    if not settings.base_url or not settings.client_id:
        return MisconfiguredAdapter(
            settings.id, settings.name, f"{where} needs base_url and client_id"
        )
    try:
        if settings.kind == "rest_oauth":
            secret = secrets(settings.client_secret, f"{where}.client_secret")
            return RestOAuthAdapter(
                settings.id,
                settings.name,
                client=client,
                base_url=settings.base_url,
                client_id=settings.client_id,
                client_secret=secret,
                dialect=DIALECTS[settings.dialect],
                clock=clock,
            )
        key = secrets(settings.hmac_key, f"{where}.hmac_key")
        return XmlHmacAdapter(
            settings.id,
            settings.name,
            client=client,
            base_url=settings.base_url,
            app_id=settings.client_id,
            hmac_key=key,
            clock=clock,
        )
    except SecretUnavailable as exc:
        return MisconfiguredAdapter(settings.id, settings.name, str(exc))


def build_gateway(
    settings: Sequence[InsurerSettings],
    gateway_settings: GatewaySettings,
    store: Store,
    *,
    secrets: SecretResolver,
    clock: Clock = utc_now,
    monotonic: Callable[[], float] = time.monotonic,
) -> InsurerGateway:
    """Wire adapters, breakers, the cache and the audit trail from configuration."""
    import httpx

    longest = max((s.timeout_seconds for s in settings), default=2.0)
    client = httpx.AsyncClient(timeout=longest + 1.0, follow_redirects=False)
    channels = [
        Channel(
            adapter=build_adapter(s, client=client, store=store, secrets=secrets, clock=clock),
            breaker=CircuitBreaker(
                failure_threshold=gateway_settings.breaker_failures,
                reset_seconds=gateway_settings.breaker_reset_seconds,
                clock=monotonic,
            ),
            timeout_seconds=s.timeout_seconds,
            retries=s.retries,
            cached=s.kind != "batch",
        )
        for s in settings
    ]
    return InsurerGateway(
        channels,
        cache=AnswerCache(store),
        audit=audit_sink(store),
        cache_ttl_seconds=gateway_settings.cache_ttl_seconds,
        clock=clock,
        client=client,
    )
