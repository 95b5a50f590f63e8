"""Simulated claims tell the same story for the same seed, and move only forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cscdesk.domain.models import ClaimStage
from cscdesk.insurers.sim.progress import progressed

ORDER = [
    ClaimStage.REPORTED,
    ClaimStage.ACCEPTED,
    ClaimStage.DOCUMENTS_REQUESTED,
    ClaimStage.UNDER_REVIEW,
    ClaimStage.SETTLED,
    ClaimStage.REFUSED,
    ClaimStage.PAID,
]


def _claims(store: Any) -> list[Any]:
    members = [m.id for m in store.members.all()]
    return [c for m in members for c in store.policies.claims_for_member(m)]


def test_same_seed_same_story_and_stages_only_move_forward(store: Any) -> None:
    claims = [c for c in _claims(store) if c.stage not in (ClaimStage.PAID, ClaimStage.REFUSED)]
    assert claims, "the demo has open claims"
    start = datetime(2026, 3, 2, tzinfo=UTC)
    checkpoints = [start + timedelta(days=d) for d in (0, 2, 7, 20, 90)]
    story = [[progressed(c, since=start, now=t, seed=7) for t in checkpoints] for c in claims]
    again = [[progressed(c, since=start, now=t, seed=7) for t in checkpoints] for c in claims]
    other = [[progressed(c, since=start, now=t, seed=8) for t in checkpoints] for c in claims]

    assert story == again
    assert story != other
    for original, steps in zip(claims, story, strict=True):
        assert steps[0] == original  # at the start the insurer agrees with the store
        ranks = [ORDER.index(s.stage) for s in steps]
        assert ranks == sorted(ranks)
        assert steps[-1].stage in (ClaimStage.PAID, ClaimStage.REFUSED)
