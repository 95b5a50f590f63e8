"""Insurers misbehaving over real HTTP: slow, failing, malformed, expired tokens, down for long."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cscdesk.insurers.breaker import BreakerState
from cscdesk.insurers.gateway import InsurerGateway
from cscdesk.insurers.port import ErrorKind
from cscdesk.insurers.sim import InsurerSimHandles
from cscdesk.insurers.sim.profile import MalformedKind

from .conftest import Ticker, WallClock, make_gateway
from .helpers import API_INSURERS, insured_at, most_covered, query_for


async def test_a_slow_insurer_times_out_while_the_others_answer_first(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> None:
    sims["huaying"].profile.slow_seconds = 3.0
    gateway = make_gateway(sims, store, ticker, timeout=0.5)
    try:
        person = most_covered(sims)
        results = [r async for r in gateway.lookup(query_for(person, API_INSURERS))]
    finally:
        await gateway.aclose()

    assert [r.insurer_id for r in results][-1] == "huaying"
    assert all(r.ok for r in results[:-1])
    slow = results[-1]
    assert slow.error_kind is ErrorKind.TIMEOUT
    assert slow.error is not None and "华盈" in slow.error and "0.5 s" in slow.error
    assert sims["huaying"].stats.lookups == 1  # a timeout is not retried


async def test_server_errors_are_retried_then_reported(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    sims["ruian"].profile.error_rate = 1.0
    person = most_covered(sims)
    results = {r.insurer_id: r for r in await gateway.lookup_all(query_for(person, API_INSURERS))}

    failed = results["ruian"]
    assert failed.error_kind is ErrorKind.UNAVAILABLE
    assert failed.error is not None and "HTTP 500" in failed.error and "瑞安" in failed.error
    assert sims["ruian"].stats.lookups == 2  # one retry for an idempotent read
    assert results["jiahe"].ok and results["huaying"].ok


async def test_a_transient_500_is_hidden_by_the_retry(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    sims["ruian"].profile.fail_next = 1
    [result] = await gateway.lookup_all(query_for(insured_at(sims, "ruian"), ("ruian",)))
    assert result.ok and result.policies
    assert sims["ruian"].stats.lookups == 2


@pytest.mark.parametrize(
    ("insurer", "kind", "names"),
    [
        ("ruian", "bad_field", "$.data.policies"),
        ("ruian", "truncate", "not JSON"),
        ("huaying", "bad_field", "$.result.persons[0]"),
        ("huaying", "truncate", "not JSON"),
        ("jiahe", "bad_field", "ValiDate"),
        ("jiahe", "truncate", "not well-formed XML"),
        ("jiahe", "entity", "forbidden XML construct"),
    ],
)
async def test_malformed_payloads_become_error_results_naming_insurer_and_field(
    gateway: InsurerGateway, sims: InsurerSimHandles, insurer: str, kind: MalformedKind, names: str
) -> None:
    sims[insurer].profile.malformed_rate = 1.0
    sims[insurer].profile.malformed_kind = kind
    person = insured_at(sims, insurer)
    results = {r.insurer_id: r for r in await gateway.lookup_all(query_for(person, API_INSURERS))}

    broken = results[insurer]
    assert broken.error_kind is ErrorKind.PAYLOAD
    assert broken.error is not None and names in broken.error
    assert sims[insurer].name in broken.error
    assert not broken.policies and not broken.claims
    assert all(r.ok for i, r in results.items() if i != insurer)


async def test_an_expired_token_is_refreshed_before_use(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> None:
    wall = WallClock()
    gateway = make_gateway(sims, store, ticker, clock=wall)
    person = insured_at(sims, "ruian")
    try:
        assert (await gateway.lookup_all(query_for(person, ("ruian",))))[0].ok
        assert (await gateway.lookup_all(query_for(person, ("ruian",))))[0].ok
        assert sims["ruian"].stats.tokens_issued == 1  # cached between lookups
        wall.now += timedelta(hours=2)  # past the token lifetime the insurer gave (one hour)
        assert (await gateway.lookup_all(query_for(person, ("ruian",))))[0].ok
    finally:
        await gateway.aclose()
    assert sims["ruian"].stats.tokens_issued == 2
    assert sims["ruian"].stats.rejected_auth == 0  # renewed before the insurer refused it


async def test_a_token_the_insurer_rejects_is_refreshed_once_for_all_waiting_lookups(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    person = insured_at(sims, "huaying")
    assert (await gateway.lookup_all(query_for(person, ("huaying",))))[0].ok
    sims["huaying"].revoke_tokens()

    batches = await asyncio.gather(
        *(gateway.lookup_all(query_for(person, ("huaying",), refresh=True)) for _ in range(4))
    )
    assert all(batch[0].ok and batch[0].policies for batch in batches)
    assert sims["huaying"].stats.rejected_auth >= 1
    assert sims["huaying"].stats.tokens_issued == 2  # one refresh, shared


async def test_the_breaker_opens_after_repeated_failures_and_closes_after_a_good_probe(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> None:
    gateway = make_gateway(sims, store, ticker, retries=0, breaker_failures=2)
    service = sims["jiahe"]
    query = query_for(insured_at(sims, "jiahe"), ("jiahe",), refresh=True)
    try:
        service.profile.error_rate = 1.0
        for _ in range(2):
            assert (await gateway.lookup_all(query))[0].error_kind is ErrorKind.UNAVAILABLE
        assert gateway.breaker_state("jiahe") is BreakerState.OPEN

        asked = service.stats.lookups
        [skipped] = await gateway.lookup_all(query)
        assert skipped.error_kind is ErrorKind.CIRCUIT_OPEN
        assert skipped.error is not None and "circuit open" in skipped.error
        assert service.stats.lookups == asked  # the insurer was not asked at all

        ticker.now += 31  # reset time passes: one probe goes through, and fails
        assert gateway.breaker_state("jiahe") is BreakerState.HALF_OPEN
        assert (await gateway.lookup_all(query))[0].error_kind is ErrorKind.UNAVAILABLE
        assert gateway.breaker_state("jiahe") is BreakerState.OPEN
        assert service.stats.lookups == asked + 1

        service.profile.error_rate = 0.0  # the insurer recovers
        ticker.now += 31
        [probe] = await gateway.lookup_all(query)
        assert probe.ok and probe.policies
        assert gateway.breaker_state("jiahe") is BreakerState.CLOSED
    finally:
        await gateway.aclose()


async def test_an_insurer_that_is_down_still_shows_its_last_answer_marked_stale(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    person = insured_at(sims, "ruian")
    [fresh] = await gateway.lookup_all(query_for(person, ("ruian",)))
    assert fresh.ok and fresh.source == "live"

    sims["ruian"].thread.stop()  # the insurer goes away entirely
    [shown] = await gateway.lookup_all(query_for(person, ("ruian",), refresh=True))

    assert shown.source == "cache" and shown.stale
    assert shown.policies == fresh.policies and shown.claims == fresh.claims
    assert shown.as_of == fresh.as_of and shown.age_seconds >= 0
    assert shown.error_kind is ErrorKind.UNAVAILABLE
    assert shown.error is not None and "瑞安" in shown.error


async def test_a_fresh_cached_answer_is_served_without_asking_again(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> None:
    gateway = make_gateway(sims, store, ticker, ttl=300)
    person = insured_at(sims, "huaying")
    try:
        [first] = await gateway.lookup_all(query_for(person, ("huaying",)))
        [second] = await gateway.lookup_all(query_for(person, ("huaying",)))
        [forced] = await gateway.lookup_all(query_for(person, ("huaying",), refresh=True))
    finally:
        await gateway.aclose()
    assert first.source == "live" and second.source == "cache" and not second.stale
    assert second.policies == first.policies
    assert forced.source == "live"
    assert sims["huaying"].stats.lookups == 2


async def test_a_missing_secret_names_the_key_and_spares_the_other_insurers(
    sims: InsurerSimHandles, store: Any, ticker: Ticker
) -> None:
    import keyring

    from cscdesk.config import KEYRING_SERVICE
    from cscdesk.insurers.sim import DEMO_SECRETS

    for name, value in DEMO_SECRETS.items():
        if "jiahe" not in name:
            keyring.set_password(KEYRING_SERVICE, name, value)
    gateway = make_gateway(sims, store, ticker)
    try:
        results = {
            r.insurer_id: r
            for r in await gateway.lookup_all(query_for(most_covered(sims), API_INSURERS))
        }
    finally:
        await gateway.aclose()
    assert results["jiahe"].error_kind is ErrorKind.CONFIG
    assert results["jiahe"].error is not None and "insurer-jiahe-hmac-key" in results["jiahe"].error
    assert results["ruian"].ok and results["huaying"].ok


async def test_a_bad_signature_is_refused_by_the_xml_insurer(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> None:
    import keyring

    from cscdesk.config import KEYRING_SERVICE

    keyring.set_password(KEYRING_SERVICE, "insurer-jiahe-hmac-key", "a-wrong-key")
    gateway = make_gateway(sims, store, ticker)
    try:
        [result] = await gateway.lookup_all(query_for(insured_at(sims, "jiahe"), ("jiahe",)))
    finally:
        await gateway.aclose()
    assert result.error_kind is ErrorKind.AUTH
    assert sims["jiahe"].stats.rejected_auth == 1
