"""Group policies (团单号 + 分单号 per insured), their plan coverages, and claims.

Coverages belong to a plan (计划) of a group policy, not to each insured: a million insured under
four plans store four sets of liabilities, and every ``Policy`` read joins its plan's set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import (
    Claim,
    ClaimStage,
    Coverage,
    DocumentRequest,
    Insurer,
    Policy,
    PolicyStatus,
)
from cscdesk.store._codec import as_json, day, moment, money, to_day, to_money, when
from cscdesk.store.read_ahead import Read

if TYPE_CHECKING:
    from cscdesk.store.db import Store

_POLICY = (
    "policy_no, sub_policy_no, insurer_id, employer_id, member_id, product, plan_tier,"
    " start_date, end_date, status"
)
_CLAIM = (
    "claim_no, insurer_id, policy_no, member_id, accident_date, reported_at, stage,"
    " amount_claimed, amount_paid, hospital, case_no, settlement_no, refusal_reason,"
    " stage_changed_at, decided_at, paid_at, reopened, documents_complete_at, agreed_at,"
    " document_requests"
)
INSERT_POLICY = f"INSERT INTO policies ({_POLICY}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_CLAIM = f"INSERT INTO claims ({_CLAIM}) VALUES ({', '.join('?' * (_CLAIM.count(',') + 1))})"


def policy_row(policy: Policy, plan_tier: str = "") -> tuple[Any, ...]:
    return (
        policy.policy_no,
        policy.sub_policy_no,
        policy.insurer_id,
        policy.employer_id,
        policy.member_id,
        policy.product,
        plan_tier,
        day(policy.start),
        day(policy.end),
        policy.status.value,
    )


def claim_row(claim: Claim) -> tuple[Any, ...]:
    return (
        claim.claim_no,
        claim.insurer_id,
        claim.policy_no,
        claim.member_id,
        day(claim.accident_date),
        when(claim.reported_at),
        claim.stage.value,
        money(claim.amount_claimed),
        money(claim.amount_paid),
        claim.hospital,
        claim.case_no,
        claim.settlement_no,
        claim.refusal_reason,
        when(claim.stage_changed_at),
        when(claim.decided_at),
        when(claim.paid_at),
        int(claim.reopened),
        when(claim.documents_complete_at),
        when(claim.agreed_at),
        _requests_text(claim.document_requests),
    )


def _requests_text(requests: Sequence[DocumentRequest]) -> str:
    """The 补材料 rounds as one JSON column: [[requested, received or null], ...] in UTC text."""
    return as_json([[when(r.requested_at), when(r.received_at)] for r in requests])


def _requests(text: str | None) -> tuple[DocumentRequest, ...]:
    rounds = []
    for requested, received in json.loads(text or "[]"):
        at = moment(requested)
        if at is None:
            raise ValueError("stored 补材料 round lacks its request time")
        rounds.append(DocumentRequest(at, moment(received)))
    return tuple(rounds)


def _to_claim(r: Sequence[Any]) -> Claim:
    accident = to_day(r[4])
    reported = moment(r[5])
    claimed = to_money(r[7])
    assert accident is not None and reported is not None and claimed is not None
    return Claim(
        claim_no=r[0],
        insurer_id=r[1],
        policy_no=r[2],
        member_id=r[3],
        accident_date=accident,
        reported_at=reported,
        stage=ClaimStage(r[6]),
        amount_claimed=claimed,
        amount_paid=to_money(r[8]),
        hospital=r[9],
        case_no=r[10],
        settlement_no=r[11],
        refusal_reason=r[12],
        stage_changed_at=moment(r[13]),
        decided_at=moment(r[14]),
        paid_at=moment(r[15]),
        reopened=bool(r[16]),
        documents_complete_at=moment(r[17]),
        agreed_at=moment(r[18]),
        document_requests=_requests(r[19]),
    )


class Policies:
    def __init__(self, store: Store) -> None:
        self._store = store

    # ------------------------------------------------------------------ writes
    def set_plan(self, policy_no: str, plan_tier: str, coverages: Iterable[Coverage]) -> None:
        """The liabilities of one plan of a group policy (replacing what was there)."""
        rows = [
            (
                policy_no,
                plan_tier,
                c.code,
                c.name,
                money(c.limit),
                money(c.deductible),
                str(c.ratio),
            )
            for c in coverages
        ]
        with self._store.transaction() as db:
            db.execute(
                "DELETE FROM coverages WHERE policy_no = ? AND plan_tier = ?",
                [policy_no, plan_tier],
            )
            db.executemany(
                "INSERT INTO coverages (policy_no, plan_tier, code, name, limit_amount,"
                " deductible, ratio) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def add_many(
        self, policies: Iterable[Policy], plan_tiers: Mapping[str, str] | None = None
    ) -> int:
        """Insert or replace insured records; ``plan_tiers`` maps member id → plan."""
        tiers = plan_tiers or {}
        rows = [policy_row(p, tiers.get(p.member_id, "")) for p in policies]
        with self._store.transaction() as db:
            db.executemany(INSERT_POLICY.replace("INSERT", "INSERT OR REPLACE", 1), rows)
        return len(rows)

    def add_claims(self, claims: Iterable[Claim]) -> int:
        rows = [claim_row(c) for c in claims]
        with self._store.transaction() as db:
            db.executemany(INSERT_CLAIM.replace("INSERT", "INSERT OR REPLACE", 1), rows)
        return len(rows)

    # ------------------------------------------------------------------ reads
    @staticmethod
    def _policies_read(where: str, params: Sequence[Any], limit: int = 1000) -> Read:
        sql = (
            f"SELECT {_POLICY} FROM policies WHERE {where} ORDER BY start_date DESC,"
            " policy_no, sub_policy_no LIMIT ?"
        )
        return sql, [*params, limit]

    def for_member_read(self, member_id: str) -> Read:
        """``for_member``'s first statement (its policies), for ``Store.read_ahead``."""
        return self._policies_read("member_id = ?", [member_id])

    @staticmethod
    def coverages_for_member_read(member_id: str) -> Read:
        """``for_member``'s second statement: the coverages of every plan its policies name,
        at once (not one statement a plan), for ``Store.read_ahead``."""
        sql = (
            "SELECT c.policy_no, c.plan_tier, c.code, c.name, c.limit_amount, c.deductible,"
            " c.ratio FROM coverages AS c JOIN (SELECT DISTINCT policy_no, plan_tier FROM"
            " policies WHERE member_id = ?) AS p ON p.policy_no = c.policy_no AND"
            " p.plan_tier = c.plan_tier ORDER BY c.policy_no, c.plan_tier, c.code"
        )
        return sql, [member_id]

    def claims_for_member_read(self, member_id: str) -> Read:
        """``claims_for_member``'s statement, for ``Store.read_ahead``."""
        sql = f"SELECT {_CLAIM} FROM claims WHERE member_id = ? ORDER BY reported_at DESC"
        return sql, [member_id]

    def _policies(self, where: str, params: Sequence[Any], limit: int = 1000) -> list[Policy]:
        with self._store.reading() as db:
            rows = db.execute(*self._policies_read(where, params, limit)).fetchall()
            plans: dict[tuple[str, str], tuple[Coverage, ...]] = {}
            for row in rows:
                key = (row[0], row[6])
                if key not in plans:
                    plans[key] = tuple(
                        _to_coverage(c)
                        for c in db.execute(
                            "SELECT code, name, limit_amount, deductible, ratio FROM coverages"
                            " WHERE policy_no = ? AND plan_tier = ? ORDER BY code",
                            key,
                        ).fetchall()
                    )
        return _to_policies(rows, plans)

    def for_member(self, member_id: str) -> list[Policy]:
        with self._store.reading() as db:
            rows = db.execute(*self.for_member_read(member_id)).fetchall()
            covered = db.execute(*self.coverages_for_member_read(member_id)).fetchall()
        plans: dict[tuple[str, str], list[Coverage]] = {}
        for c in covered:
            plans.setdefault((c[0], c[1]), []).append(_to_coverage(c[2:]))
        return _to_policies(rows, {key: tuple(found) for key, found in plans.items()})

    def by_policy_no(self, policy_no: str, limit: int = 200) -> list[Policy]:
        """Insured records of a group policy (团单号)."""
        return self._policies("policy_no = ?", [policy_no], limit)

    def group_terms(self, policy_no: str) -> Policy | None:
        """One insured record of a group policy: its insurer, employer, product and period."""
        found = self._policies("policy_no = ?", [policy_no], 1)
        return found[0] if found else None

    def contract_end(self, policy_no: str) -> date | None:
        """The group contract's end (团单): the latest end of any insured record under it."""
        with self._store.reading() as db:
            row = db.execute(
                "SELECT max(end_date) FROM policies WHERE policy_no = ?", [policy_no]
            ).fetchone()
        return None if row is None or row[0] is None else date.fromisoformat(str(row[0]))

    def claims_for_member(self, member_id: str) -> list[Claim]:
        with self._store.reading() as db:
            rows = db.execute(*self.claims_for_member_read(member_id)).fetchall()
        return [_to_claim(r) for r in rows]

    def claim_by_no(self, claim_no: str) -> Claim | None:
        with self._store.reading() as db:
            row = db.execute(
                f"SELECT {_CLAIM} FROM claims WHERE claim_no = ?", [claim_no]
            ).fetchone()
        return None if row is None else _to_claim(row)

    def insurers(self) -> list[Insurer]:
        with self._store.reading() as db:
            rows = db.execute("SELECT id, name, short_name FROM insurers ORDER BY id").fetchall()
        return [Insurer(*r) for r in rows]

    def members_by_insurer(self) -> dict[str, int]:
        """How many distinct insured people each insurer covers (for the scorecard)."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT insurer_id, count(DISTINCT member_id) FROM policies GROUP BY insurer_id"
            ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def claims_reported_between(self, start: datetime, end: datetime) -> list[Claim]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT {_CLAIM} FROM claims WHERE reported_at >= ? AND reported_at < ?"
                " ORDER BY reported_at",
                [when(start), when(end)],
            ).fetchall()
        return [_to_claim(r) for r in rows]


def _to_coverage(row: Sequence[Any]) -> Coverage:
    """A coverage from (code, name, limit, deductible, ratio)."""
    return Coverage(row[0], row[1], Decimal(row[2]), Decimal(row[3]), Decimal(row[4]))


def _to_policies(rows: Sequence[Sequence[Any]],
                 plans: dict[tuple[str, str], tuple[Coverage, ...]]) -> list[Policy]:  # fmt: skip
    """Policies from rows of ``_POLICY``, each with its plan's coverages (none when the plan
    has none)."""
    result = []
    for r in rows:
        start, end = to_day(r[7]), to_day(r[8])
        assert start is not None and end is not None
        result.append(
            Policy(
                policy_no=r[0],
                sub_policy_no=r[1],
                insurer_id=r[2],
                employer_id=r[3],
                member_id=r[4],
                product=r[5],
                start=start,
                end=end,
                status=PolicyStatus(r[9]),
                coverages=plans.get((r[0], r[6]), ()),
            )
        )
    return result
