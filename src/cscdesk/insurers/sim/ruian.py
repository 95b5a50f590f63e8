"""瑞安 (demo): JSON REST behind OAuth2 client credentials; camelCase, ISO dates, yuan strings."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from cscdesk.domain.models import Claim, ClaimStage, Policy, PolicyStatus
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.common import (
    Asked,
    ServiceStats,
    TokenIssuer,
    iso,
    oauth_json_service,
)
from cscdesk.insurers.sim.profile import FaultProfile, MalformedKind

STATUS = {
    PolicyStatus.ACTIVE: "ACTIVE",
    PolicyStatus.PENDING: "PENDING",
    PolicyStatus.LAPSED: "LAPSED",
    PolicyStatus.TERMINATED: "TERMINATED",
    PolicyStatus.EXPIRED: "EXPIRED",
}
STAGE = {
    ClaimStage.REPORTED: "REPORTED",
    ClaimStage.ACCEPTED: "ACCEPTED",
    ClaimStage.DOCUMENTS_REQUESTED: "PENDING_DOCS",
    ClaimStage.UNDER_REVIEW: "REVIEWING",
    ClaimStage.SETTLED: "SETTLED",
    ClaimStage.REFUSED: "DECLINED",
    ClaimStage.PAID: "PAID",
}


def _policy(p: Policy) -> dict[str, Any]:
    return {
        "policyNo": p.policy_no,
        "subPolicyNo": p.sub_policy_no,
        "brokerMemberRef": p.member_id,
        "employerCode": p.employer_id,
        "productName": p.product,
        "effectiveDate": p.start.isoformat(),
        "expiryDate": p.end.isoformat(),
        "status": STATUS[p.status],
        "liabilities": [
            {
                "code": c.code,
                "name": c.name,
                "sumInsured": str(c.limit),
                "deductible": str(c.deductible),
                "payRatio": str(c.ratio),
            }
            for c in p.coverages
        ],
    }


def _claim(c: Claim) -> dict[str, Any]:
    return {
        "reportNo": c.claim_no,
        "caseNo": c.case_no,
        "settleNo": c.settlement_no,
        "policyNo": c.policy_no,
        "brokerMemberRef": c.member_id,
        "accidentDate": c.accident_date.isoformat(),
        "reportTime": iso(c.reported_at),
        "stage": STAGE[c.stage],
        "claimAmount": str(c.amount_claimed),
        "paidAmount": str(c.amount_paid) if c.amount_paid is not None else None,
        "hospitalName": c.hospital,
        "refuseReason": c.refusal_reason,
        "stageTime": iso(c.stage_changed_at),
        "decideTime": iso(c.decided_at),
        "payTime": iso(c.paid_at),
        # Our simulator's names for the moments 保险法 §23–25 count from (not a real API's):
        "docsCompleteTime": iso(c.documents_complete_at),
        "agreeTime": iso(c.agreed_at),
        "supplements": [
            {"requestTime": iso(r.requested_at), "receiveTime": iso(r.received_at)}
            for r in c.document_requests
        ],
    }


async def _read_query(request: Request) -> Asked:
    return request.query_params


def build_app(
    book: InsurerBook, profile: FaultProfile, issuer: TokenIssuer, stats: ServiceStats
) -> Starlette:
    def payload(params: Asked, malformed: MalformedKind | None) -> dict[str, Any]:
        found = book.find(
            id_number=params.get("idNo"),
            mobile=params.get("mobile"),
            policy_no=params.get("policyNo"),
            claim_no=params.get("claimNo"),
            member_refs=[r for r in params.get("memberRefs", "").split(",") if r],
        )
        answer: dict[str, Any] = {
            "code": "0",
            "message": "ok",
            "asOf": iso(found.as_of),
            "data": {
                "policies": [_policy(p) for p in found.policies],
                "claims": [_claim(c) for c in found.claims],
            },
        }
        if malformed == "bad_field":
            answer["data"]["policies"] = "unavailable"
        return answer

    return oauth_json_service(
        path="/api/v1/insured/search",
        method="GET",
        issuer=issuer,
        profile=profile,
        stats=stats,
        unauthorized={"code": "401", "message": "invalid token"},
        read_query=_read_query,
        payload=payload,
    )
