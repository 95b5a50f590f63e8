"""Deterministic demo data: employers, members with dependants, policies, claims, calls, tickets.

The same seed gives the same store, byte for byte in every business field. Faker (zh_CN) is
asked once for pools of surnames, given names and hospitals, which are then combined by a seeded
``random.Random``: Faker per row would take minutes for a million members. Resident ID numbers are
built from a real region code, the birth date, a sequence whose parity is the sex, and the check
character from ``stdnum.cn.ric``; adults get unique mainland mobiles.

The seed leaves a marker (``sync_state`` key ``demo_seed``) with the row count of every content
table it wrote. ``cscdesk demo-data`` replaces only a store whose contents still match that
marker (or an empty one) and that holds no user account and no audit record: a store with
anything else in it is someone's data, not the demo's.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stdnum.cn import ric

from cscdesk.demo.scenario import AGENTS, INSURERS, SKILL_GROUPS, WRAP_UP_CODES
from cscdesk.domain.models import (
    AgentKind,
    Call,
    CallDirection,
    CallOutcome,
    Claim,
    ClaimStage,
    Coverage,
    DocumentRequest,
    Employer,
    IdType,
    Member,
    Policy,
    PolicyStatus,
    Priority,
    Relation,
    Sex,
    SyncState,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)
from cscdesk.store.contents import content_counts, named_value

if TYPE_CHECKING:
    from cscdesk.store import Store

BATCH = 50_000
HOTLINE = "4008001234"
# 行政区划代码 of real districts (Beijing, Shanghai, Guangzhou, Shenzhen, Chengdu, Nanjing, …)
REGIONS = (
    "110101", "110105", "110108", "310101", "310104", "310110", "440103", "440106",
    "440305", "510104", "510107", "320102", "330106", "420102", "610113", "350102",
)  # fmt: skip
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "186", "187",
    "188", "189", "191", "198", "199",
)  # fmt: skip
GROUPS = (
    ("G1", "中国演示能源集团有限公司", ("华东演示电力有限公司", "华南演示燃气有限公司")),
    ("G2", "中国演示交通建设集团有限公司", ("演示港务有限公司", "演示路桥工程有限公司")),
    ("G3", "中国演示通信集团有限公司", ("演示数据服务有限公司", "演示通信设备有限公司")),
)
PLANS: dict[str, tuple[Coverage, ...]] = {
    tier: (
        Coverage("OPD", "门急诊医疗", Decimal(limit) / 10, Decimal("100"), Decimal("0.8")),
        Coverage("IPD", "住院医疗", Decimal(limit), Decimal("0"), Decimal("0.9")),
        Coverage("CI", "重大疾病", Decimal(limit) * 2, Decimal("0"), Decimal("1")),
        Coverage("ACC", "意外伤害", Decimal(limit) * 3, Decimal("0"), Decimal("1")),
    )
    for tier, limit in (("A", "200000"), ("B", "100000"), ("C", "50000"))
}
TICKET_TITLES = {
    TicketType.ENQUIRY: ("咨询门诊报销比例", "咨询保障范围", "咨询发票要求"),
    TicketType.CLAIM_ASSIST: ("理赔进度查询", "协助补充理赔材料", "理赔金额复核"),
    TicketType.POLICY_CHANGE: ("新增子女为连带被保险人", "变更银行账户", "变更联系地址"),
    TicketType.COMPLAINT: ("投诉理赔时效过长", "投诉保险公司客服态度"),
    TicketType.FOLLOW_UP: ("理赔结案回访",),
    TicketType.FEEDBACK: ("表扬客服耐心",),
}
TICKET_STATUSES = (
    TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.ESCALATED,
    TicketStatus.RESOLVED, TicketStatus.CLOSED,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SeedSummary:
    employers: int
    members: int
    policies: int
    claims: int
    calls: int
    tickets: int
    seconds: float


class StoreNotEmpty(RuntimeError):
    """Demo data goes only into an empty store; start from a new file to reseed."""


@dataclass
class _Pools:
    surnames: list[str]
    male: list[str]
    female: list[str]
    hospitals: list[str]


def _pools(seed: int) -> _Pools:
    from faker import Faker  # heavy: only when seeding

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = sorted({fake.last_name() for _ in range(400)})
    male = sorted({fake.first_name_male() for _ in range(600)})
    female = sorted({fake.first_name_female() for _ in range(600)})
    cities = sorted({fake.city_name() for _ in range(60)})
    hospitals = [f"{c}第{n}人民医院" for c in cities for n in ("一", "二", "三")]
    return _Pools(surnames, male, female, hospitals)


class _People:
    """Names, unique ID numbers and unique mobiles from one seeded generator."""

    def __init__(self, rng: random.Random, pools: _Pools) -> None:
        self.rng = rng
        self.pools = pools
        self.ids: set[str] = set()
        self.mobiles: set[str] = set()
        self._regions: dict[str, bool] = {}

    def name(self, sex: Sex, surname: str | None = None) -> str:
        given = self.pools.male if sex is Sex.MALE else self.pools.female
        return (surname or self.rng.choice(self.pools.surnames)) + self.rng.choice(given)

    def id_number(self, birth: date, sex: Sex) -> str:
        """A unique valid number; the sequence's parity is the sex (odd: male)."""
        while True:
            stem = f"{self.rng.choice(REGIONS)}{birth:%Y%m%d}"
            seq = self.rng.randrange(500) * 2 + (1 if sex is Sex.MALE else 0)
            if not self._district_existed(stem, seq):
                continue
            for _ in range(500):
                first17 = f"{stem}{seq:03d}"
                number = first17 + ric.calc_check_digit(first17 + "0")  # it skips the last char
                if number not in self.ids:
                    self.ids.add(number)
                    return number
                seq = (seq + 2) % 1000

    def _district_existed(self, stem: str, seq: int) -> bool:
        """stdnum also checks that the district existed in the birth year; remember answers."""
        key = stem[:10]
        valid = self._regions.get(key)
        if valid is None:
            first17 = f"{stem}{seq:03d}"
            valid = ric.is_valid(first17 + ric.calc_check_digit(first17 + "0"))
            self._regions[key] = valid
        return valid

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def birth(self, oldest: int, youngest: int, today: date) -> date:
        return today - timedelta(days=self.rng.randint(youngest * 365, oldest * 365))


def _employers() -> list[Employer]:
    result = []
    for gid, name, subsidiaries in GROUPS:
        result.append(Employer(gid, name, None, None))
        for i, sub in enumerate(subsidiaries, start=1):
            result.append(Employer(f"{gid}-{i:02d}", sub, gid, None))
    return result


def _families(
    total: int, people: _People, employers: list[Employer], today: date
) -> Iterator[list[Member]]:
    """Employees with spouses and children, ``total`` people in all, family by family."""
    rng = people.rng
    made = 0
    family = 0
    while made < total:
        employer = employers[family % len(employers)]
        family += 1
        sex = Sex.MALE if rng.random() < 0.55 else Sex.FEMALE
        birth = people.birth(60, 22, today)
        tier = rng.choice("ABBC")
        main_id = f"M{made + 1:08d}"
        members = [
            Member(
                id=main_id,
                name=people.name(sex),
                id_type=IdType.RESIDENT_ID,
                id_number=people.id_number(birth, sex),
                birth_date=birth,
                sex=sex,
                mobile=people.mobile(),
                employer_id=employer.id,
                employee_no=f"E{family:07d}",
                relation=Relation.SELF,
                main_member_id=main_id,
                plan_tier=tier,
                flags=("vip",) if rng.random() < 0.02 else (),
            )
        ]
        surname = members[0].name[0]
        if rng.random() < 0.45 and made + len(members) < total:
            spouse_sex = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
            spouse_birth = people.birth(60, 22, today)
            members.append(
                Member(
                    id=f"M{made + len(members) + 1:08d}",
                    name=people.name(spouse_sex),
                    id_type=IdType.RESIDENT_ID,
                    id_number=people.id_number(spouse_birth, spouse_sex),
                    birth_date=spouse_birth,
                    sex=spouse_sex,
                    mobile=people.mobile(),
                    employer_id=employer.id,
                    relation=Relation.SPOUSE,
                    main_member_id=main_id,
                    plan_tier=tier,
                )
            )
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            if made + len(members) >= total:
                break
            child_sex = rng.choice((Sex.MALE, Sex.FEMALE))
            child_birth = people.birth(17, 0, today)
            members.append(
                Member(
                    id=f"M{made + len(members) + 1:08d}",
                    name=people.name(child_sex, surname),
                    id_type=IdType.RESIDENT_ID,
                    id_number=people.id_number(child_birth, child_sex),
                    birth_date=child_birth,
                    sex=child_sex,
                    mobile=None,
                    employer_id=employer.id,
                    relation=Relation.CHILD,
                    main_member_id=main_id,
                    plan_tier=tier,
                )
            )
        made += len(members)
        yield members


def _policy_numbers(employers: list[Employer], year: int) -> dict[str, tuple[str, str]]:
    """employer → (insurer, 团单号): the employers spread over all four insurers."""
    result = {}
    for i, employer in enumerate(employers):
        insurer = INSURERS[i % len(INSURERS)]
        result[employer.id] = (insurer.id, f"{insurer.id[:2].upper()}{year}{i + 1:06d}")
    return result


DEFAULT_TODAY = date(2026, 3, 2)


def seed_demo(
    store: Store,
    *,
    members: int = 20_000,
    seed: int = 7,
    today: date = DEFAULT_TODAY,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> SeedSummary:
    """Fill an empty store with a demo center's data; the same seed gives the same data.
    ``progress`` hears the members written so far (a million take minutes)."""
    began = time.perf_counter()
    if store.members.count():
        raise StoreNotEmpty(f"{store.path} already holds members; reseed into a new file")
    rng = random.Random(seed)
    people = _People(rng, _pools(seed))
    # ``today`` anchors every date: tests keep the fixed default so that the data never depend on
    # the day they are made; the live demo passes the real date so that SLA clocks look current.
    year = today.year
    employers = _employers()
    group_policies = _policy_numbers(employers, year)
    counts = {"policies": 0, "claims": 0, "members": 0}
    claimed: set[str] = set()  # group policies that have a claim
    with store.transaction():
        store.insurers.put_many(INSURERS)
        store.skill_groups.put_many(SKILL_GROUPS)
        store.agents.put_many(AGENTS)
        store.employers.put_many(employers)
        for employer in employers:
            _insurer, policy_no = group_policies[employer.id]
            for tier, coverages in PLANS.items():
                store.policies.set_plan(policy_no, tier, coverages)
        store.policies.set_plan(f"ACC{year}", "", PLANS["C"][3:])
        batch: list[Member] = []
        if progress is not None:  # the bar from the start: the first batch takes half a minute
            progress("members", 0, members)
        for family in _families(members, people, employers, today):
            batch.extend(family)
            if len(batch) >= BATCH:
                _write_batch(store, batch, group_policies, counts, claimed, rng, people, today)
                batch = []
                if progress is not None:
                    progress("members", counts["members"], members)
        if batch:
            _write_batch(store, batch, group_policies, counts, claimed, rng, people, today)
        if progress is not None:
            progress("members", counts["members"], max(members, counts["members"]))
        calls = _calls(store, rng, today)
        tickets = _tickets(store, rng, today)
        with store.reading() as db:
            counts = content_counts(db)
        marker = {"seed": seed, "members": members, "today": today.isoformat(), "rows": counts}
        store.sync_state.set(DEMO_MARKER, json.dumps(marker, sort_keys=True))
    return SeedSummary(
        employers=len(employers),
        members=counts["members"],
        policies=counts["policies"],
        claims=counts["claims"],
        calls=calls,
        tickets=tickets,
        seconds=round(time.perf_counter() - began, 2),
    )


def _write_batch(
    store: Store,
    batch: list[Member],
    group_policies: dict[str, tuple[str, str]],
    counts: dict[str, int],
    claimed: set[str],
    rng: random.Random,
    people: _People,
    today: date,
) -> None:
    stages = list(ClaimStage)
    year = today.year
    start, end = date(year, 1, 1), date(year, 12, 31)
    policies: list[Policy] = []
    tiers: dict[str, str] = {}
    claims: list[Claim] = []
    accident_insurer = {i.id: INSURERS[(n + 1) % len(INSURERS)].id for n, i in enumerate(INSURERS)}
    for member in batch:
        number = int(member.id[1:])
        insurer_id, policy_no = group_policies[member.employer_id]
        tiers[member.id] = member.plan_tier or ""
        policies.append(
            Policy(
                policy_no,
                f"{policy_no}-{number:08d}",
                insurer_id,
                member.employer_id,
                member.id,
                "企业补充医疗保险",
                start,
                end,
                PolicyStatus.ACTIVE,
            )
        )
        if member.relation is Relation.SELF and number % 5 == 0:  # a second insurer: accident
            policies.append(
                Policy(
                    f"ACC{year}",
                    f"ACC{year}-{number:08d}",
                    accident_insurer[insurer_id],
                    member.employer_id,
                    member.id,
                    "团体意外伤害保险",
                    start,
                    end,
                    PolicyStatus.ACTIVE,
                )
            )
        if number % 7 == 1:
            counts["claims"] += 1
            counts["regular"] = serial = counts.get("regular", 0) + 1
            claim_no = f"BA{insurer_id[:2].upper()}{today.year}{serial:08d}"
            stage = stages[serial % len(stages)]
            claims.append(
                _claim(member, insurer_id, policy_no, stage, claim_no, rng, people, today)
            )
            claimed.add(policy_no)
        elif policy_no not in claimed:  # every group policy has at least one claim
            claimed.add(policy_no)
            counts["claims"] += 1
            claim_no = f"BX{insurer_id[:2].upper()}{today.year}{len(claimed):08d}"
            stage = stages[len(claimed) % len(stages)]
            own = random.Random(member.id)  # apart from ``rng``: the rest of the data stays put
            claims.append(
                _claim(member, insurer_id, policy_no, stage, claim_no, own, people, today)
            )
    store.members.add_many(batch)
    store.policies.add_many([p for p in policies if p.policy_no != f"ACC{year}"], tiers)
    store.policies.add_many([p for p in policies if p.policy_no == f"ACC{year}"])
    store.policies.add_claims(claims)
    counts["members"] += len(batch)
    counts["policies"] += len(policies)


def _claim(
    member: Member,
    insurer_id: str,
    policy_no: str,
    stage: ClaimStage,
    claim_no: str,
    rng: random.Random,
    people: _People,
    today: date,
) -> Claim:
    reference = claim_no[2:]
    accident = today - timedelta(days=rng.randint(5, 120))
    reported = datetime(accident.year, accident.month, accident.day, 9, tzinfo=UTC) + timedelta(
        days=rng.randint(1, 4), minutes=rng.randint(0, 480)
    )
    changed = reported + timedelta(days=rng.randint(0, 20))
    claimed = Decimal(rng.randint(300, 60_000)).quantize(Decimal("1.00"))
    decided = stage in (ClaimStage.SETTLED, ClaimStage.REFUSED, ClaimStage.PAID)
    paid = (
        (claimed * Decimal("0.9")).quantize(Decimal("1.00")) if stage is ClaimStage.PAID else None
    )
    return Claim(
        claim_no=claim_no,
        insurer_id=insurer_id,
        policy_no=policy_no,
        member_id=member.id,
        accident_date=accident,
        reported_at=reported,
        stage=stage,
        amount_claimed=claimed,
        amount_paid=paid,
        hospital=rng.choice(people.pools.hospitals),
        case_no=None if stage is ClaimStage.REPORTED else f"LA{reference}",
        settlement_no=f"PA{reference}" if decided else None,
        refusal_reason="既往症责任免除" if stage is ClaimStage.REFUSED else None,
        stage_changed_at=changed,
        decided_at=changed if decided else None,
        paid_at=changed + timedelta(days=3) if stage is ClaimStage.PAID else None,
        **_milestones(stage, claim_no, reported, changed),
    )


def _milestones(
    stage: ClaimStage, claim_no: str, reported: datetime, changed: datetime
) -> dict[str, Any]:
    """The moments the law counts from, as a claim at ``stage`` would have them: documents
    complete at or before 受理, a 补材料 round on some claims (still open at 补材料), the
    amount agreed when the case was settled. Drawn from the claim number, apart from the
    seed's generator, so the rest of the demo data stays as it was."""
    if stage is ClaimStage.REPORTED:
        return {}
    own = random.Random(f"milestones:{claim_no}")
    span = changed - reported
    complete = (
        reported + span * own.uniform(0.1, 0.5) if stage is not ClaimStage.ACCEPTED else changed
    )
    rounds: tuple[DocumentRequest, ...] = ()
    if stage is ClaimStage.DOCUMENTS_REQUESTED:
        rounds = (DocumentRequest(changed),)  # the notice is out, nothing back yet
    elif stage is not ClaimStage.ACCEPTED and own.random() < 0.4:
        asked = complete + (changed - complete) * own.uniform(0.1, 0.4)
        rounds = (DocumentRequest(asked, asked + (changed - asked) * own.uniform(0.3, 0.8)),)
    agreed = changed if stage in (ClaimStage.SETTLED, ClaimStage.PAID) else None
    return {"documents_complete_at": complete, "document_requests": rounds, "agreed_at": agreed}


def _calls(store: Store, rng: random.Random, today: date) -> int:
    """Past CDRs from members' mobiles over the last four weeks."""
    callers = store.members.mobiles(limit=2000)
    if not callers:
        return 0
    brokers = [a for a in AGENTS if a.kind is AgentKind.BROKER]
    groups = [g.id for g in SKILL_GROUPS if g.insurer_id is None]
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(hours=8)
    calls = []
    for n in range(min(len(callers) * 2, 5000)):
        caller, member_id = callers[rng.randrange(len(callers))]
        start = midnight - timedelta(days=rng.randint(1, 28), seconds=rng.randint(9, 17) * 3600)
        start += timedelta(seconds=rng.randint(0, 3599))
        queued = start + timedelta(seconds=rng.randint(15, 60))
        answered = rng.random() < 0.88
        wait = rng.uniform(2, 40) if answered else rng.uniform(3, 90)
        talk = rng.uniform(60, 540) if answered else 0.0
        calls.append(
            Call(
                contact_id=f"job-demo-{n + 1:07d}",
                direction=CallDirection.INBOUND,
                caller=caller,
                callee=HOTLINE,
                started_at=start,
                outcome=CallOutcome.ANSWERED if answered else CallOutcome.ABANDONED,
                skill_group=rng.choice(groups),
                agent_id=rng.choice(brokers).id if answered else None,
                queued_at=queued,
                answered_at=queued + timedelta(seconds=wait) if answered else None,
                ended_at=queued + timedelta(seconds=wait + talk),
                talk_seconds=round(talk, 1),
                acw_seconds=round(rng.uniform(10, 60), 1) if answered else 0.0,
                wrap_up_code=rng.choice(WRAP_UP_CODES)[0] if answered else None,
                member_id=member_id,
                recorded=answered,
                satisfaction=rng.choice((3, 4, 5, 5, 5))
                if answered and rng.random() < 0.3
                else None,
                resolved_first_contact=(rng.random() < 0.8) if answered else None,
            )
        )
    return store.calls.upsert_many(calls)


def _tickets(store: Store, rng: random.Random, today: date) -> int:
    """Tickets in every open and finished status, owned by broker agents (the demo agent too)."""
    callers = store.members.mobiles(limit=500)
    if not callers:
        return 0
    brokers = [a for a in AGENTS if a.kind is AgentKind.BROKER]
    now = datetime(today.year, today.month, today.day, 2, tzinfo=UTC)
    history: list[tuple[Ticket, TicketEvent]] = []
    types = list(TICKET_TITLES)
    for n in range(min(len(callers), 400)):
        ticket_type = types[n % len(types)]
        status = TICKET_STATUSES[n % len(TICKET_STATUSES)]
        created = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        owner = brokers[n % len(brokers)].id
        days = 15 if ticket_type is TicketType.COMPLAINT else 3
        done = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        ticket = Ticket(
            id=f"TDEMO{n + 1:06d}",
            type=ticket_type,
            status=status,
            priority=Priority.HIGH if ticket_type is TicketType.COMPLAINT else Priority.NORMAL,
            title=rng.choice(TICKET_TITLES[ticket_type]),
            created_at=created,
            updated_at=created + timedelta(hours=2),
            created_by=owner,
            description="来电客户反映的问题已记录，详见通话。",
            owner=owner,
            member_id=callers[n][1],
            insurer_id=INSURERS[n % len(INSURERS)].id if status is TicketStatus.ESCALATED else None,
            due_at=created + timedelta(days=days),
            first_response_due_at=created + timedelta(hours=24),
            first_response_at=created + timedelta(hours=2)
            if status is not TicketStatus.NEW
            else None,
            resolved_at=created + timedelta(days=1) if done else None,
            closed_at=created + timedelta(days=2) if status is TicketStatus.CLOSED else None,
            sync_state=SyncState.SYNCED,
        )
        history.append((ticket, TicketEvent(ticket.id, created, owner, "created")))
    return store.tickets.load_history(history)


DEMO_MARKER = "demo_seed"


def _marker_rows(db: Any) -> dict[str, int] | None:
    value = named_value(db, DEMO_MARKER)
    if not value:
        return None
    try:
        rows = json.loads(value)["rows"]
        return {str(k): int(v) for k, v in rows.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def why_not_demo(db: Any) -> str | None:
    """Why this store is more than demo data (so must not be replaced), or None.

    Refused: any user account, any audit record, and any content the seed did not write (a
    table whose row count differs from the seed's marker, or content without a marker)."""
    counts = content_counts(db)
    if counts.get("users"):
        return f"it holds {counts['users']} user account(s)"
    for table in ("audit", "audit_anchor"):
        if counts.get(table):
            return f"it holds an audit log ({counts[table]} row(s) in {table})"
    seeded = _marker_rows(db)
    if seeded is None:
        filled = sorted(t for t, n in counts.items() if n)
        if filled:
            shown = ", ".join(f"{t}: {counts[t]} rows" for t in filled[:3])
            return f"it holds data that the demo seed did not write ({shown})"
        return None
    changed = sorted(t for t, n in counts.items() if n != seeded.get(t, 0))
    if changed:
        shown = ", ".join(f"{t}: {counts[t]} rows, the seed wrote {seeded.get(t, 0)}"
                          for t in changed[:3])  # fmt: skip
        return f"it holds data that the demo seed did not write ({shown})"
    return None


def demo_mobiles(store: Store, limit: int) -> list[str]:
    """Main insured members' mobiles, for the simulator's callers (so screen pop finds them)."""
    return [mobile for mobile, _member in store.members.mobiles(limit=limit)]
