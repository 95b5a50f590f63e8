"""After seeding and a desk-like flow — sign-ins (one with a phone number typed as user id),
lookups by mobile and ID number, a cross-insurer gateway lookup, an audited reveal whose reason
quotes a number, a ticket with a note, an audit export — no member's full mobile or ID number
is in any table but members/claims/policies, in any log line, or in the export."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from cscdesk.config import KEYRING_SERVICE, GatewaySettings, Settings, resolve_secret
from cscdesk.demo.seed import seed_demo
from cscdesk.domain.access import Role, User
from cscdesk.domain.models import TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import add_note, new_ticket
from cscdesk.insurers.gateway import build_gateway
from cscdesk.insurers.port import LookupQuery
from cscdesk.insurers.sim import DEMO_SECRETS, demo_insurer_settings
from cscdesk.insurers.sim.profile import FaultProfile
from cscdesk.insurers.sim.runner import start_insurer_sims
from cscdesk.security import commands
from cscdesk.security.login import LoginFailed
from cscdesk.security.redact import install_log_redaction, redact
from cscdesk.security.reveal import RevealService
from cscdesk.security.scope import ScopedLookup
from cscdesk.store import Store, open_store
from cscdesk.tui.data import DeskData

PII_TABLES = {"members", "claims", "policies"}
PASSWORD = "Kefu-2026-xyz"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "cscdesk.db")
    seed_demo(opened, members=40, seed=7)
    yield opened
    opened.close()


def _personal_numbers(store: Store) -> set[str]:
    with store.reading() as db:
        rows = db.execute("SELECT mobile, id_number FROM members").fetchall()
    return {value for row in rows for value in row if value}


def _leaks(text: str, numbers: set[str]) -> list[str]:
    return sorted(n for n in numbers if n in text)


def _table_leaks(store: Store, numbers: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with store.reading() as db:
        for table in db.table_names():
            if table in PII_TABLES or table.startswith("members_fts"):
                continue
            text = "\n".join(
                " ".join(map(str, row)) for row in db.execute(f"SELECT * FROM [{table}]")
            )
            if leaks := _leaks(text, numbers):
                found[table] = leaks
    return found


async def _desk_flow(store: Store, tmp_path: Path, export: Path) -> None:
    now = datetime.now(UTC)
    settings = Settings()
    security = commands.build_security(store, settings, lambda: now)
    admin = User("wang.admin", "王管理", Role.ADMIN)
    agent = User("li.agent", "李客服", Role.AGENT, ccc_user_id="agent-001")
    auditor = User("chen.audit", "陈审计", Role.AUDITOR)
    security.directory.bootstrap_admin(admin, PASSWORD)
    security.directory.add(admin, agent, PASSWORD)
    security.directory.add(admin, auditor, PASSWORD)

    data = DeskData(store)
    member = next(m for m in store.members.search("", limit=50) if m.mobile)
    with pytest.raises(LoginFailed):
        security.login.login(member.mobile or "", PASSWORD)  # a phone typed as the user id
    user = security.login.login(agent.id, PASSWORD).user

    assert [h.member.id for h in data.search(member.mobile or "").hits][:1] == [member.id]
    assert member.id in [h.member.id for h in data.search(member.id_number).hits]
    data.audit(user.id, "lookup", "member", member.id, "success", {"query": member.mobile})
    profile = data.profile(member.id)

    reveals = RevealService(security.audit, timedelta(seconds=30), lambda: now)
    reveals.reveal(user, target_type="member", target_id=member.id, field="mobile",
                   reason=f"客户来电要求核对 {member.mobile}")  # fmt: skip

    for name, value in DEMO_SECRETS.items():
        keyring.set_password(KEYRING_SERVICE, name, value)
    quiet = {i: FaultProfile(latency_ms=(1, 3)) for i in ("ruian", "jiahe", "huaying")}
    sims = start_insurer_sims(store.path, seed=7, profiles=quiet, batch_dir=tmp_path / "extracts")
    try:
        gateway = build_gateway(demo_insurer_settings(sims), GatewaySettings(), store,
                                secrets=lambda ref, what: resolve_secret(ref, what=what))  # fmt: skip
        lookup = ScopedLookup(gateway, user)
        query = LookupQuery(id_number=member.id_number, mobile=member.mobile,
                            member_ids=(member.id,))  # fmt: skip
        results = [r async for r in lookup.lookup(query)]
        assert results
        await gateway.aclose()
    finally:
        sims.stop()

    ticket, event = new_ticket(
        ticket_id=data.new_ticket_id(), type=TicketType.CLAIM_ASSIST, title="理赔进度查询",
        created_at=now, created_by=user.id, sla=SlaPolicy(), member_id=member.id,
        description="客户询问门诊理赔进度", owner=user.id,
    )  # fmt: skip
    data.save_new(ticket, event)
    noted = add_note(ticket, "已告知客户材料齐全，等待审核", at=now, actor=user.id)
    data.save_changes(ticket, [noted])
    assert profile.member.id == member.id

    status = commands.audit_export(store, security, as_user=auditor.id, target=export,
                                   start=None, end=None, ask=lambda _: PASSWORD,
                                   write=lambda _: None)  # fmt: skip
    assert status == commands.OK


async def test_no_full_mobile_or_id_number_outside_the_personal_data_tables(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    numbers = _personal_numbers(store)
    assert len(numbers) > 40  # mobiles and ID numbers of the seeded members
    export = tmp_path / "audit.jsonl"
    install_log_redaction()  # as the composition root (cli.main, wiring) does
    with caplog.at_level(logging.DEBUG):
        await _desk_flow(store, tmp_path, export)
    assert _table_leaks(store, numbers) == {}
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    leaking = [
        f"{r.name}: {r.getMessage()[:300]}"
        for r in caplog.records
        if _leaks(r.getMessage(), numbers)
    ]
    assert _leaks(logged, numbers) == [], leaking
    assert _leaks(export.read_text(encoding="utf-8"), numbers) == []
    with store.reading() as db:
        actions = {row[0] for row in db.execute("SELECT action FROM audit")}
    assert {"login", "reveal", "lookup", "audit_export", "user_add"} <= actions


def test_redaction_masks_numbers_in_any_log_message(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info("GET /search?idNo=%s&mobile=%s", "110105199003071238",
                                        "+86 13812345678")  # fmt: skip
    (record,) = caplog.records
    assert record.getMessage() == "GET /search?idNo=110105********1238&mobile=138****5678"
    assert redact("order 20260302123456789012") == "order 20260302123456789012"  # not an ID


def test_every_cli_command_installs_the_redaction() -> None:
    from click.testing import CliRunner

    from cscdesk.cli import main

    logging.setLogRecordFactory(logging.LogRecord)
    CliRunner().invoke(main, ["secrets", "delete", "nothing-here"])
    assert getattr(logging.getLogRecordFactory(), "cscdesk_redacting", False)


def test_desk_lookups_record_views_and_ticket_changes_are_audited(store: Store) -> None:
    now = datetime.now(UTC)
    data = DeskData(store, actor=lambda: "agent-001")
    member = next(m for m in store.members.search("", limit=50) if m.mobile)
    data.search(member.mobile or "")
    data.profile(member.id)
    ticket, event = new_ticket(ticket_id=data.new_ticket_id(), type=TicketType.ENQUIRY,
                               title="咨询", created_at=now, created_by="agent-001",
                               sla=SlaPolicy(), member_id=member.id)  # fmt: skip
    data.save_new(ticket, event)
    data.save_changes(ticket, [add_note(ticket, "已回复", at=now, actor="agent-001")])
    entries = [e for e in store.audit.list() if e.actor == "agent-001"]
    assert [(e.action, e.target_type) for e in entries] == [
        ("search", "member"),
        ("view_record", "member"),
        ("ticket_change", "ticket"),
        ("ticket_change", "ticket"),
    ]
    assert entries[0].detail == {"kind": "mobile", "found": 1}
    assert entries[1].target_id == member.id
