"""The benchmarks' data sets, made once into bench/data/ (git-ignored) and reused when present.

One "center" store per size: ``seed_demo`` members (with their dependants, policies and claims,
the product's own seeding), then CDRs and tickets added in bulk SQL. Millions of rows through
per-row Python objects would take most of the 30-minute budget; ``INSERT … SELECT`` over a
recursive counter takes a minute, and the secondary indexes are built once afterwards (a sort)
rather than kept up row by row. The rows have the store's schema and value formats exactly, so
the desk's own repositories read them as they read archived CDRs and synced tickets.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
EPOCH = "2025-03-01"  # CDRs run from here, one every few seconds, towards the demo's "today"


@dataclass(frozen=True)
class Sizes:
    label: str
    members: int
    cdrs: int
    tickets: int


FULL = Sizes("full", 1_000_000, 5_000_000, 1_000_000)
QUICK = Sizes("quick", 20_000, 100_000, 20_000)

HOSPITALS = tuple(
    f"{city}第{n}人民医院"
    for city in ("北京市", "上海市", "广州市", "深圳市", "成都市", "南京市", "杭州市", "武汉市")
    for n in ("一", "二", "三", "四", "五")
)  # 40 names: a hospital search matches about 1 ticket in 40
TITLES = (
    "咨询门诊报销比例",
    "咨询保障范围",
    "咨询发票要求",
    "理赔进度查询",
    "协助补充理赔材料",
    "理赔金额复核",
    "新增子女为连带被保险人",
    "变更银行账户",
    "变更联系地址",
    "投诉理赔时效过长",
    "投诉保险公司客服态度",
    "理赔结案回访",
    "表扬坐席服务",
)
TYPES = ("enquiry", "claim_assist", "policy_change", "complaint", "follow_up", "feedback")
OPEN_STATUSES = ("new", "open", "pending_customer", "escalated")
OPEN_EVERY = 200  # a year of tickets is mostly done: 1 in 200 still open (about 125 per owner)
GROUPS = ("sg_group_enquiry", "sg_claims", "sg_insurer_ruian", "sg_insurer_jiahe")


def sizes(quick: bool) -> Sizes:
    return QUICK if quick else FULL


def center_store(quick: bool, *, log: bool = True) -> Path:
    """Path of the seeded center store for this size, generating it first when missing."""
    size = sizes(quick)
    path = DATA / f"center-{size.label}.db"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in DATA.glob(partial.name + "*"):
        leftover.unlink()
    began = time.perf_counter()
    _seed_members(partial, size.members)
    if log:
        print(f"  data: {size.members:,} members seeded in {time.perf_counter() - began:.0f} s")
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    step = time.perf_counter()
    add_cdrs(conn, size.cdrs, size.members)
    if log:
        print(f"  data: {size.cdrs:,} CDRs added in {time.perf_counter() - step:.0f} s")
    step = time.perf_counter()
    add_tickets(conn, size.tickets, size.members)
    if log:
        print(f"  data: {size.tickets:,} tickets added in {time.perf_counter() - step:.0f} s")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    if log:
        print(f"  data: {path.name} ready in {time.perf_counter() - began:.0f} s")
    return path


def _seed_members(path: Path, members: int) -> None:
    from cscdesk.demo.seed import seed_demo
    from cscdesk.store import open_store

    store = open_store(path)
    try:
        seed_demo(store, members=members, seed=7)
    finally:
        store.close()


def _without_indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    """Drop ``table``'s secondary indexes, returning their DDL to rebuild after a bulk load."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL",
        [table],
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def add_cdrs(conn: sqlite3.Connection, n: int, members: int) -> None:
    """``n`` CDRs spread evenly over ``members`` (member i gets every ``members``-th call)."""
    indexes = _without_indexes(conn, "calls")
    groups = ", ".join(f"'{g}'" for g in GROUPS)
    conn.execute("BEGIN")
    conn.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ? - 1),
        c(i, t, answered) AS (
            SELECT i, unixepoch(?) + i * 6, (i * 7) % 10 < 7 FROM k
        )
        INSERT INTO calls (contact_id, direction, caller, callee, started_at, queued_at,
                           answered_at, ended_at, skill_group, agent_id, outcome, wait_seconds,
                           ring_seconds, talk_seconds, hold_seconds, acw_seconds, member_id,
                           recorded, satisfaction, raw)
        SELECT printf('bench-%010d', i), 'inbound', printf('138****%04d', i % 10000),
               '4008001234',
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', t, 'unixepoch'),
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', t + 5, 'unixepoch'),
               CASE WHEN answered
                    THEN strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', t + 25, 'unixepoch') END,
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', t + 25 + (i % 600), 'unixepoch'),
               json_extract(json_array({groups}), '$[' || (i % {len(GROUPS)}) || ']'),
               CASE WHEN answered THEN printf('agent%03d@ccc-demo', i % 80) END,
               CASE WHEN answered THEN 'answered' ELSE 'abandoned' END,
               20.0, 3.0, CASE WHEN answered THEN i % 600 ELSE 0 END, 0, 30,
               printf('M%08d', 1 + (i * 7919) % ?), answered, NULL, '{{}}'
        FROM c
        """,
        [n, EPOCH, members],
    )
    conn.execute("COMMIT")
    for ddl in indexes:
        conn.execute(ddl)


def ticket_text(i: int) -> tuple[str, str]:
    """Title and description of ticket ``i``, as the SQL below makes them (for query choice)."""
    title = TITLES[i % len(TITLES)]
    hospital = HOSPITALS[(i // 7) % len(HOSPITALS)]
    return title, f"客户在{hospital}就诊，报案号 R{i:09d}，来电反映：{title}。"


def add_tickets(conn: sqlite3.Connection, n: int, members: int) -> None:
    """``n`` tickets over a year, with titles, hospitals and a unique claim report number each,
    then put in the word index as a ticket saved at the desk would be."""
    indexes = _without_indexes(conn, "tickets")
    titles = ", ".join(f"'{t}'" for t in TITLES)
    hospitals = ", ".join(f"'{h}'" for h in HOSPITALS)
    types = ", ".join(f"'{t}'" for t in TYPES)
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    conn.execute("BEGIN")
    conn.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ? - 1),
        t(i, at, title, hospital) AS (
            SELECT i, unixepoch(?) + i * 30,
                   json_extract(json_array({titles}), '$[' || (i % {len(TITLES)}) || ']'),
                   json_extract(json_array({hospitals}),
                                '$[' || ((i / 7) % {len(HOSPITALS)}) || ']')
            FROM k
        )
        INSERT INTO tickets (id, type, status, priority, title, description, created_at,
                             updated_at, created_by, owner, member_id, due_at, sync_state)
        SELECT printf('TB%010d', i),
               json_extract(json_array({types}), '$[' || (i % {len(TYPES)}) || ']'),
               CASE WHEN i % {OPEN_EVERY} = 0
                    THEN json_extract(json_array({statuses}),
                                      '$[' || ((i / {OPEN_EVERY}) % {len(OPEN_STATUSES)}) || ']')
                    ELSE json_extract(json_array('resolved', 'closed'), '$[' || (i % 2) || ']')
               END,
               'normal', title,
               '客户在' || hospital || '就诊，报案号 ' || printf('R%09d', i) || '，来电反映：'
                   || title || '。',
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', at, 'unixepoch'),
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', at + 7200, 'unixepoch'),
               printf('agent%03d@ccc-demo', 1 + (i / 3) % 40),
               printf('agent%03d@ccc-demo', 1 + (i / 3) % 40),
               printf('M%08d', 1 + (i * 104729) % ?),
               strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', at + 259200, 'unixepoch'),
               'synced'
        FROM t
        """,
        [n, EPOCH, members],
    )
    conn.execute("COMMIT")
    for ddl in indexes:
        conn.execute(ddl)
    from cscdesk.store import ticket_search  # bulk SQL bypasses the store: index as it would

    conn.execute("BEGIN")
    ticket_search.index_all(conn)
    conn.execute("COMMIT")


def mobiles_with_history(path: Path, count: int, members: int) -> list[str]:
    """Mobiles of main insured members spread over the whole store (each has CDRs)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stride = max(1, members // (count * 2))
        ids = [f"M{1 + k * stride:08d}" for k in range(count * 2)]
        marks = ", ".join("?" for _ in ids)
        rows = conn.execute(
            f"SELECT mobile FROM members WHERE id IN ({marks}) AND mobile IS NOT NULL"
            " AND mobile != ''",
            ids,
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows][:count]
