"""JSON payload shapes of the REST insurers: how to ask, and how to read the answer.

Two insurers can share the OAuth2 REST transport and still disagree on every field name and
nesting level; a dialect holds exactly that difference, so the transport is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cscdesk.domain.models import Claim, ClaimStage, Coverage, Policy, PolicyStatus
from cscdesk.insurers import fields as f
from cscdesk.insurers.adapters.parsed import Parsed
from cscdesk.insurers.port import LookupQuery, PayloadError


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    params: dict[str, str] | None = None
    json: dict[str, Any] | None = None


class JsonDialect(Protocol):
    name: str

    def request(self, query: LookupQuery) -> Request: ...

    def parse(self, payload: object, insurer_id: str) -> Parsed: ...


def _drop_empty(values: dict[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


class StandardDialect:
    """camelCase, ISO dates, yuan as decimal strings, stage names in capitals (e.g. 瑞安)."""

    name = "standard"
    STATUS = {
        "ACTIVE": PolicyStatus.ACTIVE,
        "PENDING": PolicyStatus.PENDING,
        "LAPSED": PolicyStatus.LAPSED,
        "TERMINATED": PolicyStatus.TERMINATED,
        "EXPIRED": PolicyStatus.EXPIRED,
    }
    STAGE = {
        "REPORTED": ClaimStage.REPORTED,
        "ACCEPTED": ClaimStage.ACCEPTED,
        "PENDING_DOCS": ClaimStage.DOCUMENTS_REQUESTED,
        "REVIEWING": ClaimStage.UNDER_REVIEW,
        "SETTLED": ClaimStage.SETTLED,
        "DECLINED": ClaimStage.REFUSED,
        "PAID": ClaimStage.PAID,
    }

    def request(self, query: LookupQuery) -> Request:
        params = _drop_empty(
            {
                "idNo": query.id_number,
                "mobile": query.mobile,
                "policyNo": query.policy_no,
                "claimNo": query.claim_no,
                "memberRefs": ",".join(query.member_ids) or None,
            }
        )
        return Request("GET", "/api/v1/insured/search", params=params)

    def parse(self, payload: object, insurer_id: str) -> Parsed:
        root = f.obj(payload, "$")
        if root.get("code") != "0":
            raise PayloadError("$.code", f"insurer reported {str(root.get('code'))[:20]!r}")
        data = f.obj(root.get("data"), "$.data")
        policies = tuple(
            self._policy(f.obj(raw, f"$.data.policies[{i}]"), f"$.data.policies[{i}]", insurer_id)
            for i, raw in enumerate(f.items(data.get("policies"), "$.data.policies"))
        )
        claims = tuple(
            self._claim(f.obj(raw, f"$.data.claims[{i}]"), f"$.data.claims[{i}]", insurer_id)
            for i, raw in enumerate(f.items(data.get("claims"), "$.data.claims"))
        )
        return Parsed(policies, claims, f.optional_instant(root, "asOf", "$"))

    def _policy(self, raw: Mapping[str, Any], path: str, insurer_id: str) -> Policy:
        coverages = tuple(
            Coverage(
                code=f.text(c, "code", p),
                name=f.text(c, "name", p),
                limit=f.money(c, "sumInsured", p),
                deductible=f.money(c, "deductible", p),
                ratio=f.ratio(c, "payRatio", p),
            )
            for i, item in enumerate(f.items(raw.get("liabilities"), f"{path}.liabilities"))
            for p in [f"{path}.liabilities[{i}]"]
            for c in [f.obj(item, p)]
        )
        return Policy(
            policy_no=f.text(raw, "policyNo", path),
            sub_policy_no=f.text(raw, "subPolicyNo", path),
            insurer_id=insurer_id,
            employer_id=f.text(raw, "employerCode", path),
            member_id=f.text(raw, "brokerMemberRef", path),
            product=f.text(raw, "productName", path),
            start=f.day(raw, "effectiveDate", path),
            end=f.day(raw, "expiryDate", path),
            status=f.code(raw, "status", path, self.STATUS),
            coverages=coverages,
        )

    def _claim(self, raw: Mapping[str, Any], path: str, insurer_id: str) -> Claim:
        return Claim(
            claim_no=f.text(raw, "reportNo", path),
            insurer_id=insurer_id,
            policy_no=f.text(raw, "policyNo", path),
            member_id=f.text(raw, "brokerMemberRef", path),
            accident_date=f.day(raw, "accidentDate", path),
            reported_at=f.instant(raw, "reportTime", path),
            stage=f.code(raw, "stage", path, self.STAGE),
            amount_claimed=f.money(raw, "claimAmount", path),
            amount_paid=f.optional_money(raw, "paidAmount", path),
            hospital=f.optional_text(raw, "hospitalName", path),
            case_no=f.optional_text(raw, "caseNo", path),
            settlement_no=f.optional_text(raw, "settleNo", path),
            refusal_reason=f.optional_text(raw, "refuseReason", path),
            stage_changed_at=f.optional_instant(raw, "stageTime", path),
            decided_at=f.optional_instant(raw, "decideTime", path),
            paid_at=f.optional_instant(raw, "payTime", path),
            documents_complete_at=f.optional_instant(raw, "docsCompleteTime", path),
            agreed_at=f.optional_instant(raw, "agreeTime", path),
            document_requests=f.document_requests(
                f.items(raw.get("supplements"), f"{path}.supplements"),
                f"{path}.supplements",
                "requestTime",
                "receiveTime",
            ),
        )


class NestedDialect:
    """snake_case nested per person, yyyymmdd dates, money in fen, epoch-ms times (e.g. 华盈)."""

    name = "nested"
    STATE = {
        1: PolicyStatus.ACTIVE,
        0: PolicyStatus.PENDING,
        2: PolicyStatus.LAPSED,
        3: PolicyStatus.TERMINATED,
        4: PolicyStatus.EXPIRED,
    }
    PROGRESS = {
        "REPORT": ClaimStage.REPORTED,
        "REGISTER": ClaimStage.ACCEPTED,
        "SUPPLEMENT": ClaimStage.DOCUMENTS_REQUESTED,
        "AUDIT": ClaimStage.UNDER_REVIEW,
        "CLOSE": ClaimStage.SETTLED,
        "REJECT": ClaimStage.REFUSED,
        "PAY": ClaimStage.PAID,
    }

    def request(self, query: LookupQuery) -> Request:
        body = _drop_empty(
            {
                "cert_no": query.id_number,
                "phone": query.mobile,
                "policy_no": query.policy_no,
                "case_no": query.claim_no,
            }
        )
        return Request("POST", "/open/v2/insured/query", json={"query": body})

    def parse(self, payload: object, insurer_id: str) -> Parsed:
        root = f.obj(payload, "$")
        status = f.obj(root.get("status"), "$.status")
        if status.get("ok") is not True:
            raise PayloadError("$.status.ok", "insurer reported a failure")
        result = f.obj(root.get("result"), "$.result")
        policies: list[Policy] = []
        claims: list[Claim] = []
        for i, person_raw in enumerate(f.items(result.get("persons"), "$.result.persons")):
            path = f"$.result.persons[{i}]"
            person = f.obj(person_raw, path)
            member_id = f.text(person, "ext_ref", path)
            for j, raw in enumerate(f.items(person.get("contracts"), f"{path}.contracts")):
                cpath = f"{path}.contracts[{j}]"
                policies.append(self._policy(f.obj(raw, cpath), cpath, insurer_id, member_id))
            for j, raw in enumerate(f.items(person.get("cases"), f"{path}.cases")):
                cpath = f"{path}.cases[{j}]"
                claims.append(self._claim(f.obj(raw, cpath), cpath, insurer_id, member_id))
        as_of = f.optional_instant(status, "ts", "$.status")
        return Parsed(tuple(policies), tuple(claims), as_of)

    def _policy(self, raw: Mapping[str, Any], path: str, insurer_id: str, member_id: str) -> Policy:
        contract = f.obj(raw.get("contract"), f"{path}.contract")
        plan = f.obj(raw.get("plan"), f"{path}.plan")
        period = f.obj(raw.get("period"), f"{path}.period")
        coverages = tuple(
            Coverage(
                code=f.text(c, "item_code", p),
                name=f.text(c, "item_name", p),
                limit=f.money(c, "amount_fen", p, fen=True),
                deductible=f.money(c, "deductible_fen", p, fen=True),
                ratio=f.ratio(c, "ratio_pct", p, percent=True),
            )
            for i, item in enumerate(f.items(plan.get("items"), f"{path}.plan.items"))
            for p in [f"{path}.plan.items[{i}]"]
            for c in [f.obj(item, p)]
        )
        return Policy(
            policy_no=f.text(contract, "group_no", f"{path}.contract"),
            sub_policy_no=f.text(contract, "seq_no", f"{path}.contract"),
            insurer_id=insurer_id,
            employer_id=f.text(raw, "employer_code", path),
            member_id=member_id,
            product=f.text(plan, "name", f"{path}.plan"),
            start=f.day(period, "from", f"{path}.period", "%Y%m%d"),
            end=f.day(period, "to", f"{path}.period", "%Y%m%d"),
            status=f.code(raw, "state", path, self.STATE),
            coverages=coverages,
        )

    def _claim(self, raw: Mapping[str, Any], path: str, insurer_id: str, member_id: str) -> Claim:
        progress = f.obj(raw.get("progress"), f"{path}.progress")
        amounts = f.obj(raw.get("money"), f"{path}.money")
        return Claim(
            claim_no=f.text(raw, "case_no", path),
            insurer_id=insurer_id,
            policy_no=f.text(raw, "policy", path),
            member_id=member_id,
            accident_date=f.day(raw, "occurred_on", path, "%Y%m%d"),
            reported_at=f.instant(raw, "reported_ts", path),
            stage=f.code(progress, "code", f"{path}.progress", self.PROGRESS),
            amount_claimed=f.money(amounts, "claimed_fen", f"{path}.money", fen=True),
            amount_paid=f.optional_money(amounts, "paid_fen", f"{path}.money", fen=True),
            hospital=f.optional_text(raw, "hospital", path),
            case_no=f.optional_text(raw, "register_no", path),
            settlement_no=f.optional_text(raw, "settle_no", path),
            refusal_reason=f.optional_text(raw, "reject_note", path),
            stage_changed_at=f.optional_instant(progress, "updated_ts", f"{path}.progress"),
            decided_at=f.optional_instant(raw, "decided_ts", path),
            paid_at=f.optional_instant(raw, "paid_ts", path),
            documents_complete_at=f.optional_instant(raw, "docs_complete_ts", path),
            agreed_at=f.optional_instant(raw, "agreed_ts", path),
            document_requests=f.document_requests(
                f.items(raw.get("supplements"), f"{path}.supplements"),
                f"{path}.supplements",
                "asked_ts",
                "received_ts",
            ),
        )


DIALECTS: dict[str, JsonDialect] = {"standard": StandardDialect(), "nested": NestedDialect()}
