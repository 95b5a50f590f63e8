"""What one simulated insurer knows: its own policies and claims, taken from the demo store.

The simulated insurer holds exactly the policies the broker placed with it, so its answers agree
with the broker's store; only claim stages move on, with simulated time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cscdesk.domain.models import Claim, Member, Policy
from cscdesk.insurers.sim.clock import SimClock
from cscdesk.insurers.sim.progress import progressed


@dataclass(frozen=True, slots=True)
class Person:
    member_id: str
    id_number: str
    mobile: str | None


@dataclass(slots=True)
class Answer:
    people: dict[str, Person]
    policies: list[Policy]
    claims: list[Claim]
    as_of: datetime  # real time: only claim progress runs on simulated time


@dataclass
class InsurerBook:
    insurer_id: str
    people: dict[str, Person]
    policies: list[Policy]
    claims: list[Claim]
    clock: SimClock
    seed: int = 7
    lookups: int = field(default=0)

    @classmethod
    def build(
        cls,
        insurer_id: str,
        members: Iterable[Member],
        policies: Iterable[Policy],
        claims: Iterable[Claim],
        *,
        clock: SimClock,
        seed: int,
    ) -> InsurerBook:
        own_policies = [p for p in policies if p.insurer_id == insurer_id]
        own_claims = [c for c in claims if c.insurer_id == insurer_id]
        insured = {p.member_id for p in own_policies} | {c.member_id for c in own_claims}
        people = {m.id: Person(m.id, m.id_number, m.mobile) for m in members if m.id in insured}
        return cls(insurer_id, people, own_policies, own_claims, clock, seed)

    def find(
        self,
        *,
        id_number: str | None = None,
        mobile: str | None = None,
        policy_no: str | None = None,
        claim_no: str | None = None,
        member_refs: Iterable[str] = (),
    ) -> Answer:
        """Everything this insurer holds that matches any of the keys given."""
        self.lookups += 1
        members = {
            p.member_id
            for p in self.people.values()
            if (id_number and p.id_number == id_number) or (mobile and p.mobile == mobile)
        } | {ref for ref in member_refs if ref in self.people}
        policies = [p for p in self.policies if p.member_id in members or p.policy_no == policy_no]
        now = self.clock.now()
        claims = [
            progressed(c, since=self.clock.start, now=now, seed=self.seed)
            for c in self.claims
            if c.member_id in members or c.policy_no == policy_no or c.claim_no == claim_no
        ]
        involved = members | {p.member_id for p in policies} | {c.member_id for c in claims}
        people = {m: self.people[m] for m in involved if m in self.people}
        return Answer(people, policies, claims, datetime.now(UTC))  # the insurer's wall clock

    def claims_now(self) -> list[Claim]:
        now = self.clock.now()
        return [progressed(c, since=self.clock.start, now=now, seed=self.seed) for c in self.claims]
