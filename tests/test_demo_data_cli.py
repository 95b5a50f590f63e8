"""`cscdesk demo-data` replaces a store, so it must never touch a real deployment's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from cscdesk.cli import main
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
