"""嘉禾 (demo): XML over HTTP, request and answer bodies signed with HMAC-SHA256.

Requests with a wrong signature, a timestamp more than five minutes off, or a reused nonce are
refused, as a real core-system gateway would.
"""

from __future__ import annotations

import threading
import time
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_xml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cscdesk.domain.models import Claim, ClaimStage, Policy, PolicyStatus
from cscdesk.insurers.adapters import hmac_signing
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.common import ServiceStats, local, truncate, with_faults
from cscdesk.insurers.sim.profile import FaultProfile, MalformedKind

MAX_SKEW_SECONDS = 300
STATE = {
    PolicyStatus.ACTIVE: "1",
    PolicyStatus.PENDING: "0",
    PolicyStatus.LAPSED: "2",
    PolicyStatus.TERMINATED: "3",
    PolicyStatus.EXPIRED: "4",
}
CLAIM_STATE = {
    ClaimStage.REPORTED: "10",
    ClaimStage.ACCEPTED: "20",
    ClaimStage.DOCUMENTS_REQUESTED: "25",
    ClaimStage.UNDER_REVIEW: "30",
    ClaimStage.SETTLED: "40",
    ClaimStage.REFUSED: "45",
    ClaimStage.PAID: "50",
}
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b"<Response><Head><RetCode>0000</RetCode><RetMsg>&c;</RetMsg></Head><Body/></Response>"
)


def _leaf(parent: Element, tag: str, value: str | None) -> None:
    SubElement(parent, tag).text = value or ""


def _policy(parent: Element, p: Policy) -> None:
    node = SubElement(parent, "Policy")
    for tag, value in (
        ("GrpPolicyNo", p.policy_no),
        ("InsuredSeq", p.sub_policy_no),
        ("CustRef", p.member_id),
        ("GrpCode", p.employer_id),
        ("RiskName", p.product),
        ("ValiDate", p.start.isoformat()),
        ("InvaliDate", p.end.isoformat()),
        ("PolicyState", STATE[p.status]),
    ):
        _leaf(node, tag, value)
    duties = SubElement(node, "Duties")
    for c in p.coverages:
        duty = SubElement(duties, "Duty")
        for tag, value in (
            ("DutyCode", c.code),
            ("DutyName", c.name),
            ("Amnt", str(c.limit)),
            ("GetLimit", str(c.deductible)),
            ("GetRate", str(c.ratio)),
        ):
            _leaf(duty, tag, value)


def _claim(parent: Element, c: Claim) -> None:
    node = SubElement(parent, "Claim")
    for tag, value in (
        ("RptNo", c.claim_no),
        ("RgtNo", c.case_no),
        ("ClmNo", c.settlement_no),
        ("GrpPolicyNo", c.policy_no),
        ("CustRef", c.member_id),
        ("AccDate", c.accident_date.isoformat()),
        ("RptTime", local(c.reported_at)),
        ("ClmState", CLAIM_STATE[c.stage]),
        ("StandPay", str(c.amount_claimed)),
        ("RealPay", str(c.amount_paid) if c.amount_paid is not None else None),
        ("HospitalName", c.hospital),
        ("DeclineReason", c.refusal_reason),
        ("StateTime", local(c.stage_changed_at)),
        ("DecideTime", local(c.decided_at)),
        ("PayTime", local(c.paid_at)),
        # Our simulator's names for the moments 保险法 §23–25 count from (not a real API's):
        ("DocsCompleteTime", local(c.documents_complete_at)),
        ("AgreeTime", local(c.agreed_at)),
    ):
        _leaf(node, tag, value)
    if c.document_requests:
        rounds = SubElement(node, "Supplements")
        for r in c.document_requests:
            round_ = SubElement(rounds, "Supplement")
            _leaf(round_, "ReqTime", local(r.requested_at))
            _leaf(round_, "RcvTime", local(r.received_at))


class NonceLedger:
    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def fresh(self, nonce: str) -> bool:
        now = time.time()
        with self._lock:
            for old in [n for n, at in self._seen.items() if now - at > 2 * MAX_SKEW_SECONDS]:
                del self._seen[old]
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


def build_app(
    book: InsurerBook, profile: FaultProfile, app_id: str, key: str, stats: ServiceStats
) -> Starlette:
    nonces = NonceLedger()

    def signed(body: bytes, status: int = 200) -> Response:
        headers = hmac_signing.signed_headers(key, app_id, int(time.time()), body)
        return Response(body, status_code=status, media_type="application/xml", headers=headers)

    def refusal(code: str, message: str, status: int) -> Response:
        root = Element("Response")
        head = SubElement(root, "Head")
        _leaf(head, "RetCode", code)
        _leaf(head, "RetMsg", message)
        return signed(tostring(root, encoding="utf-8", xml_declaration=True), status)

    async def query(request: Request) -> Response:
        stats.bump("requests")
        raw = await request.body()
        headers = request.headers
        if headers.get(hmac_signing.APP_ID) != app_id or not hmac_signing.verify(key, headers, raw):
            stats.bump("rejected_auth")
            return refusal("9001", "签名验证失败", 401)
        try:
            skew = abs(time.time() - int(headers.get(hmac_signing.TIMESTAMP, "0")))
        except ValueError:
            skew = MAX_SKEW_SECONDS + 1
        if skew > MAX_SKEW_SECONDS or not nonces.fresh(headers.get(hmac_signing.NONCE, "")):
            stats.bump("rejected_auth")
            return refusal("9002", "请求已过期或重复", 401)
        try:
            body = safe_xml.fromstring(raw, forbid_dtd=True).find("Body")
        except Exception:
            return refusal("9003", "报文格式错误", 400)
        asked = {
            child.tag: (child.text or "").strip() or None
            for child in (body if body is not None else [])
        }

        async def answer(malformed: MalformedKind | None) -> Response:
            if profile.body_override is not None:
                return signed(profile.body_override)
            found = book.find(
                id_number=asked.get("IdNo"),
                mobile=asked.get("Mobile"),
                policy_no=asked.get("PolicyNo"),
                claim_no=asked.get("ClaimNo"),
            )
            if malformed == "entity":
                return signed(ENTITY_BOMB)
            root = Element("Response")
            head = SubElement(root, "Head")
            _leaf(head, "RetCode", "0000")
            _leaf(head, "RetMsg", "成功")
            _leaf(head, "AsOf", local(found.as_of))
            out = SubElement(root, "Body")
            policies = SubElement(out, "Policies")
            for p in found.policies:
                _policy(policies, p)
            claims = SubElement(out, "Claims")
            for c in found.claims:
                _claim(claims, c)
            if malformed == "bad_field":
                bad = SubElement(policies, "Policy")
                for tag in ("GrpPolicyNo", "InsuredSeq", "CustRef", "GrpCode", "RiskName"):
                    _leaf(bad, tag, "X1")
                _leaf(bad, "ValiDate", "not-a-date")
            data = tostring(root, encoding="utf-8", xml_declaration=True)
            if malformed == "truncate":
                data = truncate(data)
            return signed(data)

        return await with_faults(profile, stats, answer)

    return Starlette(routes=[Route("/gw/insured", query, methods=["POST"])])
