"""``--json``: one object on stdout with the keys the README documents, the same exit codes,
messages on stderr; without the flag the text a person reads is unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cscdesk.store import open_store
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.worker import TICKETS_LEASE

from .cli_env import cli, hold, lagging_archive_sync

SYNC_KEYS = {"ran", "holder", "error", "pushed", "created", "adopted", "pulled", "merged",
             "conflicts", "failed", "deferred", "errors"}  # fmt: skip
ARCHIVE_KEYS = {"ran", "holder", "error", "alarm", "lag_seconds", "cdr_records", "cdr_windows",
                "recordings_stored", "recordings_restoring", "recordings_failed",
                "waiting_for_restore", "notes"}  # fmt: skip


def parsed(stdout: str) -> Any:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout  # one object, nothing else on stdout
    return json.loads(lines[0])


def test_doctor_json_lists_every_check_and_fails_like_the_text(data_dir: Path) -> None:
    result = cli("--data-dir", str(data_dir), "doctor", "--json")
    assert result.exit_code == 0, result.output
    report = parsed(result.stdout)
    assert set(report) == {"ok", "checks"} and report["ok"] is True
    assert all(set(c) == {"check", "status", "detail"} for c in report["checks"])
    assert {"config", "data dir", "store", "keyring"} <= {c["check"] for c in report["checks"]}

    (data_dir / "cscdesk.db").write_bytes(b"")
    (data_dir / "cscdesk.db").chmod(0o644)
    failing = cli("--data-dir", str(data_dir), "doctor", "--json")
    assert failing.exit_code == 1
    report = parsed(failing.stdout)
    assert report["ok"] is False
    store = next(c for c in report["checks"] if c["check"] == "store")
    assert store["status"] == "fail" and "must be 600" in store["detail"]


def test_sync_json_says_who_holds_the_lease_and_exits_3(data_dir: Path) -> None:
    hold(data_dir, TICKETS_LEASE)
    result = cli("--data-dir", str(data_dir), "sync", "--json")
    assert result.exit_code == 3
    report = parsed(result.stdout)
    assert set(report) == SYNC_KEYS
    assert report["ran"] is False and "pid 4242 on desk-7.broker.lan" in report["holder"]
    assert "nothing to do here" in result.stderr


def test_sync_json_reports_the_round(data_dir: Path) -> None:
    result = cli("--data-dir", str(data_dir), "sync", "--json")
    assert result.exit_code == 0, result.output
    report = parsed(result.stdout)
    assert set(report) == SYNC_KEYS
    assert report["ran"] is True and report["holder"] is None and report["error"] is None
    assert report["failed"] == 0 and report["errors"] == []
    assert report["pulled"] >= 0


def test_archive_sync_and_verify_json_from_a_lagging_archive(
    memory_keyring: Any, data_dir: Path, tmp_path: Path
) -> None:
    synced, config = lagging_archive_sync(memory_keyring, data_dir, tmp_path, "--json")
    assert synced.exit_code == 4, synced.output
    report = parsed(synced.stdout)
    assert set(report) == ARCHIVE_KEYS
    assert report["ran"] is True and report["alarm"] is True
    assert report["lag_seconds"] > 86_400
    assert report["recordings_stored"] > 0 and report["recordings_restoring"] > 0
    assert "ALARM: archive lags" in synced.stderr

    verified = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "verify",
                   "--json")  # fmt: skip
    assert verified.exit_code == 0, verified.output
    report = parsed(verified.stdout)
    assert report == {"ok": True, "checked": report["checked"], "missing": [], "corrupt": [],
                      "orphans": []}  # fmt: skip
    assert report["checked"] > 0

    victim = open_store(data_dir / "cscdesk.db").recordings.list()[0]
    BlobStore(data_dir / "recordings").path_for(victim.sha256).write_bytes(b"overwritten")
    broken = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "verify",
                 "--json")  # fmt: skip
    assert broken.exit_code == 1
    report = parsed(broken.stdout)
    assert report["ok"] is False and report["corrupt"] == [victim.contact_id]


ADMIN_PW = "Admin-2026-xyz"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id at test-sized cost (production keeps the defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


def test_users_list_json_names_each_account_without_password_material(data_dir: Path) -> None:
    from click.testing import CliRunner

    from cscdesk.cli import main

    def run(*args: str, stdin: str) -> Any:
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)

    added = run("users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = run("users", "list", "--as-user", "wang.admin", "--json", stdin=f"{ADMIN_PW}\n")
    assert listed.exit_code == 0, listed.output
    report = parsed(listed.stdout)
    assert report["users"] == [
        {"id": "wang.admin", "name": "王管理", "role": "admin", "insurer": None, "ccc_user": None,
         "state": "active", "password_changed_at": report["users"][0]["password_changed_at"]}
    ]  # fmt: skip
    assert ADMIN_PW not in listed.output and "argon2" not in listed.output

    refused = run("users", "list", "--json", stdin="")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "refused: name yourself with --as-user" in refused.stderr
