"""`cscdesk demo-data` replaces a store, so it must never touch a real deployment's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.domain.models import Employer
from cscdesk.store import open_store


def test_demo_data_refuses_a_deployment_config(tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "prod.toml"
    config.write_text('[callcenter]\nmode = "aliyun"\n', encoding="utf-8")
    store_file = data_dir / "cscdesk.db"
    store_file.write_bytes(b"precious")
    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "demo-data", "--members", "50"]
    )
    assert result.exit_code == 2
    assert "refuses to run on a deployment" in result.output
    assert store_file.read_bytes() == b"precious"


def test_demo_data_is_anchored_to_the_given_day(data_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["--data-dir", str(data_dir), "demo-data", "--members", "60", "--as-of", "2026-11-24"]
    )
    assert result.exit_code == 0, result.output
    store = open_store(data_dir / "cscdesk.db")
    try:
        everything = store.tickets.created_between(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        recent = store.tickets.created_between(
            datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
        )
    finally:
        store.close()
    assert everything
    assert recent == everything


# ------------------------------------------- demo-data replaces nothing but its own demo store
ADMIN_PW = "Admin-2026-xyz"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id at test-sized cost (production keeps the defaults)."""
    from argon2 import PasswordHasher

    from cscdesk.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


def cli(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=stdin)


def seed(data_dir: Path, members: int = 40) -> Result:
    return cli(data_dir, "demo-data", "--members", str(members), "--as-of", "2026-03-02")


def counts(data_dir: Path) -> tuple[int, int, int]:
    store = open_store(data_dir / "cscdesk.db")
    try:
        with store.reading() as db:
            members, users, audit = (
                int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                for t in ("members", "users", "audit")
            )
        return members, users, audit
    finally:
        store.close()


def test_a_demo_store_is_replaced(data_dir: Path) -> None:
    assert seed(data_dir, 40).exit_code == 0
    again = seed(data_dir, 60)
    assert again.exit_code == 0, again.output
    assert counts(data_dir)[0] == 60


def test_refuses_a_store_with_user_accounts_whatever_the_flags(data_dir: Path) -> None:
    assert seed(data_dir).exit_code == 0
    added = cli(data_dir, "users", "add", "wang.admin", "--name", "王管理", "--role", "admin",
                stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    before = counts(data_dir)
    for flags in ((), ("--members", "10", "--seed", "3")):
        result = cli(data_dir, "demo-data", *flags)
        assert result.exit_code == 2
        assert f"refuses to replace {data_dir / 'cscdesk.db'}" in result.output
        assert "1 user account(s)" in result.output
    assert counts(data_dir) == before


def test_refuses_a_demo_store_with_an_audit_log(data_dir: Path) -> None:
    assert seed(data_dir).exit_code == 0
    assert cli(data_dir, "archive", "purge", "--dry-run").exit_code == 0  # audited
    before = counts(data_dir)
    result = seed(data_dir)
    assert result.exit_code == 2 and "it holds an audit log" in result.output
    assert counts(data_dir) == before and before[2] > 0


def test_refuses_a_demo_store_with_data_the_seed_did_not_write(data_dir: Path) -> None:
    assert seed(data_dir).exit_code == 0
    store = open_store(data_dir / "cscdesk.db")
    store.employers.put_many([Employer("E-REAL-1", "真实投保单位有限公司")])
    store.close()
    result = seed(data_dir)
    assert result.exit_code == 2
    assert "data that the demo seed did not write (employers:" in result.output
    assert counts(data_dir)[0] == 40


def test_refuses_a_store_the_seed_never_made(data_dir: Path) -> None:
    store = open_store(data_dir / "cscdesk.db")
    store.employers.put_many([Employer("E-REAL-1", "真实投保单位有限公司")])
    store.close()
    result = seed(data_dir)
    assert result.exit_code == 2 and "employers: 1 rows" in result.output


def test_refuses_a_file_that_is_not_a_readable_store(data_dir: Path) -> None:
    store_file = data_dir / "cscdesk.db"
    store_file.write_bytes(b"precious, maybe encrypted" * 100)
    result = seed(data_dir)
    assert result.exit_code == 2 and "cannot be read" in result.output
    assert store_file.read_bytes() == b"precious, maybe encrypted" * 100
