"""XML-over-HTTP insurers with HMAC-signed bodies (e.g. 嘉禾), the style of many core systems.

Answers are parsed with defusedxml: a DTD, entity or external reference in an insurer's reply is
refused outright rather than expanded (no billion-laughs, no file disclosure).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import defusedxml.ElementTree as safe_xml
import httpx
from defusedxml import DefusedXmlException

from cscdesk.domain.models import Claim, ClaimStage, Coverage, Policy, PolicyStatus
from cscdesk.insurers import fields as f
from cscdesk.insurers.adapters import hmac_signing
from cscdesk.insurers.adapters.base import Clock, HttpAdapter, check_status, utc_now
from cscdesk.insurers.adapters.parsed import Parsed
from cscdesk.insurers.port import ErrorKind, InsurerError, LookupQuery, PayloadError

QUERY_PATH = "/gw/insured"
LOCAL_TIME = "%Y-%m-%d %H:%M:%S"

POLICY_STATE = {
    "1": PolicyStatus.ACTIVE,
    "0": PolicyStatus.PENDING,
    "2": PolicyStatus.LAPSED,
    "3": PolicyStatus.TERMINATED,
    "4": PolicyStatus.EXPIRED,
}
CLAIM_STATE = {
    "10": ClaimStage.REPORTED,
    "20": ClaimStage.ACCEPTED,
    "25": ClaimStage.DOCUMENTS_REQUESTED,
    "30": ClaimStage.UNDER_REVIEW,
    "40": ClaimStage.SETTLED,
    "45": ClaimStage.REFUSED,
    "50": ClaimStage.PAID,
}


def request_body(app_id: str, query: LookupQuery) -> bytes:
    root = Element("Request")
    head = SubElement(root, "Head")
    SubElement(head, "AppId").text = app_id
    SubElement(head, "TransCode").text = "INSURED_QUERY"
    body = SubElement(root, "Body")
    for tag, value in (
        ("IdNo", query.id_number),
        ("Mobile", query.mobile),
        ("PolicyNo", query.policy_no),
        ("ClaimNo", query.claim_no),
    ):
        if value:
            SubElement(body, tag).text = value
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _record(element: Element) -> dict[str, Any]:
    """Leaf children as text (empty text → None), so the JSON field readers apply unchanged."""
    return {child.tag: (child.text or "").strip() or None for child in element if len(child) == 0}


def _child(element: Element, tag: str, path: str) -> Element:
    found = element.find(tag)
    if found is None:
        raise PayloadError(f"{path}/{tag}", "missing element")
    return found


def parse_response(content: bytes, insurer_id: str) -> Parsed:
    try:
        root = safe_xml.fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise PayloadError("/", f"forbidden XML construct ({type(exc).__name__})") from None
    except (ParseError, ValueError) as exc:
        raise PayloadError("/", f"not well-formed XML ({str(exc)[:60]})") from None
    if root.tag != "Response":
        raise PayloadError("/", f"expected <Response>, got <{str(root.tag)[:30]}>")
    head = _record(_child(root, "Head", "/Response"))
    if head.get("RetCode") != "0000":
        raise PayloadError("/Response/Head/RetCode", f"insurer reported {head.get('RetCode')!r}")
    body = _child(root, "Body", "/Response")
    policies = tuple(
        _policy(element, f"/Response/Body/Policies/Policy[{i}]", insurer_id)
        for i, element in enumerate(body.findall("Policies/Policy"))
    )
    claims = tuple(
        _claim(element, f"/Response/Body/Claims/Claim[{i}]", insurer_id)
        for i, element in enumerate(body.findall("Claims/Claim"))
    )
    as_of = f.optional_instant(head, "AsOf", "/Response/Head", fmt=LOCAL_TIME)
    return Parsed(policies, claims, as_of)


def _policy(element: Element, path: str, insurer_id: str) -> Policy:
    raw = _record(element)
    coverages = []
    for i, duty in enumerate(element.findall("Duties/Duty")):
        d, p = _record(duty), f"{path}/Duties/Duty[{i}]"
        coverages.append(
            Coverage(
                code=f.text(d, "DutyCode", p),
                name=f.text(d, "DutyName", p),
                limit=f.money(d, "Amnt", p),
                deductible=f.money(d, "GetLimit", p),
                ratio=f.ratio(d, "GetRate", p),
            )
        )
    return Policy(
        policy_no=f.text(raw, "GrpPolicyNo", path),
        sub_policy_no=f.text(raw, "InsuredSeq", path),
        insurer_id=insurer_id,
        employer_id=f.text(raw, "GrpCode", path),
        member_id=f.text(raw, "CustRef", path),
        product=f.text(raw, "RiskName", path),
        start=f.day(raw, "ValiDate", path),
        end=f.day(raw, "InvaliDate", path),
        status=f.code(raw, "PolicyState", path, POLICY_STATE),
        coverages=tuple(coverages),
    )


def _claim(element: Element, path: str, insurer_id: str) -> Claim:
    raw = _record(element)
    return Claim(
        claim_no=f.text(raw, "RptNo", path),
        insurer_id=insurer_id,
        policy_no=f.text(raw, "GrpPolicyNo", path),
        member_id=f.text(raw, "CustRef", path),
        accident_date=f.day(raw, "AccDate", path),
        reported_at=f.instant(raw, "RptTime", path, fmt=LOCAL_TIME),
        stage=f.code(raw, "ClmState", path, CLAIM_STATE),
        amount_claimed=f.money(raw, "StandPay", path),
        amount_paid=f.optional_money(raw, "RealPay", path),
        hospital=f.optional_text(raw, "HospitalName", path),
        case_no=f.optional_text(raw, "RgtNo", path),
        settlement_no=f.optional_text(raw, "ClmNo", path),
        refusal_reason=f.optional_text(raw, "DeclineReason", path),
        stage_changed_at=f.optional_instant(raw, "StateTime", path, fmt=LOCAL_TIME),
        decided_at=f.optional_instant(raw, "DecideTime", path, fmt=LOCAL_TIME),
        paid_at=f.optional_instant(raw, "PayTime", path, fmt=LOCAL_TIME),
        documents_complete_at=f.optional_instant(raw, "DocsCompleteTime", path, fmt=LOCAL_TIME),
        agreed_at=f.optional_instant(raw, "AgreeTime", path, fmt=LOCAL_TIME),
        document_requests=f.document_requests(
            [_record(e) for e in element.findall("Supplements/Supplement")],
            f"{path}/Supplements/Supplement",
            "ReqTime",
            "RcvTime",
            fmt=LOCAL_TIME,
        ),
    )


class XmlHmacAdapter(HttpAdapter):
    def __init__(
        self,
        insurer_id: str,
        name: str,
        *,
        client: httpx.AsyncClient,
        base_url: str,
        app_id: str,
        hmac_key: str,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(insurer_id, name, clock=clock)
        self._client = client
        self._url = base_url.rstrip("/") + QUERY_PATH
        self._app_id = app_id
        self._key = hmac_key

    async def fetch(self, query: LookupQuery) -> Parsed:
        body = request_body(self._app_id, query)
        timestamp = int(utc_now().timestamp())  # real time: the insurer checks freshness
        headers = hmac_signing.signed_headers(self._key, self._app_id, timestamp, body)
        headers["Content-Type"] = "application/xml; charset=utf-8"
        response = await self._client.post(self._url, content=body, headers=headers)
        check_status(response)
        if not hmac_signing.verify(self._key, response.headers, response.content):
            raise InsurerError(ErrorKind.PAYLOAD, "answer signature does not match its body")
        return parse_response(response.content, self.id)
