"""Insurer answers are outside data: whatever arrives, the parser returns a result or raises
``PayloadError`` naming where — never another exception (等保二级 数据有效性检验)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from hypothesis import given
from hypothesis import strategies as st

from cscdesk.domain.models import Claim, ClaimStage, Coverage, Policy, PolicyStatus
from cscdesk.insurers.adapters.json_dialects import NestedDialect, StandardDialect
from cscdesk.insurers.adapters.xml_hmac import parse_response
from cscdesk.insurers.port import PayloadError
from cscdesk.insurers.sim import huaying, jiahe, ruian

from .fuzz import FUZZ, JSON, mutate

POLICY = Policy(
    policy_no="GP-2026-001",
    sub_policy_no="0001",
    insurer_id="x",
    employer_id="E1",
    member_id="M0001",
    product="企业补充医疗",
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    status=PolicyStatus.ACTIVE,
    coverages=(Coverage("OUT", "门急诊", Decimal("20000"), Decimal("100"), Decimal("0.9")),),
)
CLAIM = Claim(
    claim_no="C-1",
    insurer_id="x",
    policy_no="GP-2026-001",
    member_id="M0001",
    accident_date=date(2026, 2, 1),
    reported_at=datetime(2026, 2, 2, 8, 0, tzinfo=UTC),
    stage=ClaimStage.PAID,
    amount_claimed=Decimal("1200.50"),
    amount_paid=Decimal("1000.00"),
    hospital="协和",
    decided_at=datetime(2026, 2, 10, 8, 0, tzinfo=UTC),
    paid_at=datetime(2026, 2, 12, 8, 0, tzinfo=UTC),
)

STANDARD_OK = {
    "code": "0",
    "asOf": "2026-03-01T08:00:00+08:00",
    "data": {"policies": [ruian._policy(POLICY)], "claims": [ruian._claim(CLAIM)]},
}
NESTED_OK = {
    "status": {"ok": True, "ts": 1772323200000},
    "result": {
        "persons": [
            {
                "ext_ref": "M0001",
                "contracts": [huaying._contract(POLICY)],
                "cases": [huaying._case(CLAIM)],
            }
        ]
    },
}


def _xml_ok() -> bytes:
    root = Element("Response")
    head = SubElement(root, "Head")
    jiahe._leaf(head, "RetCode", "0000")
    jiahe._leaf(head, "AsOf", "2026-03-01 08:00:00")
    body = SubElement(root, "Body")
    jiahe._policy(SubElement(body, "Policies"), POLICY)
    jiahe._claim(SubElement(body, "Claims"), CLAIM)
    return tostring(root, encoding="utf-8")


XML_OK = _xml_ok()


def _parse_json(dialect: str, payload: Any) -> None:
    parser = StandardDialect() if dialect == "standard" else NestedDialect()
    try:
        parser.parse(payload, "x")
    except PayloadError as error:
        assert error.field_path and error.problem


def test_the_seeds_are_valid_answers() -> None:
    assert StandardDialect().parse(STANDARD_OK, "x").claims[0].claim_no == "C-1"
    assert NestedDialect().parse(NESTED_OK, "x").policies[0].policy_no == "GP-2026-001"
    assert parse_response(XML_OK, "x").claims[0].amount_paid == Decimal("1000.00")


@FUZZ
@given(data=st.data(), dialect=st.sampled_from(["standard", "nested"]))
def test_a_corrupted_json_answer_is_a_payload_error_never_a_crash(
    data: st.DataObject, dialect: str
) -> None:
    seed = STANDARD_OK if dialect == "standard" else NESTED_OK
    _parse_json(dialect, mutate(data, json.loads(json.dumps(seed))))


@FUZZ
@given(payload=JSON, dialect=st.sampled_from(["standard", "nested"]))
def test_any_json_value_is_a_payload_error_never_a_crash(payload: Any, dialect: str) -> None:
    _parse_json(dialect, payload)


def _parse_xml(content: bytes) -> None:
    try:
        parse_response(content, "x")
    except PayloadError as error:
        assert error.field_path and error.problem


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(XML_OK)),
    insert=st.binary(max_size=24)
    | st.sampled_from(
        [b"<", b"</Body>", b"&xxe;", b"<!DOCTYPE r [<!ENTITY a 'b'>]>", b"\x00", b"\xff\xfe"]
    ),
    keep_tail=st.booleans(),
)
def test_a_corrupted_xml_answer_is_a_payload_error_never_a_crash(
    cut: int, insert: bytes, keep_tail: bool
) -> None:
    _parse_xml(XML_OK[:cut] + insert + (XML_OK[cut:] if keep_tail else b""))


LEAF_VALUES = st.text(max_size=12) | st.sampled_from(["", "2024-13-45", "-5", "1e999", "ABC"])


@FUZZ
@given(data=st.data())
def test_wrong_values_in_well_formed_xml_are_payload_errors(data: st.DataObject) -> None:
    text = XML_OK.decode()
    leaves = [part.split(">", 1) for part in text.split("<")[1:]]
    out = []
    for tag, content in leaves:
        if content and not tag.startswith("/") and data.draw(st.integers(0, 5)) == 0:
            content = data.draw(LEAF_VALUES).replace("<", "").replace("&", "")
        out.append(f"<{tag}>{content}")
    _parse_xml("".join(out).encode())
