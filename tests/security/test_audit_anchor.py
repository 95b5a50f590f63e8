"""The audit log anchored outside the database: each attack is done with plain sqlite3 on the real
store file, then ``cscdesk audit verify`` must exit 1 and name what it found.

The store is a real one in a temporary data dir, its key created by ``cscdesk audit init-key``
in the tests' in-memory keyring; the attacker has write access to the database file (and drops
its triggers) but not the keyring and not the head file, as the README states.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.store import open_store
from cscdesk.store.audit import GENESIS, KEYED_PREFIX, record_hash

ADMIN_PW = "Admin-2026-xyz"
AUDITOR_PW = "Audit-2026-xyz"
COLUMNS = ("id", "at", "actor", "action", "target_type", "target_id", "outcome", "detail")


def run(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)


def _add_users(data_dir: Path) -> None:
    first = run(data_dir, "users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert first.exit_code == 0, first.output
    added = run(data_dir, "users", "add", "chen.audit", "--name", "陈", "--role", "auditor",
                "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n{AUDITOR_PW}\n")  # fmt: skip
    assert added.exit_code == 0, added.output


@pytest.fixture
def keyed_dir(data_dir: Path) -> Path:
    """A store with a real audit key and ten or so keyed records."""
    created = run(data_dir, "audit", "init-key")
    assert created.exit_code == 0 and "created the audit key 'audit-key'" in created.output
    _add_users(data_dir)
    for _ in range(3):
        listing = run(data_dir, "users", "list", "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n")
        assert listing.exit_code == 0, listing.output
    return data_dir


def _verify(data_dir: Path, *extra: str) -> Result:
    return run(data_dir, "audit", "verify", *extra, "--as-user", "chen.audit",
               stdin=f"{AUDITOR_PW}\n")  # fmt: skip


def _attacker(data_dir: Path) -> sqlite3.Connection:
    """Raw write access to the file: first the database's own guards go."""
    conn = sqlite3.connect(data_dir / "cscdesk.db")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_keep_six_months")
    return conn


def _rows(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return list(
        conn.execute(f"SELECT {', '.join(COLUMNS)}, prev_hash, hash FROM audit ORDER BY id")
    )


def test_an_untouched_keyed_log_verifies_against_its_signed_heads(keyed_dir: Path) -> None:
    result = _verify(keyed_dir)
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output and "signed head(s) agree" in result.output
    with sqlite3.connect(keyed_dir / "cscdesk.db") as conn:
        hashes = [str(r[-1]) for r in _rows(conn)]
    assert hashes and all(h.startswith(KEYED_PREFIX) for h in hashes)
    head_file = keyed_dir / "cscdesk.db.audit-head"
    assert head_file.stat().st_mode & 0o777 == 0o600
    last = json.loads(head_file.read_text(encoding="utf-8").splitlines()[-1])
    assert {"seq", "head", "count", "at", "mac"} <= set(last)


def test_wiping_the_log_is_reported(keyed_dir: Path) -> None:
    with _attacker(keyed_dir) as conn:
        conn.execute("DELETE FROM audit")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'audit'")
    result = _verify(keyed_dir)
    assert result.exit_code == 1, result.output
    assert "BROKEN: WIPED" in result.output and "none of them is in the database" in result.output


@pytest.mark.parametrize("spelling", ["keyed-looking", "plain"])
def test_an_edit_rehashed_without_the_key_is_reported(keyed_dir: Path, spelling: str) -> None:
    """The attacker edits record 3 and recomputes every later hash with SHA-256, either keeping
    the keyed prefix or going back to the old plain form."""
    with _attacker(keyed_dir) as conn:
        conn.execute("UPDATE audit SET actor = 'someone.else' WHERE id = 3")
        rows = _rows(conn)
        prev = str(rows[1][-1])
        for row in rows[2:]:
            record = dict(zip(COLUMNS, row[:8], strict=True))
            digest = record_hash(prev, record)
            if spelling == "keyed-looking":
                digest = KEYED_PREFIX + digest
            conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?",
                         [prev, digest, row[0]])  # fmt: skip
            prev = digest
    result = _verify(keyed_dir)
    assert result.exit_code == 1, result.output
    if spelling == "keyed-looking":
        assert "BROKEN: record 3: HMAC does not match" in result.output
    else:
        assert "BROKEN: record 3: plain SHA-256 inside the keyed chain" in result.output
    assert "record 3: not the record the signed head" in result.output


def test_a_forged_purge_anchor_is_reported(keyed_dir: Path) -> None:
    """The oldest records removed with an anchor that makes the rest of the chain link up."""
    with _attacker(keyed_dir) as conn:
        third = conn.execute("SELECT hash FROM audit WHERE id = 3").fetchone()[0]
        conn.execute("DELETE FROM audit WHERE id <= 3")
        conn.execute("INSERT INTO audit_anchor (id, hash, through_id, purged_at)"
                     " VALUES (1, ?, 3, '2026-01-01T00:00:00.000000+00:00')", [third])  # fmt: skip
    result = _verify(keyed_dir)
    assert result.exit_code == 1, result.output
    assert "BROKEN: FORGED PURGE ANCHOR" in result.output
    assert "records up to 3 were purged" in result.output


def test_a_cut_tail_is_reported_even_with_sqlite_sequence_fixed(keyed_dir: Path) -> None:
    with _attacker(keyed_dir) as conn:
        last = conn.execute("SELECT max(id) FROM audit").fetchone()[0]
        conn.execute("DELETE FROM audit WHERE id > ?", [last - 3])
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", [last - 3])
    result = _verify(keyed_dir)
    assert result.exit_code == 1, result.output
    assert "BROKEN: CUT TAIL" in result.output
    assert f"reaches record {last}" in result.output
    assert f"{last - 1}..{last} removed from the end" in result.output


def test_a_deleted_head_file_is_reported(keyed_dir: Path) -> None:
    (keyed_dir / "cscdesk.db.audit-head").unlink()
    with _attacker(keyed_dir) as conn:  # and the log cut back with it
        conn.execute("DELETE FROM audit WHERE id > 4")
        conn.execute("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit'")
    result = _verify(keyed_dir)
    assert result.exit_code == 1, result.output
    assert "BROKEN: HEAD FILE RESTARTED" in result.output


def test_the_head_in_an_export_catches_a_cut_the_head_file_no_longer_shows(
    keyed_dir: Path, tmp_path: Path
) -> None:
    """Someone who can also rewrite the head file cuts both; the export made earlier still
    holds the head it signed."""
    from cscdesk.security.audit_key import lookup_key
    from cscdesk.sync.blobstore import BlobStore
    from cscdesk.sync.bundle import export_bundle

    with open_store(keyed_dir / "cscdesk.db") as store:
        store.audit.configure(key_lookup=lookup_key)  # as the composition root does
        export_bundle(store, BlobStore(tmp_path / "blobs"), tmp_path / "bundle")
    head_file = keyed_dir / "cscdesk.db.audit-head"
    lines = head_file.read_text(encoding="utf-8").splitlines()
    with _attacker(keyed_dir) as conn:
        exported = conn.execute("SELECT max(id) FROM audit").fetchone()[0]
        conn.execute("DELETE FROM audit WHERE id > 2")
        conn.execute("UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit'")
    head_file.write_text(
        "".join(f"{line}\n" for line in lines if json.loads(line)["seq"] <= 2), encoding="utf-8"
    )
    assert _verify(keyed_dir).exit_code == 0  # the stated limit: the head file was rewritten too
    result = _verify(keyed_dir, "--export", str(tmp_path / "bundle"))
    assert result.exit_code == 1, result.output
    assert "BROKEN: CUT TAIL" in result.output and f"reaches record {exported}" in result.output


def test_records_from_before_the_key_verify_as_legacy(data_dir: Path) -> None:
    """A store written by the plain SHA-256 chain, then keyed: the old records are marked."""
    with open_store(data_dir / "cscdesk.db") as store, store.transaction() as db:
        prev = GENESIS
        for rid in (1, 2, 3):
            record = {"id": rid, "at": f"2026-03-0{rid}T09:00:00.000000+00:00", "actor": "li",
                      "action": "lookup", "target_type": "member", "target_id": "M1",
                      "outcome": "success", "detail": "{}"}  # fmt: skip
            digest = record_hash(prev, record)
            db.execute(
                f"INSERT INTO audit ({', '.join(COLUMNS)}, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*record.values(), prev, digest],
            )
            prev = digest
    assert run(data_dir, "audit", "init-key").exit_code == 0
    _add_users(data_dir)
    result = _verify(data_dir)
    assert result.exit_code == 0, result.output
    assert "note: legacy: records 1..3 are plain SHA-256" in result.output
    assert "pinned by the keyed record after them" in result.output


def test_the_demo_without_a_keyring_key_runs_and_says_its_key_protects_nothing(
    data_dir: Path,
) -> None:
    _add_users(data_dir)
    result = _verify(data_dir)
    assert result.exit_code == 0, result.output
    assert "DEMO key" in result.output and "protects nothing" in result.output


def test_a_deployment_without_its_key_refuses_to_write_and_verify_says_unkeyed(
    data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "deploy.toml"
    config.write_text('[callcenter]\nmode = "aliyun"\n', encoding="utf-8")
    deploy = ("--config", str(config))
    added = run(data_dir, *deploy, "users", "add", "wang.admin", "--name", "王", "--role",
                "admin", stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert added.exit_code == 1 and "UNKEYED" in added.output
    verify = run(data_dir, *deploy, "audit", "verify", "--as-user", "chen.audit",
                 stdin=f"{AUDITOR_PW}\n")  # fmt: skip
    assert verify.exit_code == 1 and "UNKEYED" in verify.output
    with sqlite3.connect(data_dir / "cscdesk.db") as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    assert run(data_dir, *deploy, "audit", "init-key").exit_code == 0
    again = run(data_dir, *deploy, "users", "add", "wang.admin", "--name", "王", "--role",
                "admin", stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert again.exit_code == 0, again.output


def test_init_key_never_replaces_an_existing_key(data_dir: Path, memory_keyring: object) -> None:
    assert run(data_dir, "audit", "init-key").exit_code == 0
    key = dict(memory_keyring.secrets)  # type: ignore[attr-defined]
    second = run(data_dir, "audit", "init-key")
    assert second.exit_code == 0 and "left unchanged" in second.output
    assert dict(memory_keyring.secrets) == key  # type: ignore[attr-defined]
    assert len(next(iter(key.values()))) == 64  # 256 random bits, hex


def test_audit_export_is_owner_only_and_carries_the_signed_head(
    keyed_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "audit.jsonl"
    result = run(keyed_dir, "audit", "export", str(target), "--as-user", "chen.audit",
                 stdin=f"{AUDITOR_PW}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    sidecar = Path(f"{target}.head.json")
    assert target.stat().st_mode & 0o777 == 0o600 and sidecar.stat().st_mode & 0o777 == 0o600
    head = json.loads(sidecar.read_text(encoding="utf-8"))
    last = json.loads(target.read_text(encoding="utf-8").splitlines()[-1])
    assert head["seq"] == last["seq"] and head["head"] == last["hash"] and head["mac"]
    assert _verify(keyed_dir, "--export", str(target)).exit_code == 0


def _append_many(path: str, worker: int) -> None:
    from cscdesk.security.audit_key import lookup_key

    with open_store(Path(path)) as store:
        store.audit.configure(key_lookup=lookup_key)  # as the composition root does
        for n in range(25):
            store.audit.append(f"desk{worker}", "lookup", subject=f"member:M{n}")


def test_appends_from_several_processes_keep_one_chain(keyed_dir: Path) -> None:
    """Four processes append at once (BEGIN IMMEDIATE serialises them); the keyring key reaches
    the children through fork, as the OS keyring would through the session."""
    path = str(keyed_dir / "cscdesk.db")
    with open_store(Path(path)) as store:
        before = store.audit.verify().checked
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(path, w)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    result = _verify(keyed_dir)
    assert result.exit_code == 0, result.output
    with open_store(Path(path)) as store:
        assert (
            store.audit.verify().checked == before + 100 + 2
        )  # and the verify's login and its own record
