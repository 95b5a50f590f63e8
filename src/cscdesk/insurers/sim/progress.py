"""Claims moving through 报案 → 受理 → (补材料) → 审核 → 结案/拒赔 → 支付 as simulated time passes.

Each claim's path and stage durations come from a generator seeded with the run seed and the
claim number, so the same seed always tells the same story. At the simulation's start every
claim is exactly where the broker's store has it; it moves on from there, recording the
documents-complete, 补材料 and agreement moments the insurer's duty clocks count from.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from cscdesk.domain.models import Claim, ClaimStage, DocumentRequest

HOURS = {
    ClaimStage.REPORTED: (4, 48),
    ClaimStage.ACCEPTED: (24, 72),
    ClaimStage.DOCUMENTS_REQUESTED: (48, 120),
    ClaimStage.UNDER_REVIEW: (48, 168),
    ClaimStage.SETTLED: (24, 120),
}
REFUSAL_REASONS = ("既往症不在保障范围", "等待期内出险", "材料不完整且逾期未补", "非指定医院就诊")


def _next(stage: ClaimStage, rng: random.Random) -> ClaimStage | None:
    if stage is ClaimStage.REPORTED:
        return ClaimStage.ACCEPTED
    if stage is ClaimStage.ACCEPTED:
        return ClaimStage.DOCUMENTS_REQUESTED if rng.random() < 0.3 else ClaimStage.UNDER_REVIEW
    if stage is ClaimStage.DOCUMENTS_REQUESTED:
        return ClaimStage.UNDER_REVIEW
    if stage is ClaimStage.UNDER_REVIEW:
        return ClaimStage.REFUSED if rng.random() < 0.12 else ClaimStage.SETTLED
    if stage is ClaimStage.SETTLED:
        return ClaimStage.PAID
    return None  # refused and paid are final


def progressed(claim: Claim, *, since: datetime, now: datetime, seed: int) -> Claim:
    """``claim`` as it stands at ``now``, given it was as stored at ``since``."""
    rng = random.Random(f"{seed}:{claim.claim_no}")
    at = since
    current = claim
    while True:
        following = _next(current.stage, rng)
        if following is None:
            return current
        low, high = HOURS[current.stage]
        at = at + timedelta(hours=rng.uniform(low, high))
        if at > now:
            return current
        current = _enter(current, following, at, rng)


def _milestones(claim: Claim, stage: ClaimStage, at: datetime) -> Claim:
    """The moments the law counts from, as the insurer records them on the way: the documents
    are complete at 受理, a 补材料 notice opens a round and the next step closes it, and
    结案 is the agreement on the amount."""
    rounds = claim.document_requests
    if rounds and rounds[-1].received_at is None and stage is not ClaimStage.DOCUMENTS_REQUESTED:
        rounds = (*rounds[:-1], replace(rounds[-1], received_at=at))
    if stage is ClaimStage.DOCUMENTS_REQUESTED:
        rounds = (*rounds, DocumentRequest(at))
    complete = claim.documents_complete_at
    if complete is None and stage is not ClaimStage.REPORTED:
        complete = at
    agreed = at if stage is ClaimStage.SETTLED else claim.agreed_at
    return replace(
        claim, document_requests=rounds, documents_complete_at=complete, agreed_at=agreed
    )


def _enter(claim: Claim, stage: ClaimStage, at: datetime, rng: random.Random) -> Claim:
    moved = _milestones(replace(claim, stage=stage, stage_changed_at=at), stage, at)
    if stage is ClaimStage.ACCEPTED and not claim.case_no:
        moved = replace(moved, case_no="R" + claim.claim_no[-10:])
    elif stage is ClaimStage.SETTLED:
        share = Decimal(str(rng.uniform(0.6, 1.0)))
        paid = (claim.amount_claimed * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
        moved = replace(
            moved, amount_paid=paid, decided_at=at, settlement_no="S" + claim.claim_no[-10:]
        )
    elif stage is ClaimStage.REFUSED:
        moved = replace(
            moved,
            amount_paid=Decimal("0"),
            decided_at=at,
            refusal_reason=rng.choice(REFUSAL_REASONS),
        )
    elif stage is ClaimStage.PAID:
        moved = replace(moved, paid_at=at)
    return moved
