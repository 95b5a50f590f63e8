"""The archive commands as an operator runs them, on the embedded demo's simulator."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.store import open_store
from cscdesk.sync.blobstore import BlobStore

from .archive_env import start_archive_sim
from .cli_env import aliyun_config, keys_for


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_archive_sync_on_the_embedded_demo_copies_its_history(tmp_path: Path) -> None:
    """No call system configured and no demo center running: the command's own simulator
    (what it holds depends on the hour: its night is quiet, so no count is asserted)."""
    code, out = run("--data-dir", str(tmp_path / "site"), "archive", "sync")
    assert code == 0 and "recordings stored" in out and "in 15 window(s)" in out


def test_sync_verify_export_import_and_purge_from_the_command_line(
    memory_keyring: Any, tmp_path: Path
) -> None:
    """On a call system with a known history at any hour of the day (the demo's own night
    has no calls, so a test on it would pass or fail by the clock)."""
    site, other = tmp_path / "site", tmp_path / "other"
    history = start_archive_sim()
    try:
        keys_for(memory_keyring, history)
        config = aliyun_config(tmp_path, history.endpoint)
        code, out = run("--config", str(config), "--data-dir", str(site), "archive", "sync")
    finally:
        history.stop()
    assert code == 0 and "recordings stored" in out
    code, out = run("--data-dir", str(site), "archive", "verify")
    assert code == 0 and "0 missing, 0 corrupt" in out
    code, out = run("--data-dir", str(site), "archive", "purge", "--dry-run")
    assert code == 0 and "0 past keep-until" in out  # everything is days old, kept 5 years
    code, out = run("--data-dir", str(site), "archive", "export", str(tmp_path / "bundle"))
    assert code == 0 and "personal data is only in members.jsonl" in out
    code, out = run("--data-dir", str(other), "archive", "import", str(tmp_path / "bundle"))
    assert code == 0 and "imported" in out
    code, out = run("--data-dir", str(other), "archive", "import", str(tmp_path / "bundle"))
    assert code == 1 and "import needs an empty store" in out
    victim = open_store(other / "cscdesk.db").recordings.list()[0]
    BlobStore(other / "recordings").path_for(victim.sha256).write_bytes(b"overwritten")
    code, out = run("--data-dir", str(other), "archive", "verify")
    assert code == 1 and f"corrupt  {victim.contact_id}" in out


# --------------------------------------------------------------- who may export, import, purge
ADMIN_PW = "Admin-2026-xyz"
AUDITOR_PW = "Audit-2026-xyz"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id at test-sized cost (production keeps the defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


def cli(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)


@pytest.fixture
def staffed(data_dir: Path) -> Path:
    """A store with named accounts: an admin and an auditor (who may not touch the archive)."""
    first = cli(data_dir, "users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert first.exit_code == 0, first.output
    added = cli(data_dir, "users", "add", "chen.audit", "--name", "陈审计", "--role", "auditor",
                "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n{AUDITOR_PW}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    return data_dir


def audit_trail(data_dir: Path) -> list[tuple[str, str, str]]:
    store = open_store(data_dir / "cscdesk.db")
    try:
        return [(e.actor, e.action, e.outcome) for e in store.audit.list()]
    finally:
        store.close()


def test_export_and_purge_refuse_without_a_login_once_the_store_has_accounts(
    staffed: Path, tmp_path: Path
) -> None:
    before = audit_trail(staffed)
    export = cli(staffed, "archive", "export", str(tmp_path / "bundle"))
    assert export.exit_code == 1
    assert "refused: name yourself with --as-user" in export.output
    assert not (tmp_path / "bundle").exists()
    purge = cli(staffed, "archive", "purge")
    assert purge.exit_code == 1 and "refused" in purge.output
    wrong = cli(staffed, "archive", "export", str(tmp_path / "bundle"), "--as-user", "wang.admin",
                stdin="Guess-2026-xyz\n")  # fmt: skip
    assert wrong.exit_code == 1 and "wrong user id or password" in wrong.output
    assert not (tmp_path / "bundle").exists()
    assert not [a for a in audit_trail(staffed)[len(before) :] if a[1].startswith("archive_")]


def test_a_role_without_the_permission_is_refused_and_the_refusal_audited(
    staffed: Path, tmp_path: Path
) -> None:
    for args in (("export", str(tmp_path / "bundle")), ("purge", "--dry-run")):
        result = cli(staffed, "archive", *args, "--as-user", "chen.audit",
                     stdin=f"{AUDITOR_PW}\n")  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "chen.audit (auditor) may not" in result.output
    assert not (tmp_path / "bundle").exists()
    denied = [a for a in audit_trail(staffed) if a[1] == "access_denied"]
    assert denied == [("chen.audit", "access_denied", "failure")] * 2


def test_the_signed_in_admin_exports_and_purges_and_the_audit_log_names_them(
    staffed: Path, tmp_path: Path
) -> None:
    export = cli(staffed, "archive", "export", str(tmp_path / "bundle"), "--as-user", "wang.admin",
                 stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert export.exit_code == 0, export.output
    assert (tmp_path / "bundle" / "manifest.json").is_file()
    purge = cli(staffed, "archive", "purge", "--as-user", "wang.admin", stdin=f"{ADMIN_PW}\n")
    assert purge.exit_code == 0, purge.output
    trail = audit_trail(staffed)
    assert ("wang.admin", "archive_export", "success") in trail
    assert ("wang.admin", "archive_purge", "success") in trail
    assert not [a for a in trail if a[0] == "demo.operator"]


def test_the_actor_can_no_longer_be_typed(staffed: Path) -> None:
    result = cli(staffed, "archive", "purge", "--actor", "wang.admin")
    assert result.exit_code == 2 and "No such option '--actor'" in result.output


def test_a_deployment_needs_a_login_even_before_the_first_account(
    tmp_path: Path, data_dir: Path
) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[desk]\nbell = false\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "archive", "purge"]
    )
    assert result.exit_code == 1 and "refused: name yourself with --as-user" in result.output
    assert not [a for a in audit_trail(data_dir) if a[1] == "archive_purge"]


def test_the_demo_without_accounts_runs_as_the_demo_operator_and_is_audited(
    data_dir: Path, tmp_path: Path
) -> None:
    purge = cli(data_dir, "archive", "purge", "--dry-run")
    assert purge.exit_code == 0, purge.output
    export = cli(data_dir, "archive", "export", str(tmp_path / "bundle"))
    assert export.exit_code == 0, export.output
    trail = audit_trail(data_dir)
    assert ("demo.operator", "archive_purge", "success") in trail
    assert ("demo.operator", "archive_export", "success") in trail


def test_import_signs_in_with_an_account_the_bundle_brings(staffed: Path, tmp_path: Path) -> None:
    bundle, target = tmp_path / "bundle", tmp_path / "restored"
    export = cli(staffed, "archive", "export", str(bundle), "--as-user", "wang.admin",
                 stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert export.exit_code == 0, export.output

    anonymous = cli(target, "archive", "import", str(bundle))
    assert anonymous.exit_code == 1
    assert "refused: name yourself with --as-user" in anonymous.output
    auditor = cli(target, "archive", "import", str(bundle), "--as-user", "chen.audit",
                  stdin=f"{AUDITOR_PW}\n")  # fmt: skip
    assert (
        auditor.exit_code == 1 and "chen.audit (auditor) may not import archive" in auditor.output
    )
    assert audit_trail(target) == []  # refused: nothing kept, the store is still empty
    assert not list((target / "recordings").glob("??/??/*"))

    admin = cli(target, "archive", "import", str(bundle), "--as-user", "wang.admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert admin.exit_code == 0, admin.output
    assert audit_trail(target)[-1] == ("wang.admin", "archive_import", "success")


def test_the_data_dir_is_created_owner_only(tmp_path: Path) -> None:
    """Recording folders and files: tests/sync/test_blobstore.py (0700 / 0600 under umask 022)."""
    site = tmp_path / "new" / "site"
    previous = os.umask(0o022)
    try:
        code, out = run("--data-dir", str(site), "archive", "verify")
    finally:
        os.umask(previous)
    assert code == 0, out
    modes = {oct(stat.S_IMODE(os.stat(f).st_mode)) for f in (tmp_path / "new", site)}
    assert modes == {"0o700"}
