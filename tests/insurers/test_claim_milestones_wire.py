"""The moments the claim clocks count from travel over each insurer's real wire and parser.

The field names are our simulators' own (瑞安 ``docsCompleteTime``/``agreeTime``/``supplements``,
华盈 ``docs_complete_ts``/``agreed_ts``/``supplements``, 嘉禾 ``<DocsCompleteTime>``/
``<AgreeTime>``/``<Supplements>``); a real insurer's interface document decides its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from cscdesk.domain.claim_duties import claim_duty_clocks
from cscdesk.domain.models import Claim, ClaimStage
from cscdesk.domain.sla import SlaPolicy
from cscdesk.insurers.adapters.json_dialects import StandardDialect
from cscdesk.insurers.gateway import InsurerGateway
from cscdesk.insurers.port import LookupQuery, PayloadError
from cscdesk.insurers.sim import InsurerSimHandles

from .helpers import API_INSURERS, query_for

FINAL = {ClaimStage.PAID, ClaimStage.REFUSED}


def _close(a: datetime | None, b: datetime | None) -> bool:
    """Equal to the second: the wire formats carry seconds (嘉禾, 瑞安) or milliseconds."""
    if a is None or b is None:
        return a is b
    return abs(a - b) < timedelta(seconds=1)


def _same_milestones(got: Claim, stored: Claim) -> bool:
    return (
        _close(got.documents_complete_at, stored.documents_complete_at)
        and _close(got.agreed_at, stored.agreed_at)
        and len(got.document_requests) == len(stored.document_requests)
        and all(
            _close(g.requested_at, s.requested_at) and _close(g.received_at, s.received_at)
            for g, s in zip(got.document_requests, stored.document_requests, strict=True)
        )
    )


@pytest.mark.parametrize("insurer", API_INSURERS)
async def test_each_insurer_sends_documents_complete_agreement_and_supplement_rounds(
    insurer: str, gateway: InsurerGateway, sims: InsurerSimHandles, store: Any
) -> None:
    book = sims[insurer].book
    wanted = [c for c in book.claims if c.document_requests] + [
        c for c in book.claims if c.agreed_at is not None
    ]
    assert wanted, f"the demo gives {insurer} claims with 补材料 rounds or an agreement"
    for stored in wanted[:3]:
        [result] = await gateway.lookup_all(
            LookupQuery(claim_no=stored.claim_no, insurer_ids=(insurer,))
        )
        assert result.error is None, result.error
        [got] = [c for c in result.claims if c.claim_no == stored.claim_no]
        assert got.documents_complete_at is not None
        assert _same_milestones(got, stored), (got, stored)


async def test_claims_moved_on_by_the_insurer_come_back_with_the_moments_they_passed(
    gateway: InsurerGateway, sims: InsurerSimHandles
) -> None:
    book = sims["huaying"].book
    person = book.people[next(c.member_id for c in book.claims if c.stage not in FINAL)]
    sims.advance(timedelta(days=120))
    [result] = await gateway.lookup_all(query_for(person, ("huaying",)))
    assert result.claims
    for claim in result.claims:
        assert claim.documents_complete_at is not None
        assert all(r.received_at is not None for r in claim.document_requests)  # all answered
        if claim.stage is ClaimStage.PAID:
            assert claim.agreed_at is not None
        clocks = claim_duty_clocks(claim, SlaPolicy(), sims.clock.now())
        assert all(k.start_recorded for k in clocks), clocks  # none counts from 报案


def test_a_supplement_answered_before_it_was_asked_is_refused_with_its_path() -> None:
    claim = {
        "reportNo": "BA1",
        "policyNo": "GP1",
        "brokerMemberRef": "M1",
        "accidentDate": "2026-03-01",
        "reportTime": "2026-03-02T09:00:00+08:00",
        "stage": "REVIEWING",
        "claimAmount": "100",
        "supplements": [
            {"requestTime": "2026-03-05T09:00:00+08:00", "receiveTime": "2026-03-04T09:00:00+08:00"}
        ],
    }
    with pytest.raises(PayloadError) as raised:
        StandardDialect().parse({"code": "0", "data": {"claims": [claim]}}, "ruian")
    assert "$.data.claims[0].supplements[0].receiveTime" in str(raised.value)
