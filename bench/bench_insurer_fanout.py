"""Insurer fan-out: one lookup across five simulated insurers (50–800 ms each, over real HTTP)
against the slowest insurer alone and against asking them one after another.

Fan-out should cost about the slowest insurer, not the sum. `python bench/bench_insurer_fanout.py`
prints the table and the figures as JSON; `python -m bench` runs it with the others.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Row, Stats, as_json, print_table
from cscdesk.domain.models import (
    Claim,
    ClaimStage,
    Coverage,
    IdType,
    Member,
    Policy,
    PolicyStatus,
    Sex,
)
from cscdesk.insurers.adapters.json_dialects import DIALECTS
from cscdesk.insurers.adapters.rest_oauth import RestOAuthAdapter
from cscdesk.insurers.adapters.xml_hmac import XmlHmacAdapter
from cscdesk.insurers.breaker import CircuitBreaker
from cscdesk.insurers.gateway import Channel, InsurerGateway
from cscdesk.insurers.port import InsurerAdapter, LookupQuery
from cscdesk.insurers.sim import huaying, jiahe, ruian
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.clock import SimClock
from cscdesk.insurers.sim.common import ServiceStats, TokenIssuer
from cscdesk.insurers.sim.profile import FaultProfile
from cscdesk.insurers.sim.server import ServiceThread

# (insurer id, shape, fixed latency ms)
INSURERS = (
    ("ins50", "standard", 50),
    ("ins120", "xml", 120),
    ("ins250", "nested", 250),
    ("ins450", "standard", 450),
    ("ins800", "xml", 800),
)
SECRET = "bench-secret"
MEMBER = Member(
    id="M0001",
    name="测试",
    id_type=IdType.RESIDENT_ID,
    id_number="110101199001011234",
    birth_date=date(1990, 1, 1),
    sex=Sex.MALE,
    mobile="13800001234",
    employer_id="E01",
)


def _records(insurer_id: str) -> tuple[list[Policy], list[Claim]]:
    policies = [
        Policy(
            policy_no=f"GP-{insurer_id}-{n}",
            sub_policy_no=f"{n:04d}",
            insurer_id=insurer_id,
            employer_id="E01",
            member_id=MEMBER.id,
            product="团体补充医疗",
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            status=PolicyStatus.ACTIVE,
            coverages=(Coverage("OP", "门诊", Decimal("20000"), Decimal("100"), Decimal("0.9")),),
        )
        for n in range(3)
    ]
    claims = [
        Claim(
            claim_no=f"C-{insurer_id}-{n}",
            insurer_id=insurer_id,
            policy_no=policies[0].policy_no,
            member_id=MEMBER.id,
            accident_date=date(2026, 10, 1),
            reported_at=datetime(2026, 10, 2, 9, tzinfo=UTC),
            stage=ClaimStage.UNDER_REVIEW,
            amount_claimed=Decimal("1880.00"),
            hospital="演示医院",
        )
        for n in range(4)
    ]
    return policies, claims


def _start(client: object) -> tuple[list[ServiceThread], list[InsurerAdapter]]:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    clock = SimClock(speed=1)
    threads, adapters = [], []
    for insurer_id, shape, latency in INSURERS:
        policies, claims = _records(insurer_id)
        book = InsurerBook.build(insurer_id, [MEMBER], policies, claims, clock=clock, seed=7)
        profile = FaultProfile(latency_ms=(latency, latency))
        stats = ServiceStats()
        if shape == "xml":
            app = jiahe.build_app(book, profile, "BENCH", SECRET, stats)
        else:
            module = huaying if shape == "nested" else ruian
            app = module.build_app(book, profile, TokenIssuer("bench", SECRET, profile), stats)
        thread = ServiceThread(app)
        thread.start()
        threads.append(thread)
        adapter: InsurerAdapter
        if shape == "xml":
            adapter = XmlHmacAdapter(
                insurer_id,
                insurer_id,
                client=client,
                base_url=thread.base_url,
                app_id="BENCH",
                hmac_key=SECRET,
            )
        else:
            adapter = RestOAuthAdapter(
                insurer_id,
                insurer_id,
                client=client,
                base_url=thread.base_url,
                client_id="bench",
                client_secret=SECRET,
                dialect=DIALECTS[shape],
            )
        adapters.append(adapter)
    return threads, adapters


async def _measure(repeat: int) -> dict[str, Stats]:
    import httpx

    async with httpx.AsyncClient(timeout=5) as client:
        threads, adapters = _start(client)
        try:
            gateway = InsurerGateway(
                [
                    Channel(
                        a,
                        CircuitBreaker(failure_threshold=5, reset_seconds=30, clock=time.monotonic),
                        timeout_seconds=3,
                        retries=0,
                    )
                    for a in adapters
                ]
            )
            query = LookupQuery(id_number=MEMBER.id_number, member_ids=(MEMBER.id,))
            slowest = INSURERS[-1][0]

            async def fan_out() -> None:
                results = await gateway.lookup_all(query)
                assert len(results) == len(INSURERS) and all(r.ok and r.policies for r in results)

            async def slowest_alone() -> None:
                [result] = await gateway.lookup_all(
                    LookupQuery(id_number=MEMBER.id_number, insurer_ids=(slowest,))
                )
                assert result.ok

            async def sequential() -> None:
                for insurer_id, _, _ in INSURERS:
                    [result] = await gateway.lookup_all(
                        LookupQuery(id_number=MEMBER.id_number, insurer_ids=(insurer_id,))
                    )
                    assert result.ok

            samples: dict[str, list[float]] = {"fan_out": [], "slowest": [], "sequential": []}
            await fan_out()  # warm-up: tokens fetched, connections open
            for _ in range(repeat):
                for name, run in (
                    ("fan_out", fan_out),
                    ("slowest", slowest_alone),
                    ("sequential", sequential),
                ):
                    start = time.perf_counter()
                    await run()
                    samples[name].append((time.perf_counter() - start) * 1000)
            return {name: Stats.of(values) for name, values in samples.items()}
        finally:
            for thread in threads:
                thread.stop()


def run(quick: bool = False) -> list[Row]:
    stats = asyncio.run(_measure(repeat=10 if quick else 15))
    fan_out = stats["fan_out"]
    return [
        Row(
            name="fan-out, 5 insurers",
            unit="ms",
            measured=fan_out,
            baseline=stats["slowest"],
            baseline_name="slowest insurer alone (800 ms)",
            target="≤ 1.05 × slowest + 20 ms",
            met=fan_out.median <= 1.05 * stats["slowest"].median + 20,
            notes="latencies 50/120/250/450/800 ms; REST+OAuth2, signed XML, nested JSON",
        ),
        Row(
            name="fan-out, 5 insurers",
            unit="ms",
            measured=fan_out,
            baseline=stats["sequential"],
            baseline_name="sequential lookups",
            target="≤ 1.05 × slowest + 20 ms",
            met=fan_out.median <= 1.05 * stats["slowest"].median + 20,
        ),
    ]


if __name__ == "__main__":
    rows = run(quick="--quick" in sys.argv)
    print_table("Insurer fan-out", rows)
    print(json.dumps(as_json(rows), ensure_ascii=False, indent=2))
