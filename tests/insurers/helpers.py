"""Finding demo people worth asking about, and the store's view of them."""

from __future__ import annotations

from typing import Any

from cscdesk.domain.models import Policy
from cscdesk.insurers.port import LookupQuery
from cscdesk.insurers.sim import InsurerSimHandles
from cscdesk.insurers.sim.book import InsurerBook, Person

API_INSURERS = ("ruian", "jiahe", "huaying")


def _books(sims: InsurerSimHandles, insurers: tuple[str, ...]) -> list[InsurerBook]:
    return [sims.batch_book if i == "anhe" else sims[i].book for i in insurers]


def insured_at(sims: InsurerSimHandles, insurer: str) -> Person:
    """Someone with cover at ``insurer``, preferring a person who also has a claim there."""
    [book] = _books(sims, (insurer,))
    claimants = {c.member_id for c in book.claims}
    ranked = sorted(book.people, key=lambda m: (m not in claimants, m))
    assert ranked, f"the demo data has nobody insured at {insurer}"
    return book.people[ranked[0]]


def most_covered(sims: InsurerSimHandles, insurers: tuple[str, ...] = API_INSURERS) -> Person:
    """The person insured at the most of ``insurers`` (a fan-out with several real answers)."""
    books = _books(sims, insurers)
    people = {m: p for b in books for m, p in b.people.items()}
    best = max(sorted(people), key=lambda m: sum(m in b.people for b in books))
    return people[best]


def query_for(person: Person, insurers: tuple[str, ...] = (), **extra: Any) -> LookupQuery:
    return LookupQuery(
        id_number=person.id_number,
        member_ids=(person.member_id,),
        insurer_ids=insurers,
        actor="agent001@ccc-demo",
        **extra,
    )


def policy_key(p: Policy) -> tuple[str, ...]:
    """What must agree between an insurer's answer and the broker's own record of a policy."""
    return (p.policy_no, p.sub_policy_no, p.status.value, p.product, str(p.start), str(p.end))


def store_policies(store: Any, member_id: str, insurer_id: str) -> set[tuple[str, ...]]:
    return {
        (
            p.policy_no,
            p.sub_policy_no,
            p.status.value,
            p.product,
            p.start.isoformat(),
            p.end.isoformat(),
        )
        for p in store.policies.for_member(member_id)
        if p.insurer_id == insurer_id
    }


def store_claims(store: Any, member_id: str, insurer_id: str) -> dict[str, Any]:
    return {
        c.claim_no: c
        for c in store.policies.claims_for_member(member_id)
        if c.insurer_id == insurer_id
    }
