"""``cscdesk users`` and ``cscdesk audit`` end to end on a real store in a temporary data dir:
admin-only user changes with the admin's own password, and ``audit verify`` catching a record
edited, deleted or swapped directly in the database file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main

ADMIN_PW = "Admin-2026-xyz"
AGENT_PW = "Agent-2026-xyz"
AUDITOR_PW = "Audit-2026-xyz"


def run(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)


@pytest.fixture
def desk_dir(data_dir: Path) -> Path:
    first = run(data_dir, "users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert first.exit_code == 0, first.output
    for user_id, role, password in (("li.agent", "agent", AGENT_PW),
                                    ("chen.audit", "auditor", AUDITOR_PW)):  # fmt: skip
        added = run(data_dir, "users", "add", user_id, "--name", user_id, "--role", role,
                    "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n{password}\n")  # fmt: skip
        assert added.exit_code == 0, added.output
    return data_dir


def test_first_account_must_be_an_admin(data_dir: Path) -> None:
    result = run(data_dir, "users", "add", "li.agent", "--name", "李", "--role", "agent",
                 stdin=f"{AGENT_PW}\n")  # fmt: skip
    assert result.exit_code == 2
    assert "first account must be an admin" in result.output


def test_only_an_admin_with_their_own_password_changes_users(desk_dir: Path) -> None:
    wrong = run(desk_dir, "users", "disable", "li.agent", "--as-user", "wang.admin",
                stdin="Wrong-2026-xyz\n")  # fmt: skip
    assert wrong.exit_code == 1 and "wrong user id or password" in wrong.output
    agent = run(desk_dir, "users", "disable", "chen.audit", "--as-user", "li.agent",
                stdin=f"{AGENT_PW}\n")  # fmt: skip
    assert agent.exit_code == 1 and "may not manage users" in agent.output
    done = run(desk_dir, "users", "disable", "li.agent", "--as-user", "wang.admin",
               stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert done.exit_code == 0, done.output
    listing = run(desk_dir, "users", "list", "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n")
    assert listing.exit_code == 0
    line = next(x for x in listing.output.splitlines() if x.startswith("li.agent"))
    assert "disabled" in line
    assert ADMIN_PW not in listing.output and AGENT_PW not in listing.output


def test_passwords_are_never_taken_from_the_command_line(desk_dir: Path) -> None:
    result = run(desk_dir, "users", "passwd", "li.agent", "--password", "x")
    assert result.exit_code == 2 and "No such option" in result.output


def _db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "cscdesk.db")


def _tamper(data_dir: Path) -> sqlite3.Connection:
    """Someone with raw write access to the file: first removes the database's own guards."""
    conn = _db(data_dir)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_keep_six_months")
    return conn


def test_the_database_itself_refuses_to_change_or_delete_young_audit_records(
    desk_dir: Path,
) -> None:
    with _db(desk_dir) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(f"UPDATE {AUDIT_TABLE} SET actor = 'x' WHERE id = 3")
        with pytest.raises(sqlite3.IntegrityError, match="183 days"):
            conn.execute(f"DELETE FROM {AUDIT_TABLE} WHERE id = 3")
    assert _verify(desk_dir).exit_code == 0


def _verify(data_dir: Path) -> Result:
    return run(data_dir, "audit", "verify", "--as-user", "chen.audit", stdin=f"{AUDITOR_PW}\n")


def test_audit_verify_passes_on_an_untouched_log_and_is_itself_audited(desk_dir: Path) -> None:
    result = _verify(desk_dir)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


AUDIT_TABLE = "audit"


def _rows(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    return list(conn.execute(f"SELECT * FROM {AUDIT_TABLE} ORDER BY id"))


def test_audit_verify_catches_an_edited_record(desk_dir: Path) -> None:
    with _tamper(desk_dir) as conn:
        conn.execute(f"UPDATE {AUDIT_TABLE} SET actor = 'someone.else' WHERE id = 3")
    result = _verify(desk_dir)
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_audit_verify_catches_a_deleted_record(desk_dir: Path) -> None:
    with _tamper(desk_dir) as conn:
        conn.execute(f"DELETE FROM {AUDIT_TABLE} WHERE id = 3")
    result = _verify(desk_dir)
    assert result.exit_code == 1 and "removed" in result.output


def test_audit_verify_catches_swapped_records(desk_dir: Path) -> None:
    with _tamper(desk_dir) as conn:
        rows = _rows(conn)
        columns = [c for c in rows[0].keys() if c != "id"]  # noqa: SIM118
        a, b = rows[2], rows[3]
        assignments = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(
            f"UPDATE {AUDIT_TABLE} SET {assignments} WHERE id = 3", [b[c] for c in columns]
        )
        conn.execute(
            f"UPDATE {AUDIT_TABLE} SET {assignments} WHERE id = 4", [a[c] for c in columns]
        )
    result = _verify(desk_dir)
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_audit_export_writes_records_for_auditors_without_personal_data(
    desk_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "audit.jsonl"
    result = run(desk_dir, "audit", "export", str(target), "--as-user", "chen.audit",
                 stdin=f"{AUDITOR_PW}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    actions = [r["action"] for r in rows]
    assert "user_add" in actions and "login" in actions
    assert all(r["hash"] and r["actor"] for r in rows)
    assert not any(pw in target.read_text(encoding="utf-8") for pw in (ADMIN_PW, AGENT_PW))


def test_agent_may_not_export_the_audit_log(desk_dir: Path, tmp_path: Path) -> None:
    result = run(desk_dir, "audit", "export", str(tmp_path / "x.jsonl"), "--as-user", "li.agent",
                 stdin=f"{AGENT_PW}\n")  # fmt: skip
    assert result.exit_code == 1 and "may not export audit" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_purge_keeps_the_retention_and_the_chain_verifiable(data_dir: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from cscdesk.store import open_store

    now = datetime.now(UTC)
    with open_store(data_dir / "cscdesk.db") as store:
        for days in (500, 450, 400, 200):  # older history, oldest first (ids follow time)
            store.audit.append(
                "li.agent", "lookup", subject="member:M1", at=now - timedelta(days=days)
            )
    run(
        data_dir,
        "users",
        "add",
        "wang.admin",
        "--name",
        "王",
        "--role",
        "admin",
        stdin=f"{ADMIN_PW}\n",
    )
    run(data_dir, "users", "add", "chen.audit", "--name", "陈", "--role", "auditor",
        "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n{AUDITOR_PW}\n")  # fmt: skip
    denied = run(data_dir, "audit", "purge", "--as-user", "chen.audit", stdin=f"{AUDITOR_PW}\n")
    assert denied.exit_code == 1  # the auditor reads the log; only an admin purges
    purged = run(data_dir, "audit", "purge", "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n")
    assert purged.exit_code == 0, purged.output
    assert "purged 3 audit records" in purged.output  # 500, 450, 400 days; 200 days stays
    with open_store(data_dir / "cscdesk.db") as store:
        entries = store.audit.list()
        ages = [(now - e.at).total_seconds() / 86400 for e in entries]
        assert round(max(ages)) == 200 and round(min(ages)) == 0
        assert entries[-1].action == "audit_purge"  # the purge is itself on record
    assert _verify(data_dir).exit_code == 0
