"""Demo data: same seed, same data; every ID number valid and consistent; all stages present."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from stdnum.cn import ric

from cscdesk.demo.scenario import INSURERS
from cscdesk.demo.seed import StoreNotEmpty, demo_mobiles, seed_demo
from cscdesk.domain.claim_duties import claim_duty_clocks
from cscdesk.domain.models import ClaimStage, Relation, Sex
from cscdesk.domain.privacy import is_valid_mobile
from cscdesk.domain.sla import SlaPolicy
from cscdesk.store import Store, open_store

MEMBERS = 400
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _seeded(path: Path, seed: int) -> Store:
    store = open_store(path)
    seed_demo(store, members=MEMBERS, seed=seed)
    return store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return _seeded(tmp_path_factory.mktemp("seed") / "a.db", 7)


def test_same_seed_same_data_other_seed_other_data(seeded: Store, tmp_path: Path) -> None:
    again = _seeded(tmp_path / "b.db", 7)
    other = _seeded(tmp_path / "c.db", 8)
    mine = list(seeded.members.all())
    assert list(again.members.all()) == mine
    assert [p for m in mine[:50] for p in again.policies.for_member(m.id)] == [
        p for m in mine[:50] for p in seeded.policies.for_member(m.id)
    ]
    assert demo_mobiles(again, 20) == demo_mobiles(seeded, 20)
    assert [m.id_number for m in other.members.all()] != [m.id_number for m in mine]


def test_members_have_valid_consistent_ids_and_unique_adult_mobiles(seeded: Store) -> None:
    members = list(seeded.members.all())
    assert len(members) == MEMBERS
    assert len({m.id_number for m in members}) == MEMBERS
    for m in members:
        assert ric.is_valid(m.id_number), m.id
        assert ric.get_birth_date(m.id_number) == m.birth_date
        assert (int(m.id_number[16]) % 2 == 1) == (m.sex is Sex.MALE)
    adults = [m for m in members if m.relation is not Relation.CHILD]
    assert all(m.mobile and is_valid_mobile(m.mobile) for m in adults)
    assert len({m.mobile for m in adults}) == len(adults)
    assert all(m.mobile is None for m in members if m.relation is Relation.CHILD)
    dependants = [m for m in members if m.relation is not Relation.SELF]
    assert {Relation.SPOUSE, Relation.CHILD} <= {m.relation for m in dependants}
    for d in dependants[:40]:
        main = seeded.members.get(d.main_member_id or "")
        assert main.relation is Relation.SELF and main.employer_id == d.employer_id


def test_every_insurer_covers_members_and_every_claim_stage_occurs(seeded: Store) -> None:
    assert set(seeded.policies.members_by_insurer()) == {i.id for i in INSURERS}
    stages = {
        c.stage for m in seeded.members.all() for c in seeded.policies.claims_for_member(m.id)
    }
    assert stages == set(ClaimStage)
    employers = seeded.employers.all()
    assert any(e.parent_id for e in employers) and any(e.parent_id is None for e in employers)
    policy = seeded.policies.for_member("M00000001")[0]
    assert {c.name for c in policy.coverages} >= {"门急诊医疗", "住院医疗", "重大疾病"}


def test_screen_pop_finds_the_simulator_callers_with_history(seeded: Store) -> None:
    for mobile in demo_mobiles(seeded, 30):
        (found,) = seeded.members.by_mobile(mobile)
        assert found.relation is Relation.SELF
    called = [m for m in seeded.members.all() if seeded.calls.for_member(m.id)]
    assert called, "past calls are linked to members"
    statuses = {t.status for m in called for t in seeded.tickets.for_member(m.id)}
    assert len(statuses) >= 3


def test_seeding_a_store_twice_is_refused(seeded: Store) -> None:
    with pytest.raises(StoreNotEmpty):
        seed_demo(seeded, members=10)


def test_even_a_tiny_demo_has_claims_for_every_insurer(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tiny.db")
    seed_demo(store, members=30, seed=7)
    claims = [c for m in store.members.all() for c in store.policies.claims_for_member(m.id)]
    assert {c.insurer_id for c in claims} == {i.id for i in INSURERS}
    assert len({c.claim_no for c in claims}) == len(claims)
    store.close()


def test_demo_claims_carry_the_moments_their_clocks_count_from(seeded: Store) -> None:
    claims = [c for m in seeded.members.all() for c in seeded.policies.claims_for_member(m.id)]
    by_stage = {stage: [c for c in claims if c.stage is stage] for stage in ClaimStage}
    assert all(c.documents_complete_at is None for c in by_stage[ClaimStage.REPORTED])
    started = [c for c in claims if c.stage is not ClaimStage.REPORTED]
    assert all(c.documents_complete_at is not None for c in started)
    assert all(
        c.reported_at <= c.documents_complete_at <= c.stage_changed_at  # type: ignore[operator]
        for c in started
    )
    assert all(
        c.document_requests and c.document_requests[-1].received_at is None
        for c in by_stage[ClaimStage.DOCUMENTS_REQUESTED]
    )
    answered = [r for c in started for r in c.document_requests if r.received_at is not None]
    assert answered and all(r.requested_at < r.received_at for r in answered)  # type: ignore[operator]
    settled = by_stage[ClaimStage.SETTLED] + by_stage[ClaimStage.PAID]
    assert all(c.agreed_at is not None for c in settled)
    assert all(c.agreed_at is None for c in by_stage[ClaimStage.REFUSED])
    clocks = [k for c in started for k in claim_duty_clocks(c, SlaPolicy(), NOW)]
    assert clocks and all(k.start_recorded for k in clocks)  # none falls back to 报案


def test_the_members_bar_is_drawn_before_the_first_batch_is_written(tmp_path: Path) -> None:
    """``demo-data --members 200000`` once showed nothing for half a minute: the bar came with
    the first 50,000 members written. Now it starts at 0 of N and ends at N of N."""
    store = open_store(tmp_path / "bar.db")
    heard: list[tuple[str, int, int | None]] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        heard.append((stage, done, total))
        if done == 0:
            assert store.members.count() == 0  # drawn before any member is written

    seed_demo(store, members=30, seed=7, progress=progress)
    assert heard[0] == ("members", 0, 30)
    assert heard[-1][1] == heard[-1][2] == store.members.count()
    store.close()
