"""Complaint records in a real store and `cscdesk report complaints` by category and channel."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.domain.complaints import (
    Notice,
    acknowledge,
    decide,
    extend,
    new_complaint,
    request_review,
    withdraw,
)
from cscdesk.domain.sla import SlaPolicy
from cscdesk.store import open_store
from cscdesk.store.complaints import Complaints

SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=SH)


DECISION = Notice("补付 800 元", "letter", at(2, 20), reasons="核实属实", remedies="可申请核查")


@pytest.fixture
def archive(data_dir: Path) -> Path:
    store = open_store(data_dir / "cscdesk.db")
    repo = Complaints(store)
    a = new_complaint("CP1", received_at=at(2, 12), channel="12378", category="claims")
    repo.save(a, step="received", actor="u1", at=at(2, 12))
    a = acknowledge(a, Notice("已受理", "phone", at(2, 12)))
    repo.save(a, step="acknowledged", actor="u1", at=at(2, 12))
    a = extend(a, reason="多家医院", notice=Notice("延期至30日", "sms", at(2, 20)), approver=None,
               at=at(2, 20), policy=SlaPolicy())  # fmt: skip
    repo.save(decide(a, DECISION), step="decided", actor="u1", at=at(2, 20))
    # decided late: received 2 Feb, + 15 = 17 Feb (春节) → 24 Feb; decided 2 Mar
    late = new_complaint("CP2", received_at=at(2, 2), channel="hotline", category="claims")
    repo.save(decide(late, Notice("x", "letter", at(3, 2), "r", "m")), step="decided",
              actor="u1", at=at(3, 2))  # fmt: skip
    gone = new_complaint("CP3", received_at=at(2, 10), channel="regulator_transfer",
                         category="sales")  # fmt: skip
    repo.save(withdraw(gone, at=at(2, 11), reason="来电撤回"), step="withdrawn", actor="u1",
              at=at(2, 11))  # fmt: skip
    review = request_review(decide(new_complaint("CP4", received_at=at(2, 3), channel="12378",
                                                 category="claims"), DECISION), at=at(3, 1))  # fmt: skip
    repo.save(review, step="review_requested", actor="u1", at=at(3, 1))
    store.close()
    return data_dir


def test_complaint_round_trip_and_append_only_steps(archive: Path) -> None:
    store = open_store(archive / "cscdesk.db")
    repo = Complaints(store)
    cp1 = repo.get("CP1")
    assert cp1 is not None and cp1.decision == DECISION
    assert cp1.extensions[0].notice.method == "sms" and cp1.acknowledged is not None
    assert [s[2] for s in repo.steps("CP1")] == ["received", "acknowledged", "decided"]
    between = repo.received_between(
        datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert [c.id for c in between] == ["CP2", "CP4", "CP3", "CP1"]
    store.close()
    with (
        sqlite3.connect(archive / "cscdesk.db") as conn,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        conn.execute("DELETE FROM complaint_steps")


def test_report_by_category_and_channel(archive: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(archive), "report", "complaints",
                                       "--from", "2026-02-01", "--to", "2026-02-28",
                                       "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {(r["category"], r["channel"]): r for r in data["rows"]}
    assert rows[("claims", "12378")]["received"] == 2 and rows[("claims", "12378")]["review"] == 1
    assert rows[("claims", "hotline")]["breached"] == 1
    # CP1 decided in time (extended to 30 days); CP4's decision was in time but its 核查,
    # asked 1 Mar, was due 31 Mar and has no decision: breached on its own clock
    assert (rows[("claims", "12378")]["in_time"], rows[("claims", "12378")]["breached"]) == (1, 1)
    assert rows[("sales", "regulator_transfer")]["withdrawn"] == 1
    assert rows[("total", "")]["received"] == 4
    by_category = CliRunner().invoke(main, ["--data-dir", str(archive), "report", "complaints",
                                            "--from", "2026-02-01", "--to", "2026-02-28",
                                            "--by", "category"])  # fmt: skip
    assert by_category.exit_code == 0 and "claims" in by_category.stdout
    assert "民法典 §203" in by_category.stdout
