"""A seconded agent sees their own insurer's claims in full and only routing data of others,
through the real path: insurer batch extracts imported into SQLite, the gateway, the scope."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cscdesk.domain.access import Role, Scope, User
from cscdesk.domain.models import Claim
from cscdesk.insurers.adapters.batch import BatchAdapter
from cscdesk.insurers.batch_import import CLAIM_COLUMNS, import_directory
from cscdesk.insurers.breaker import CircuitBreaker
from cscdesk.insurers.gateway import Channel, InsurerGateway
from cscdesk.insurers.port import LookupQuery
from cscdesk.security.scope import ScopedLookup
from cscdesk.store import open_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECONDED = User("zhao.ruian", "赵派驻", Role.SECONDED_AGENT, insurer_id="ruian")
BROKER = User("li.agent", "李客服", Role.AGENT)


def _claims_file(folder: Path, insurer: str, claim_no: str, hospital: str) -> None:
    row = {
        "claim_no": claim_no,
        "policy_no": f"{insurer.upper()}-GP-1",
        "member_ref": "M0001",
        "accident_date": "2026-02-10",
        "reported_at": "2026-02-11 10:00:00",
        "stage": "审核",
        "amount_claimed": "3250.50",
        "amount_paid": "",
        "hospital": hospital,
        "case_no": f"CASE-{claim_no}",
        "settlement_no": "",
        "refusal_reason": "",
        "stage_changed_at": "2026-02-20 15:00:00",
        "decided_at": "",
        "paid_at": "",
    }
    text = ",".join(CLAIM_COLUMNS) + "\n" + ",".join(row[c] for c in CLAIM_COLUMNS) + "\n"
    (folder / f"{insurer}_claims_20260301.csv").write_text(text, encoding="utf-8")


@pytest.fixture
def gateway(tmp_path: Path) -> InsurerGateway:
    folder = tmp_path / "extracts"
    folder.mkdir()
    _claims_file(folder, "ruian", "RA-C-1", "瑞安合作医院")
    _claims_file(folder, "anhe", "AH-C-9", "北京协和医院")
    store = open_store(tmp_path / "cscdesk.db")
    assert import_directory(store, folder, NOW).ok
    channels = [
        Channel(
            adapter=BatchAdapter(insurer, insurer, store=store, clock=lambda: NOW),
            breaker=CircuitBreaker(failure_threshold=3, reset_seconds=30, clock=time.monotonic),
            timeout_seconds=2.0,
            retries=0,
            cached=False,
        )
        for insurer in ("ruian", "anhe")
    ]
    return InsurerGateway(channels, clock=lambda: NOW)


async def _claims(gateway: InsurerGateway, user: User, others: Scope) -> dict[str, Claim]:
    lookup = ScopedLookup(gateway, user, others)
    results = [r async for r in lookup.lookup(LookupQuery(member_ids=("M0001",)))]
    return {c.claim_no: c for r in results for c in r.claims}


async def test_seconded_agent_sees_other_insurers_claims_for_routing_only(
    gateway: InsurerGateway,
) -> None:
    claims = await _claims(gateway, SECONDED, Scope.ROUTING)
    own, other = claims["RA-C-1"], claims["AH-C-9"]
    assert own.hospital == "瑞安合作医院" and own.case_no == "CASE-RA-C-1"
    assert str(own.amount_claimed) == "3250.50"
    # Of the other insurer: enough to route the caller (claim no., stage), no details.
    assert other.stage.value == "under_review"
    assert other.hospital is None
    assert other.case_no is None
    assert other.amount_claimed == 0
    assert other.accident_date == other.reported_at.date()


async def test_configured_none_hides_other_insurers_entirely(gateway: InsurerGateway) -> None:
    assert set(await _claims(gateway, SECONDED, Scope.NONE)) == {"RA-C-1"}


async def test_broker_agent_sees_every_insurer_in_full(gateway: InsurerGateway) -> None:
    claims = await _claims(gateway, BROKER, Scope.ROUTING)
    assert claims["AH-C-9"].hospital == "北京协和医院"
