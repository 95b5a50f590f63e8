"""``cscdesk complaint``: each step from the command line on a real store, signed in, audited,
printing the due dates as they stand after the step.

Law: 银行业保险业消费投诉处理管理办法 (2020) — 15日, complex 30日, especially complex a further
30日 with a senior manager's approval and notice, appraisal time not counted, 核查 30日;
periods counted as 民法典 §201–§203 count them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.domain.models import (
    Call,
    CallDirection,
    CallOutcome,
    Employer,
    IdType,
    Insurer,
    Member,
    Recording,
    Sex,
)
from cscdesk.store import open_store
from cscdesk.sync.storage import SyncStorage

AGENT_PW, ADMIN_PW, AUDITOR_PW = "Agent-2026-xyz", "Admin-2026-xyz", "Audit-2026-xyz"
NOTICE = ("--content", "已受理，15日内答复", "--method", "phone")


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id at test-sized cost (production keeps the defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


def cli(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "complaint", *args],
                              input=stdin)  # fmt: skip


@pytest.fixture
def archive(data_dir: Path) -> Path:
    """One insured person with two recorded calls in the archive."""
    store = open_store(data_dir / "cscdesk.db")
    store.employers.put_many([Employer("e1", "示例公司")])
    store.insurers.put_many([Insurer("ins-a", "甲保险")])
    store.members.add_many([
        Member("m1", "张三", IdType.RESIDENT_ID, "110101199001011234", date(1990, 1, 1), Sex.MALE,
               "13800000001", "e1"),
    ])  # fmt: skip
    store.calls.upsert_many([
        Call(f"c{n}", CallDirection.INBOUND, "13800000001", "400",
             datetime(2026, 2, n, 2, tzinfo=UTC), CallOutcome.ANSWERED, member_id="m1",
             recorded=True)
        for n in (10, 11)
    ])  # fmt: skip
    storage = SyncStorage(store)
    for n in (10, 11):
        storage.recording_stored(Recording(f"c{n}", f"{n:064d}", 10, "audio/wav",
                                           datetime(2026, 2, n, 3, tzinfo=UTC), date(2031, 2, n)))  # fmt: skip
    store.close()
    return data_dir


def _open(data_dir: Path, *extra: str, stdin: str = "") -> Result:
    return cli(data_dir, "open", "CP1", "--received", "2026-02-12 10:00", "--channel", "12378",
               "--category", "claims", "--member", "m1", "--insurer", "ins-a", *extra,
               stdin=stdin)  # fmt: skip


def _trail(data_dir: Path) -> list[tuple[str, str, str]]:
    store = open_store(data_dir / "cscdesk.db")
    try:
        return [(e.actor, e.action, e.outcome) for e in store.audit.list()]
    finally:
        store.close()


def _held(data_dir: Path) -> set[str]:
    store = open_store(data_dir / "cscdesk.db")
    try:
        return {r.contact_id for r in SyncStorage(store).recordings() if r.legal_hold}
    finally:
        store.close()


def test_opening_a_complaint_puts_the_callers_recordings_on_hold(archive: Path) -> None:
    result = _open(archive)
    assert result.exit_code == 0, result.output
    assert "complaint CP1: received (claims, via 12378, received 2026-02-12 10:00)" in result.output
    assert "decision due 2026-02-27 (15 days)" in result.output
    assert "recordings put on hold: 2" in result.output
    assert _held(archive) == {"c10", "c11"}
    again = _open(archive)
    assert again.exit_code == 2 and "already recorded" in again.output
    assert "Traceback" not in again.output


def test_every_step_prints_the_due_dates_after_it(archive: Path) -> None:
    assert _open(archive).exit_code == 0
    ack = cli(archive, "acknowledge", "CP1", *NOTICE, "--at", "2026-02-12 15:00")
    assert ack.exit_code == 0, ack.output
    assert "CP1: acknowledged" in ack.output and "decision due 2026-02-27" in ack.output

    # 15 → 30 days: 12 Feb + 30 = Sat 14 Mar → Mon 16 Mar (民法典 §203)
    first = cli(
        archive, "extend", "CP1", "--reason", "需调取医院病历", *NOTICE, "--at", "2026-02-20"
    )
    assert first.exit_code == 0, first.output
    assert "decision due 2026-03-16 (30 days)" in first.output
    assert "moved to the next working day 2026-03-16" in first.output
    # 30 → 60 only with the approving senior manager
    refused = cli(
        archive, "extend", "CP1", "--reason", "需第三方鉴定", *NOTICE, "--at", "2026-03-01"
    )
    assert refused.exit_code == 2
    assert (
        "complaint CP1: extending to 60 days needs the approving senior manager" in refused.output
    )
    second = cli(archive, "extend", "CP1", "--reason", "需第三方鉴定", "--approver", "刘总",
                 *NOTICE, "--at", "2026-03-01")  # fmt: skip
    assert second.exit_code == 0, second.output
    assert "decision due 2026-04-13 (60 days)" in second.output

    # appraisal 2 Mar – 12 Mar: 10 days do not count, 12 Feb + 70 = 23 Apr
    paused = cli(archive, "pause", "CP1", "--what", "伤残鉴定", *NOTICE, "--at", "2026-03-02")
    assert paused.exit_code == 0 and "CP1: appraisal" in paused.output
    resumed = cli(archive, "resume", "CP1", "--at", "2026-03-12")
    assert resumed.exit_code == 0, resumed.output
    assert "decision due 2026-04-23 (60 days, 10 days paused for appraisal)" in resumed.output

    decided = cli(archive, "decide", "CP1", "--content", "维持理赔结论", "--method", "letter",
                  "--reasons", "条款第5条", "--remedies", "可申请核查或向监管投诉",
                  "--at", "2026-04-20")  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert "decision due 2026-04-23" in decided.output and "in time" in decided.output

    # 核查 on its own clock: 22 Apr + 30 = Fri 22 May
    review = cli(archive, "review", "request", "CP1", "--at", "2026-04-22")
    assert review.exit_code == 0, review.output
    assert "核查 due 2026-05-22 (30 days) — open" in review.output
    done = cli(archive, "review", "decide", "CP1", "--content", "核查维持", "--method", "letter",
               "--reasons", "复核无误", "--remedies", "可向监管部门反映", "--at", "2026-05-10")  # fmt: skip
    assert done.exit_code == 0 and "CP1: review_decided" in done.output

    shown = cli(archive, "show", "CP1")
    assert shown.exit_code == 0, shown.output
    steps = [line.split()[2] for line in shown.output.splitlines() if line.startswith("  2026-")]
    assert steps == ["open", "acknowledge", "extend", "extend", "pause", "resume", "decide",
                     "review_request", "review_decide"]  # fmt: skip
    as_json = json.loads(cli(archive, "show", "CP1", "--json").output)
    assert [(d["clock"], d["due"], d["breached"]) for d in as_json["due"]] == [
        ("decision", "2026-04-23", False),
        ("核查", "2026-05-22", False),
    ]
    actions = [a for _actor, a, _outcome in _trail(archive) if a.startswith("complaint.")]
    assert actions[:3] == ["complaint.open", "complaint.acknowledge", "complaint.extend"]
    assert "complaint.view" in actions


def test_a_refused_step_changes_nothing_and_says_why(archive: Path) -> None:
    assert _open(archive).exit_code == 0
    early = cli(archive, "review", "request", "CP1")
    assert early.exit_code == 2
    assert "complaint CP1: 核查 can be asked for only after a decision" in early.output
    late = cli(archive, "extend", "CP1", "--reason", "复杂", *NOTICE, "--at", "2026-03-01")
    assert late.exit_code == 2 and "an extension cannot cure a breach" in late.output
    missing = cli(archive, "show", "CP404")
    assert missing.exit_code == 2 and "no complaint 'CP404'" in missing.output
    bad_time = cli(archive, "withdraw", "CP1", "--reason", "电话撤诉", "--at", "yesterday")
    assert bad_time.exit_code == 2 and "--at 'yesterday' is not a date or time" in bad_time.output
    assert json.loads(cli(archive, "show", "CP1", "--json").output)["state"] == "received"
    assert ("demo.operator", "complaint.extend", "failure") in _trail(archive)


def test_withdrawal_after_a_review_request_stops_the_clocks(archive: Path) -> None:
    assert _open(archive).exit_code == 0
    cli(archive, "decide", "CP1", "--content", "维持", "--method", "letter", "--reasons", "条款",
        "--remedies", "可申请核查", "--at", "2026-02-20")  # fmt: skip
    cli(archive, "review", "request", "CP1", "--at", "2026-02-25")
    gone = cli(archive, "withdraw", "CP1", "--reason", "客户来电撤诉", "--at", "2026-03-01")
    assert gone.exit_code == 0, gone.output
    assert "CP1: withdrawn" in gone.output and "— withdrawn" in gone.output
    assert "BREACHED" not in gone.output


def test_with_named_accounts_a_step_needs_a_login_with_the_permission(archive: Path) -> None:
    run = CliRunner().invoke
    base = ["--data-dir", str(archive), "users", "add"]
    assert run(main, [*base, "wang.admin", "--name", "王", "--role", "admin"],
               input=f"{ADMIN_PW}\n").exit_code == 0  # fmt: skip
    for user_id, role, password in (("li.agent", "agent", AGENT_PW),
                                    ("zhao.audit", "auditor", AUDITOR_PW)):  # fmt: skip
        added = run(main, [*base, user_id, "--name", user_id, "--role", role,
                           "--as-user", "wang.admin"], input=f"{ADMIN_PW}\n{password}\n")  # fmt: skip
        assert added.exit_code == 0, added.output

    nobody = _open(archive)
    assert nobody.exit_code == 1 and "refused: name yourself with --as-user" in nobody.output
    auditor = _open(archive, "--as-user", "zhao.audit", stdin=f"{AUDITOR_PW}\n")
    assert auditor.exit_code == 1 and "may not" in auditor.output
    assert _held(archive) == set()
    agent = _open(archive, "--as-user", "li.agent", stdin=f"{AGENT_PW}\n")
    assert agent.exit_code == 0, agent.output
    assert ("li.agent", "complaint.open", "success") in _trail(archive)
    assert _held(archive) == {"c10", "c11"}
