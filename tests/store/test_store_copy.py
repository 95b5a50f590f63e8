"""Moving a center: a demo store copied SQLite → PostgreSQL → SQLite finds the same people and
tickets, an interrupted copy resumes without writing a row twice, a non-empty target is refused,
and the command line copies the recordings into a bucket too."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import postgres_db
import s3_server
from cscdesk.demo.seed import seed_demo
from cscdesk.store import Store, open_store
from cscdesk.store.copying import TargetNotEmpty, copy_store
from cscdesk.store.postgres import open_postgres

from .helpers import created, ticket


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    postgres_db.server_or_skip()
    store = open_store(tmp_path_factory.mktemp("center") / "cscdesk.db")
    seed_demo(store, members=400, seed=11, today=date(2026, 3, 2))
    first = ticket("T-COPY", "咨询理赔进度 客户来电")
    store.tickets.save_new(first, created(first))
    for n in range(3):
        store.audit.append("agent001@ccc-demo", "reveal", "member", f"M0000{n + 1}")
    yield store
    store.close()


def _pg(tmp_path: Path) -> Store:
    return open_postgres(
        postgres_db.new_database("cscdesk_copy"), pool_size=2, audit_head_file=tmp_path / "h"
    )


def _same_center(a: Store, b: Store) -> None:
    for query in ("华", "丽华", "lihua", "1380"):
        assert [h.member.id for h in a.members.lookup(query, 20).hits] == [
            h.member.id for h in b.members.lookup(query, 20).hits
        ], query
    assert [t.id for t in a.tickets.search("理赔 进度")] == [
        t.id for t in b.tickets.search("理赔 进度")
    ]
    assert a.audit.list() == b.audit.list()


def test_a_center_moves_to_postgresql_and_back_unchanged(center: Store, tmp_path: Path) -> None:
    target = _pg(tmp_path)
    try:
        report = copy_store(center, target, batch=97)
        assert report.ok and not report.resumed
        assert {c.table for c in report.checks} >= {"members", "tickets", "audit", "calls"}
        assert all(c.source_rows == c.target_rows for c in report.checks)
        _same_center(center, target)
        back = open_store(tmp_path / "back.db")
        try:
            assert copy_store(target, back).ok
            _same_center(center, back)
        finally:
            back.close()
        # the moved store keeps working: new ids continue after the copied ones
        later = ticket("T-AFTER", "搬迁后的新工单")
        target.tickets.save_new(later, created(later))
        assert target.tickets.events("T-AFTER")[0].kind == "created"
    finally:
        target.close()


def test_an_interrupted_copy_resumes_and_writes_no_row_twice(center: Store, tmp_path: Path) -> None:
    target = _pg(tmp_path)
    try:
        seen: list[str] = []

        def stop_in_members(table: str, rows: int) -> None:
            seen.append(table)
            if table == "members" and rows >= 200:
                raise ConnectionError("the network dropped")

        with pytest.raises(ConnectionError):
            copy_store(center, target, batch=100, progress=stop_in_members)
        partial = target.members.count()
        assert 0 < partial < center.members.count()
        again = copy_store(center, target, batch=100)
        assert again.resumed and again.ok
        assert again.copied["members"] == center.members.count() - partial
        assert target.members.count() == center.members.count()
        with pytest.raises(TargetNotEmpty, match="already holds data"):
            copy_store(center, target)  # finished: now it is someone's store
    finally:
        target.close()


def test_the_command_copies_the_store_and_its_recordings_into_a_bucket(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from click.testing import CliRunner

    from cscdesk.cli import main
    from cscdesk.domain.models import Recording
    from cscdesk.sync.blobstore import BlobStore

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    source = open_store(data_dir / "cscdesk.db")
    audio = b"RIFF recorded call"
    blob = BlobStore(data_dir / "recordings").put_file(_file(tmp_path, audio))
    when = date(2026, 3, 2)
    from datetime import UTC, datetime

    source.recordings.put(
        Recording("job-1", blob.sha256, blob.size, "audio/wav", datetime(2026, 3, 2, tzinfo=UTC),
                  date(when.year + 5, 3, 2))
    )  # fmt: skip
    source.close()
    url = postgres_db.new_database("cscdesk_cli_copy")
    bucket = s3_server.new_bucket()
    config = tmp_path / "site.toml"
    config.write_text(
        f'[archive]\ns3_endpoint = "{s3_server.endpoint()}"\n'
        's3_access_key_id = "keyring:s3-id"\ns3_secret_access_key = "keyring:s3-secret"\n',
        encoding="utf-8",
    )
    import keyring

    keyring.set_password("cscdesk", "s3-id", s3_server.KEY_ID)
    keyring.set_password("cscdesk", "s3-secret", s3_server.KEY_SECRET)
    base = ["--config", str(config), "--data-dir", str(data_dir), "store", "copy", "--to", url]
    result = CliRunner().invoke(main, [*base, "--recordings-to", f"s3://{bucket}/moved"])
    assert result.exit_code == 0, result.output
    assert "copy complete: counts and checksums match" in result.output
    assert "recordings: 1 copied" in result.output
    objects = s3_server.objects(bucket)
    assert list(objects.values()) == [audio]
    assert hashlib.sha256(audio).hexdigest() in next(iter(objects))
    again = CliRunner().invoke(main, base)
    assert again.exit_code == 1
    assert "refused" in again.output and "already holds data" in again.output


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(data)
    return path


# Values COPY's text format has to escape or a server has to parse back: NULLs, the format's
# own tab, newline, carriage return and backslash, a text that reads "\N", Chinese and emoji,
# floats at the edges of double precision, bytes that are not text, and times written with
# offsets (PostgreSQL keeps their instants: they come back in UTC).
ODD_TEXTS = [
    "制表\t符",
    "换\n行\r回车",
    "反斜杠\\结尾\\",
    "\\N",
    "",
    "'引号' \"双引号\"",
    "😀 生僻字𠀋",
]
ODD_FLOATS = [0.1 + 0.2, 1e-300, 1.7976931348623157e308, -2.2250738585072014e-308, 5e-324, 1 / 3]
ODD_TIMES = {
    "2026-03-02T09:00:00+08:00": "2026-03-02T01:00:00.000000+00:00",
    "2026-03-02T01:00:00.5Z": "2026-03-02T01:00:00.500000+00:00",
    "2026-03-01T23:59:59.999999-05:00": "2026-03-02T04:59:59.999999+00:00",
    "2026-03-02T01:00:00.000001+00:00": "2026-03-02T01:00:00.000001+00:00",
    "infinity": "infinity",
}
ODD_BYTES = [b"\x00\\\t\n\r\xff\xfe", b"", "中文".encode("gb18030"), bytes(range(256))]
CALL_COLUMNS = (
    "contact_id, direction, caller, callee, started_at, answered_at, outcome, wait_seconds,"
    " ring_seconds, talk_seconds, hold_seconds, acw_seconds, notes, member_id, raw"
)


def _odd_store(path: Path) -> Store:
    store = open_store(path)
    with store.transaction() as db:
        db.execute("INSERT INTO employers (id, name) VALUES ('E1', '演示\t单位')")
        for n, text in enumerate([*ODD_TEXTS, "removed", "李\\四"]):
            db.execute(
                "INSERT INTO members (id, name, id_type, id_number, birth_date, sex, mobile,"
                " employer_id, employee_no, main_member_id) VALUES (?, ?, 'resident_id', ?,"
                " '1990-01-01', 'M', ?, 'E1', ?, ?)",
                [f"M{n}", text or "空", f"11010819900101{n:04d}", None if n % 2 else text,
                 text if n % 3 else None, f"M{n}"],
            )  # fmt: skip
        db.execute("DELETE FROM members WHERE id = 'M7'")  # a gap in the rowids
        for n, (written, _utc) in enumerate(ODD_TIMES.items()):
            floats = ODD_FLOATS[n:] + ODD_FLOATS[:n]
            db.execute(
                f"INSERT INTO calls ({CALL_COLUMNS}) VALUES (?, 'inbound', ?, '4008001234', ?,"
                " ?, 'answered', ?, ?, ?, ?, ?, ?, ?, ?)",
                [f"c{n}", ODD_TEXTS[n], written, None if n % 2 else written, None, *floats[:4],
                 None if n == 3 else ODD_TEXTS[-n - 1], f"M{n}", ODD_TEXTS[n + 1]],
            )  # fmt: skip
        for n, payload in enumerate(ODD_BYTES):
            db.execute(
                "INSERT INTO wallboard_snapshots (taken_ts, taken_at, offered, answered,"
                " signed_in, waiting, payload) VALUES (?, ?, 1, 1, 1, 0, ?)",
                [ODD_FLOATS[n], f"2026-03-02 09:0{n}", payload],
            )
    noted = ticket("T-ODD", "理赔\t进度\\查询")
    store.tickets.save_new(noted, created(noted))
    return store


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.reading() as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]


def test_values_copy_could_mangle_arrive_unchanged_both_ways(tmp_path: Path) -> None:
    postgres_db.server_or_skip()
    source = _odd_store(tmp_path / "odd.db")
    target = _pg(tmp_path)
    back = open_store(tmp_path / "back.db")
    try:
        assert copy_store(source, target).ok
        assert copy_store(target, back).ok
        calls = "SELECT contact_id, caller, started_at, answered_at, wait_seconds, ring_seconds,"
        calls += " talk_seconds, hold_seconds, acw_seconds, notes, raw FROM calls ORDER BY 1"
        expected = []
        for n, (_written, utc) in enumerate(ODD_TIMES.items()):
            floats = ODD_FLOATS[n:] + ODD_FLOATS[:n]
            expected.append((f"c{n}", ODD_TEXTS[n], utc, None if n % 2 else utc, None,
                             *floats[:4], None if n == 3 else ODD_TEXTS[-n - 1], ODD_TEXTS[n + 1]))  # fmt: skip
        # repr: a float must come back to its last bit (SQLite keeps no -0.0 to try)
        assert repr(_rows(target, calls)) == repr(_rows(back, calls)) == repr(expected)
        members = "SELECT id, name, mobile, employee_no FROM members ORDER BY id"
        assert _rows(target, members) == _rows(back, members) == _rows(source, members)
        # the source's rowids, gap included, are the rows' rowids on PostgreSQL
        order = "SELECT rowid, id FROM members ORDER BY rowid"
        assert _rows(target, order) == _rows(source, order)
        snapshots = "SELECT taken_ts, taken_at, payload FROM wallboard_snapshots ORDER BY id"
        assert _rows(target, snapshots) == _rows(back, snapshots) == _rows(source, snapshots)
        assert [bytes(r[2]) for r in _rows(target, snapshots)] == ODD_BYTES
        for store in (target, back):
            assert [t.id for t in store.tickets.search("进度")] == ["T-ODD"]
            assert [h.member.id for h in store.members.lookup("李", 5).hits] == ["M8"]
    finally:
        back.close()
        target.close()
        source.close()


# A copy in a process of its own, which waits on its stdin after ``park_at`` members, so the
# test can set a trap for the next batch.
COPYING_CHILD = """
import sys
from pathlib import Path
from cscdesk.store import open_store
from cscdesk.store.copying import copy_store
from cscdesk.store.postgres import open_postgres

source_path, url, head, park_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
parked = []

def progress(table, rows):
    if table == "members" and rows >= park_at and not parked:
        parked.append(rows)
        print("parked", rows, flush=True)
        sys.stdin.readline()

copy_store(open_store(Path(source_path)), open_postgres(url, pool_size=2,
           audit_head_file=Path(head)), batch=100, progress=progress)
print("finished", flush=True)
"""


def _backend_waits_in_copy(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE 'COPY%'"
        ).fetchone()
    return bool(row and row[0])


def test_a_copy_killed_inside_a_copy_batch_resumes_with_every_guard_back(
    center: Store, tmp_path: Path
) -> None:
    """kill -9 while the server holds half a batch: those rows never commit, the committed
    batches are kept, and the next run finishes with the indexes, foreign keys, sequence
    triggers and append-only guards of a store that was never bulk loaded."""
    import signal
    import subprocess
    import sys
    import time

    import psycopg

    url = postgres_db.new_database("cscdesk_copy_kill")
    fresh = _pg(tmp_path)  # the schema as cscdesk makes it, to compare with
    fresh_url = fresh.url  # type: ignore[attr-defined]
    child = subprocess.Popen(
        [sys.executable, "-c", COPYING_CHILD, str(center.path), url, str(tmp_path / "k"), "200"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    trap = psycopg.connect(url)  # its own transaction, never committed
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().split() == ["parked", "200"]
        # the 250th member (in the next batch) already written by an open transaction: the
        # copy's COPY waits on it, halfway through its rows
        with center.reading() as db:
            row = db.execute("SELECT * FROM members ORDER BY rowid LIMIT 1 OFFSET 249").fetchone()
            names = [d[0] for d in db.execute("SELECT * FROM members LIMIT 0").description]
        trap.execute(
            f"INSERT INTO members ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
            list(row),
        )
        child.stdin.write("\n")
        child.stdin.flush()
        deadline = time.monotonic() + 60
        while not _backend_waits_in_copy(url):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        trap.rollback()
        trap.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    target = open_postgres(url, pool_size=2, audit_head_file=tmp_path / "k")
    try:
        assert target.members.count() == 200  # the killed batch's rows were never committed
        again = copy_store(center, target, batch=100)
        assert again.resumed and again.ok
        assert again.copied["members"] == center.members.count() - 200
        _same_center(center, target)
        assert _schema(url) == _schema(fresh_url)
        last = center.audit.list()[-1].id
        with target.reading() as db:  # the chain's high-water mark, as its trigger keeps it
            assert (
                db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()[0]
                == last
            )
        # the chain verifies against the source's signed heads, goes on after the copied
        # records, and stays append-only
        shutil.copy2(center.audit.head_file, target.audit.head_file)
        assert target.audit.verify().ok
        target.audit.append("agent001@ccc-demo", "reveal", "member", "M00009")
        assert target.audit.list()[-1].id == last + 1
        assert target.audit.verify().ok
        with pytest.raises(sqlite3.Error), target.transaction() as db:
            db.execute("UPDATE audit SET actor = 'someone else'")
        with pytest.raises(sqlite3.Error), target.transaction() as db:
            db.execute("DELETE FROM ticket_events")
        later = ticket("T-AFTER-KILL", "搬迁后的新工单")
        target.tickets.save_new(later, created(later))
        assert [t.id for t in target.tickets.search("搬迁")] == ["T-AFTER-KILL"]
    finally:
        target.close()
        fresh.close()


def _schema(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Indexes, constraints and triggers (with whether each is enabled) of a database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return {
            "indexes": conn.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY 1, 2"
            ).fetchall(),
            "constraints": conn.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
                " ORDER BY 1, 2"
            ).fetchall(),
            "triggers": conn.execute(
                "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger"
                " WHERE NOT tgisinternal ORDER BY 1, 2"
            ).fetchall(),
        }
