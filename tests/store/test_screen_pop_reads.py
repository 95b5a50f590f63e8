"""The screen pop's reads (``DeskData.members_for_caller`` + ``profile``) on each engine: what
the profile holds, and on PostgreSQL how many times a pop waits for the server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import postgres_db
from cscdesk.domain.models import Coverage, Policy, PolicyStatus, Relation
from cscdesk.store import Store
from cscdesk.tui.data import DeskData

from .helpers import employer, member

MAIN = member("M1", "欧阳娜娜", "11010519491231002X", "13812345678")
SPOUSE = member("M2", "李明", "110105194912310037", "13900000001", relation=Relation.SPOUSE,
                main="M1")  # fmt: skip
CHILD = member("M3", "欧阳小明", "110105201501010011", None, relation=Relation.CHILD, main="M1")
OPD = Coverage("OPD", "门急诊医疗", Decimal("20000"), Decimal("100"), Decimal("0.8"))
IPD = Coverage("IPD", "住院医疗", Decimal("200000"), Decimal("0"), Decimal("0.9"))
ACC = Coverage("ACC", "意外医疗", Decimal("10000"), Decimal("0"), Decimal("1"))


def _policy(policy_no: str, member_id: str) -> Policy:
    return Policy(policy_no, f"{policy_no}-{member_id}", "ruian", "E1", member_id,
                  "企业补充医疗保险", date(2026, 1, 1), date(2026, 12, 31),
                  PolicyStatus.ACTIVE)  # fmt: skip


def _family(store: Store) -> Store:
    """The spouse insured under three group policies, each in its own plan (the third plan
    with no coverages), and the main insured under the first policy's other plan."""
    from cscdesk.demo.scenario import INSURERS

    store.insurers.put_many(INSURERS)
    store.employers.put_many([employer()])
    store.members.add_many([MAIN, SPOUSE, CHILD])
    store.policies.set_plan("GP1", "A", [OPD, IPD])
    store.policies.set_plan("GP1", "B", [OPD])
    store.policies.set_plan("GP2", "C", [ACC])
    for policy_no, tier in (("GP1", "A"), ("GP2", "C"), ("GP3", "D")):
        store.policies.add_many([_policy(policy_no, "M2")], {"M2": tier})
    store.policies.add_many([_policy("GP1", "M1")], {"M1": "B"})
    return store


def _pop(data: DeskData, number: str) -> object:
    (found,) = data.members_for_caller(number)
    return data.profile(found.id, found)  # as the desk's screen pop passes it


def test_a_dependants_screen_pop_shows_the_main_insured_and_each_policy_with_its_plan(
    store: Store,
) -> None:
    data = DeskData(_family(store), actor=lambda: "agent001")
    profile = _pop(data, "139 0000 0001")
    assert profile.member == SPOUSE  # type: ignore[attr-defined]
    assert profile.main_member == MAIN  # type: ignore[attr-defined]
    assert profile.dependants == [CHILD]  # type: ignore[attr-defined]
    assert profile.employer_name == "演示单位E1"  # type: ignore[attr-defined]
    covered = {p.policy_no: p.coverages for p in profile.local_policies}  # type: ignore[attr-defined]
    assert covered == {"GP1": (IPD, OPD), "GP2": (ACC,), "GP3": ()}
    main = _pop(data, "138 1234 5678")
    assert [p.coverages for p in main.local_policies] == [(OPD,)]  # type: ignore[attr-defined]
    assert main.main_member is None  # type: ignore[attr-defined]
    assert main.dependants == [SPOUSE, CHILD]  # type: ignore[attr-defined]


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    from cscdesk.store.postgres import open_postgres

    url = postgres_db.worker_database()
    postgres_db.empty(url)
    opened = open_postgres(url, pool_size=2, audit_head_file=tmp_path / "audit-head")
    yield opened
    opened.close()


def _turns(trace: Path) -> int:
    """Times the client waited for the server: each turn from its messages to the server's."""
    turns, last = 0, ""
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        side = line[:1]
        if side == "B" and last == "F":
            turns += 1
        if side in ("B", "F"):
            last = side
    return turns


def test_a_screen_pop_on_postgresql_waits_for_the_server_four_times(pg_store: Store) -> None:
    """The caller's number, the audit record (chain's end; insert, commit and flush) and every
    read of the profile at once."""
    from psycopg import pq

    data = DeskData(_family(pg_store), actor=lambda: "agent001")
    _pop(data, "139 0000 0001")  # the pool's one connection opened and checked
    with tempfile.NamedTemporaryFile(suffix=".trace") as trace:
        with pg_store.reading() as db:
            db.conn.pgconn.trace(trace.fileno())
            db.conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        for _ in range(3):  # under psycopg's threshold for preparing a statement (5 uses)
            _pop(data, "139 0000 0001")
        with pg_store.reading() as db:
            db.conn.pgconn.untrace()
        assert _turns(Path(trace.name)) / 3 <= 4
