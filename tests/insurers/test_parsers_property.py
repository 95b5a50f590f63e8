"""Whatever an insurer sends, a parser either understands it or names the field that broke;
and through the gateway, over real HTTP, any body becomes an error result, never an exception."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscdesk.insurers.adapters.json_dialects import NestedDialect, StandardDialect
from cscdesk.insurers.adapters.parsed import Parsed
from cscdesk.insurers.adapters.xml_hmac import parse_response
from cscdesk.insurers.batch_import import BatchFileError, read_extract
from cscdesk.insurers.port import ErrorKind, PayloadError
from cscdesk.insurers.sim import InsurerSimHandles

from .conftest import Ticker, make_gateway
from .helpers import API_INSURERS, insured_at, query_for

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
STANDARD_KEYS = [
    "policyNo",
    "subPolicyNo",
    "brokerMemberRef",
    "employerCode",
    "productName",
    "effectiveDate",
    "expiryDate",
    "status",
    "liabilities",
    "reportNo",
    "policyNo",
    "accidentDate",
    "reportTime",
    "stage",
    "claimAmount",
    "paidAmount",
    "stageTime",
    "code",
    "name",
    "sumInsured",
    "payRatio",
]
NESTED_KEYS = [
    "ext_ref",
    "contracts",
    "cases",
    "contract",
    "group_no",
    "seq_no",
    "plan",
    "items",
    "period",
    "from",
    "to",
    "state",
    "case_no",
    "policy",
    "occurred_on",
    "reported_ts",
    "progress",
    "money",
    "claimed_fen",
    "paid_fen",
    "amount_fen",
    "ratio_pct",
    "employer_code",
    "name",
    "updated_ts",
]
leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "2026-01-01",
            "20260101",
            "2026-01-01T08:00:00+08:00",
            "ACTIVE",
            "PAID",
            "1",
            "0.5",
            "-3",
            "nan",
            "Infinity",
        ]
    )
)


def records(keys: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(keys), inner, max_size=8)
        ),
        max_leaves=30,
    )


def only_payload_errors(parse: Any, payload: Any) -> None:
    try:
        result = parse(payload)
    except PayloadError as exc:
        assert exc.field_path and exc.problem
    else:
        assert isinstance(result, Parsed)


@settings(max_examples=120, deadline=None)
@given(
    payload=json_values
    | st.fixed_dictionaries({"code": st.just("0"), "data": records(STANDARD_KEYS)})
)
def test_standard_json_parser_never_raises_anything_but_a_named_payload_error(payload: Any) -> None:
    only_payload_errors(lambda p: StandardDialect().parse(p, "ruian"), payload)


@settings(max_examples=120, deadline=None)
@given(
    payload=json_values
    | st.fixed_dictionaries(
        {
            "status": st.just({"ok": True}),
            "result": st.fixed_dictionaries(
                {"persons": st.lists(records(NESTED_KEYS), max_size=3)}
            ),
        }
    )
)
def test_nested_json_parser_never_raises_anything_but_a_named_payload_error(payload: Any) -> None:
    only_payload_errors(lambda p: NestedDialect().parse(p, "huaying"), payload)


XML_TAGS = [
    "Response",
    "Head",
    "RetCode",
    "Body",
    "Policies",
    "Policy",
    "Claims",
    "Claim",
    "Duties",
    "Duty",
    "GrpPolicyNo",
    "ValiDate",
    "ClmState",
    "StandPay",
    "AsOf",
]


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    def element(depth: int) -> str:
        tag = draw(st.sampled_from(XML_TAGS))
        if depth > 3 or draw(st.booleans()):
            text = draw(
                st.sampled_from(["0000", "1", "40", "2026-01-01", "12.5", "", "&amp;", "x"])
            )
            return f"<{tag}>{text}</{tag}>"
        children = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 3))))
        return f"<{tag}>{children}</{tag}>"

    prefix = draw(st.sampled_from(["", '<?xml version="1.0"?>', '<!DOCTYPE r [<!ENTITY e "x">]>']))
    return (
        prefix + "<Response><Head><RetCode>0000</RetCode></Head>" + element(0) + "</Response>"
    ).encode()


@settings(max_examples=120, deadline=None)
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode) | xml_documents())
def test_xml_parser_never_raises_anything_but_a_named_payload_error(content: bytes) -> None:
    only_payload_errors(lambda c: parse_response(c, "jiahe"), content)


@settings(max_examples=80, deadline=None)
@given(
    header=st.sampled_from(
        [
            "claim_no,policy_no,member_ref,accident_date,reported_at,stage,amount_claimed,amount_paid,hospital,case_no,settlement_no,refusal_reason,stage_changed_at,decided_at,paid_at",
            "a,b",
            "",
        ]
    ),
    body=st.lists(st.lists(st.text(max_size=10) | leaf.map(str), max_size=16), max_size=4),
)
def test_batch_reader_rejects_bad_files_with_a_named_reason(
    header: str, body: list[list[str]]
) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    out.write(header + "\n")
    writer.writerows(body)
    try:
        read_extract(Path("anhe_claims_20261101.csv"), out.getvalue().encode())
    except BatchFileError as exc:
        assert "anhe_claims_20261101.csv" in str(exc)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=120)
    | json_values.map(lambda v: json.dumps(v).encode())
    | xml_documents()
)
def test_any_body_from_any_insurer_becomes_an_error_result_through_the_gateway(
    sims: InsurerSimHandles, store: Any, demo_secrets_in_keyring: None, body: bytes
) -> None:
    for insurer in API_INSURERS:
        sims[insurer].profile.body_override = body

    async def ask() -> list[Any]:
        gateway = make_gateway(sims, store, Ticker(), retries=0)
        try:
            return await gateway.lookup_all(query_for(insured_at(sims, "ruian"), API_INSURERS))
        finally:
            await gateway.aclose()

    results = asyncio.run(ask())
    assert sorted(r.insurer_id for r in results) == sorted(API_INSURERS)
    for result in results:
        if result.error is None:  # e.g. an empty but well-formed answer
            assert result.source == "live"
        else:
            assert result.error_kind is ErrorKind.PAYLOAD
            assert result.insurer_name in result.error
