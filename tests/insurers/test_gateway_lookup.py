"""Normal lookups over real HTTP: every insurer answers, in its own shape, the same as the store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from cscdesk.domain.models import ClaimStage
from cscdesk.insurers.batch_import import import_directory
from cscdesk.insurers.gateway import InsurerGateway
from cscdesk.insurers.port import LookupQuery
from cscdesk.insurers.sim import InsurerSimHandles

from .helpers import (
    API_INSURERS,
    insured_at,
    most_covered,
    policy_key,
    query_for,
    store_claims,
    store_policies,
)

FINAL = {ClaimStage.PAID, ClaimStage.REFUSED}


async def test_every_api_insurer_answers_with_the_stores_policies_and_claims(
    gateway: InsurerGateway, sims: InsurerSimHandles, store: Any
) -> None:
    person = most_covered(sims)
    results = await gateway.lookup_all(query_for(person, API_INSURERS))

    assert sum(bool(r.policies) for r in results) >= 1
    assert sorted(r.insurer_id for r in results) == sorted(API_INSURERS)
    for result in results:
        assert result.error is None, result.error
        assert result.source == "live" and not result.stale
        got = {policy_key(p) for p in result.policies}
        assert got == store_policies(store, person.member_id, result.insurer_id)
        assert all(p.member_id == person.member_id for p in result.policies)
        stored = {
            (p.policy_no, p.sub_policy_no): p.coverages
            for p in store.policies.for_member(person.member_id)
        }
        for policy in result.policies:
            assert policy.coverages == stored[(policy.policy_no, policy.sub_policy_no)]
        assert all(p.insurer_id == result.insurer_id for p in result.policies)
        expected_claims = store_claims(store, person.member_id, result.insurer_id)
        assert {c.claim_no for c in result.claims} == set(expected_claims)
        for claim in result.claims:
            stored = expected_claims[claim.claim_no]
            assert claim.stage == stored.stage  # simulated time has barely moved
            assert claim.amount_claimed == stored.amount_claimed
            assert claim.policy_no == stored.policy_no


async def test_policy_number_lookup_asks_only_the_insurers_that_matter(
    gateway: InsurerGateway, sims: InsurerSimHandles, store: Any
) -> None:
    policy = sims["jiahe"].book.policies[0]
    before = {i: sims[i].stats.lookups for i in API_INSURERS}
    results = await gateway.lookup_all(
        LookupQuery(policy_no=policy.policy_no, insurer_ids=("jiahe",))
    )

    assert [r.insurer_id for r in results] == ["jiahe"]
    assert {p.policy_no for p in results[0].policies} == {policy.policy_no}
    assert sims["jiahe"].stats.lookups == before["jiahe"] + 1
    assert sims["ruian"].stats.lookups == before["ruian"]
    assert sims["huaying"].stats.lookups == before["huaying"]


async def test_claims_move_to_a_final_stage_as_simulated_time_passes(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    person = insured_at(sims, "ruian")
    sims.advance(timedelta(days=120))
    results = await gateway.lookup_all(query_for(person, ("ruian",)))
    claims = [c for r in results for c in r.claims]
    assert claims, "the chosen person has claims in the demo data"
    for claim in claims:
        assert claim.stage in FINAL
        assert claim.decided_at is not None
        if claim.stage is ClaimStage.PAID:
            assert claim.paid_at is not None and claim.amount_paid is not None
            assert claim.amount_paid <= claim.amount_claimed
        else:
            assert claim.refusal_reason


async def test_batch_insurer_answers_from_the_imported_extract_with_its_date(
    gateway: InsurerGateway, sims: InsurerSimHandles, store: Any, tmp_path: Path
) -> None:
    person = insured_at(sims, "anhe")
    before = await gateway.lookup_all(query_for(person, ("anhe",)))
    assert before[0].error is not None and "no batch extract" in before[0].error

    import_directory(store, tmp_path / "extracts", sims.clock.now())
    [result] = await gateway.lookup_all(query_for(person, ("anhe",)))

    assert result.error is None and result.source == "batch"
    assert result.as_of is not None
    assert result.as_of.date().strftime("%Y%m%d") in sims.batch_files[0].name
    got = {policy_key(p) for p in result.policies}
    assert got == store_policies(store, person.member_id, "anhe")
    assert {c.claim_no for c in result.claims} == set(store_claims(store, person.member_id, "anhe"))


async def test_results_stream_in_arrival_order(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    sims["ruian"].profile.latency_ms = (600, 600)
    sims["jiahe"].profile.latency_ms = (5, 5)
    sims["huaying"].profile.latency_ms = (250, 250)
    person = most_covered(sims)
    order = [r.insurer_id async for r in gateway.lookup(query_for(person, API_INSURERS))]
    assert order == ["jiahe", "huaying", "ruian"]


async def test_two_lookups_at_once_do_not_interfere(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    person = most_covered(sims)
    first, second = await asyncio.gather(
        gateway.lookup_all(query_for(person, API_INSURERS)),
        gateway.lookup_all(query_for(person, API_INSURERS)),
    )
    assert all(r.ok for r in first + second)
    assert sorted(r.insurer_id for r in first) == sorted(r.insurer_id for r in second)
