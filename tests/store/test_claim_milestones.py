"""The claim moments the law counts from survive the store, and an older file gains them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cscdesk.demo.scenario import INSURERS
from cscdesk.domain.models import Claim, ClaimStage, DocumentRequest
from cscdesk.store import Store, open_store
from cscdesk.store.migrations import MIGRATIONS, _v14_claim_milestones, apply_migrations

from .helpers import T0, employer, member

PERSON = member("M1", "欧阳娜娜", "11010519491231002X", "13812345678")


def _claim(**extra: object) -> Claim:
    fields: dict[str, object] = {
        "claim_no": "CL1",
        "insurer_id": "ruian",
        "policy_no": "GP1",
        "member_id": "M1",
        "accident_date": date(2026, 3, 1),
        "reported_at": T0,
        "stage": ClaimStage.UNDER_REVIEW,
        "amount_claimed": Decimal("1200.50"),
    }
    fields.update(extra)
    return Claim(**fields)  # type: ignore[arg-type]


def _people(store: Store) -> None:
    store.employers.put_many([employer()])
    store.members.add_many([PERSON])
    store.insurers.put_many(INSURERS)


def test_documents_complete_agreement_and_supplement_rounds_are_kept(store: Store) -> None:
    _people(store)
    rounds = (
        DocumentRequest(T0 + timedelta(days=2), T0 + timedelta(days=6)),
        DocumentRequest(T0 + timedelta(days=8)),  # still out
    )
    claim = _claim(
        documents_complete_at=T0 + timedelta(days=1),
        agreed_at=T0 + timedelta(days=20),
        document_requests=rounds,
    )
    store.policies.add_claims([claim, _claim(claim_no="CL2")])
    assert store.policies.claim_by_no("CL1") == claim
    bare = store.policies.claim_by_no("CL2")
    assert bare is not None
    assert (bare.documents_complete_at, bare.agreed_at, bare.document_requests) == (None, None, ())
    kept = {c.claim_no: c.document_requests for c in store.policies.claims_for_member("M1")}
    assert kept == {"CL1": rounds, "CL2": ()}


def test_claims_stored_before_the_milestone_columns_read_back_without_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    before = next(i for i, m in enumerate(MIGRATIONS) if m.apply is _v14_claim_milestones)
    old = open_store(path, migrate=lambda s: apply_migrations(s, upto=before))
    _people(old)
    with old.transaction() as db:
        db.execute(
            "INSERT INTO claims (claim_no, insurer_id, policy_no, member_id, accident_date,"
            " reported_at, stage, amount_claimed) VALUES ('CL9', 'ruian', 'GP1', 'M1',"
            " '2026-03-01', '2026-03-02T09:00:00.000000+00:00', 'accepted', '80')"
        )
    old.close()
    store = open_store(path)
    try:
        claim = store.policies.claim_by_no("CL9")
        assert claim is not None and claim.stage is ClaimStage.ACCEPTED
        assert (claim.documents_complete_at, claim.document_requests) == (None, ())
    finally:
        store.close()
