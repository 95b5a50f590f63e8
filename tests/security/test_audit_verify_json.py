"""``audit verify --json``: the outcome an auditor's monitoring parses (README, "Exit codes and
machine-readable output"), the same exit code as the text, messages on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli_users_audit import AUDIT_TABLE, AUDITOR_PW, _tamper, desk_dir, run

__all__ = ["desk_dir"]  # the fixture, shared with the text tests

KEYS = {"ok", "checked", "head", "signed_heads", "head_file", "problems", "notes"}


def verify_json(data_dir: Path) -> tuple[int, dict[str, object], str]:
    result = run(data_dir, "audit", "verify", "--as-user", "chen.audit", "--json",
                 stdin=f"{AUDITOR_PW}\n")  # fmt: skip
    [line] = result.stdout.splitlines()  # the JSON object alone on stdout
    return result.exit_code, json.loads(line), result.stderr


def test_an_intact_log_is_ok_with_its_count_and_head(desk_dir: Path) -> None:
    code, report, stderr = verify_json(desk_dir)
    assert code == 0
    assert set(report) == KEYS
    assert report["ok"] is True and report["problems"] == []
    assert isinstance(report["checked"], int) and report["checked"] >= 3
    assert str(report["head_file"]).endswith(".audit-head") and report["signed_heads"] >= 1
    assert "audit log intact" in stderr


def test_an_edited_record_is_a_problem_and_exit_1(desk_dir: Path) -> None:
    with _tamper(desk_dir) as conn:
        conn.execute(f"UPDATE {AUDIT_TABLE} SET actor = 'someone.else' WHERE id = 3")
    code, report, stderr = verify_json(desk_dir)
    assert code == 1
    assert report["ok"] is False and report["problems"]
    assert "BROKEN" in stderr
