"""华盈 (demo): JSON nested per person, snake_case, yyyymmdd dates, money in fen, epoch-ms times.

Its default profile is the flaky one: slow tails, some 500s and the odd broken body.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cscdesk.domain.models import Claim, ClaimStage, Policy, PolicyStatus
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.common import (
    Asked,
    ServiceStats,
    TokenIssuer,
    epoch_ms,
    oauth_json_service,
)
from cscdesk.insurers.sim.profile import FaultProfile, MalformedKind

STATE = {
    PolicyStatus.ACTIVE: 1,
    PolicyStatus.PENDING: 0,
    PolicyStatus.LAPSED: 2,
    PolicyStatus.TERMINATED: 3,
    PolicyStatus.EXPIRED: 4,
}
PROGRESS = {
    ClaimStage.REPORTED: "REPORT",
    ClaimStage.ACCEPTED: "REGISTER",
    ClaimStage.DOCUMENTS_REQUESTED: "SUPPLEMENT",
    ClaimStage.UNDER_REVIEW: "AUDIT",
    ClaimStage.SETTLED: "CLOSE",
    ClaimStage.REFUSED: "REJECT",
    ClaimStage.PAID: "PAY",
}


def _fen(amount: object) -> int:
    from decimal import Decimal

    assert isinstance(amount, Decimal)
    return int(amount * 100)


def _contract(p: Policy) -> dict[str, Any]:
    return {
        "contract": {"group_no": p.policy_no, "seq_no": p.sub_policy_no},
        "employer_code": p.employer_id,
        "plan": {
            "name": p.product,
            "items": [
                {
                    "item_code": c.code,
                    "item_name": c.name,
                    "amount_fen": _fen(c.limit),
                    "deductible_fen": _fen(c.deductible),
                    "ratio_pct": int(c.ratio * 100),
                }
                for c in p.coverages
            ],
        },
        "period": {"from": p.start.strftime("%Y%m%d"), "to": p.end.strftime("%Y%m%d")},
        "state": STATE[p.status],
    }


def _case(c: Claim) -> dict[str, Any]:
    return {
        "case_no": c.claim_no,
        "register_no": c.case_no,
        "settle_no": c.settlement_no,
        "policy": c.policy_no,
        "occurred_on": c.accident_date.strftime("%Y%m%d"),
        "reported_ts": epoch_ms(c.reported_at),
        "progress": {"code": PROGRESS[c.stage], "updated_ts": epoch_ms(c.stage_changed_at)},
        "money": {
            "claimed_fen": _fen(c.amount_claimed),
            "paid_fen": _fen(c.amount_paid) if c.amount_paid is not None else None,
        },
        "hospital": c.hospital,
        "reject_note": c.refusal_reason,
        "decided_ts": epoch_ms(c.decided_at),
        "paid_ts": epoch_ms(c.paid_at),
        # Our simulator's names for the moments 保险法 §23–25 count from (not a real API's):
        "docs_complete_ts": epoch_ms(c.documents_complete_at),
        "agreed_ts": epoch_ms(c.agreed_at),
        "supplements": [
            {"asked_ts": epoch_ms(r.requested_at), "received_ts": epoch_ms(r.received_at)}
            for r in c.document_requests
        ],
    }


async def _read_query(request: Request) -> Asked | Response:
    try:
        asked = (await request.json())["query"]
        assert isinstance(asked, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        return JSONResponse({"status": {"ok": False, "msg": "bad query"}}, status_code=400)
    return asked


def build_app(
    book: InsurerBook, profile: FaultProfile, issuer: TokenIssuer, stats: ServiceStats
) -> Starlette:
    def payload(asked: Asked, malformed: MalformedKind | None) -> dict[str, Any]:
        found = book.find(
            id_number=asked.get("cert_no"),
            mobile=asked.get("phone"),
            policy_no=asked.get("policy_no"),
            claim_no=asked.get("case_no"),
        )
        contracts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        cases: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in found.policies:
            contracts[p.member_id].append(_contract(p))
        for c in found.claims:
            cases[c.member_id].append(_case(c))
        persons: list[dict[str, Any]] = [
            {"ext_ref": m, "contracts": contracts.get(m, []), "cases": cases.get(m, [])}
            for m in sorted(set(contracts) | set(cases))
        ]
        if malformed == "bad_field":
            for person in persons:
                for contract in person["contracts"]:
                    contract["period"]["from"] = "2024-13-45"
            if not persons:
                persons = [{"ext_ref": 42, "contracts": [], "cases": []}]
        return {
            "status": {"ok": True, "ts": epoch_ms(found.as_of)},
            "result": {"persons": persons},
        }

    return oauth_json_service(
        path="/open/v2/insured/query",
        method="POST",
        issuer=issuer,
        profile=profile,
        stats=stats,
        unauthorized={"status": {"ok": False, "msg": "token"}},
        read_query=_read_query,
        payload=payload,
    )
