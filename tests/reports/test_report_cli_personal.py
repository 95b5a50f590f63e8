"""A report with a row per person (``indicators --by agent``: each agent's own figures) needs the
reader's own login with the report permission and is audited; team totals need neither."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_calls import CALLS
from test_scorecard_report import AGENTS, GROUPS, INSURERS

from cscdesk.cli import main
from cscdesk.store import open_store

ADMIN_PW, LEAD_PW, AGENT_PW = "Admin-2026-xyz", "Lead-2026-xyz", "Agent-2026-xyz"
PERIOD = ("--from", "2026-03-02", "--to", "2026-03-02")


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id at test-sized cost (production keeps the defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


def cli(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)


@pytest.fixture
def archive(data_dir: Path) -> Path:
    store = open_store(data_dir / "cscdesk.db")
    store.calls.upsert_many(CALLS)
    store.insurers.put_many(INSURERS)
    store.skill_groups.put_many(GROUPS)
    store.agents.put_many(AGENTS)
    store.close()
    return data_dir


@pytest.fixture
def staffed(archive: Path) -> Path:
    first = cli(archive, "users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert first.exit_code == 0, first.output
    for user_id, role, password in (
        ("zhou.lead", "lead", LEAD_PW),
        ("li.agent", "agent", AGENT_PW),
    ):
        added = cli(archive, "users", "add", user_id, "--name", user_id, "--role", role,
                    "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n{password}\n")  # fmt: skip
        assert added.exit_code == 0, added.output
    return archive


def trail(data_dir: Path) -> list[tuple[str, str, str]]:
    store = open_store(data_dir / "cscdesk.db")
    try:
        return [(e.actor, e.action, e.outcome) for e in store.audit.list()]
    finally:
        store.close()


def by_agent(data_dir: Path, *extra: str, stdin: str = "") -> Result:
    return cli(data_dir, "report", "indicators", *PERIOD, "--by", "agent", "--format", "json",
               *extra, stdin=stdin)  # fmt: skip


def test_per_agent_rows_refuse_without_a_login(staffed: Path) -> None:
    result = by_agent(staffed)
    assert result.exit_code == 1
    assert "refused: name yourself with --as-user" in result.output
    assert "王芳" not in result.output and "郑浩" not in result.output
    assert not [a for a in trail(staffed) if a[1] == "report_view"]


def test_per_agent_rows_refuse_a_role_without_the_report_permission(staffed: Path) -> None:
    result = by_agent(staffed, "--as-user", "li.agent", stdin=f"{AGENT_PW}\n")
    assert result.exit_code == 1
    assert "li.agent (agent) may not view reports" in result.output
    assert "王芳" not in result.output
    assert ("li.agent", "access_denied", "failure") in trail(staffed)


def test_a_lead_sees_per_agent_rows_and_the_audit_log_names_them(staffed: Path) -> None:
    result = by_agent(staffed, "--as-user", "zhou.lead", stdin=f"{LEAD_PW}\n")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout[result.stdout.index("{") :])["rows"]
    assert {r["label"] for r in rows} >= {"王芳"}
    assert trail(staffed)[-1] == ("zhou.lead", "report_view", "success")


def test_team_totals_need_no_login(staffed: Path) -> None:
    result = cli(staffed, "report", "indicators", *PERIOD, "--by", "queue", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"]


def test_the_demo_without_accounts_shows_agent_rows_as_the_demo_operator(archive: Path) -> None:
    result = by_agent(archive)
    assert result.exit_code == 0, result.output
    assert ("demo.operator", "report_view", "success") in trail(archive)
