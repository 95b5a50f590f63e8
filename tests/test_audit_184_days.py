"""Audit logs kept at least 184 days: 网络安全法 §21 "留存相关的网络日志不少于六个月". Six calendar
months span up to 184 days (e.g. 1 Jul → 1 Jan), so 183 fell short (reference §1.5)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from cscdesk.config import SecuritySettings
from cscdesk.store import open_store


def test_six_months_can_be_184_days() -> None:
    assert (date(2027, 1, 1) - date(2026, 7, 1)).days == 184


def test_config_refuses_183_and_accepts_184() -> None:
    with pytest.raises(ValidationError, match="184"):
        SecuritySettings(audit_retention_days=183)
    assert SecuritySettings(audit_retention_days=184).audit_retention_days == 184


def test_the_database_keeps_a_record_183_and_a_half_days_old(tmp_path: Path) -> None:
    open_store(tmp_path / "a.db").close()
    old = (datetime.now(UTC) - timedelta(days=183, hours=12)).isoformat(timespec="microseconds")
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute(
            "INSERT INTO audit (at, actor, action, outcome, prev_hash, hash)"
            " VALUES (?, 'u', 'x', 'ok', '', 'h')",
            [old],
        )
        with pytest.raises(sqlite3.IntegrityError, match="at least 184 days"):
            conn.execute("DELETE FROM audit")
