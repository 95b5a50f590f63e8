"""Reports read an encrypted store (SQLCipher) read-only with its key (review finding: the
read-only open took it for a damaged file and told the operator to restore it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.config import KEYRING_SERVICE, Settings, resolve_paths
from cscdesk.security.commands import open_secure_store


def test_a_report_reads_an_encrypted_store_without_calling_it_damaged(
    tmp_path: Path, memory_keyring: Any
) -> None:
    keyring.set_password(KEYRING_SERVICE, "store-key", "k" * 64)
    config = tmp_path / "cscdesk.toml"
    config.write_text('[store]\nencryption_key = "keyring:store-key"\n', encoding="utf-8")
    data_dir = tmp_path / "data"
    settings = Settings.model_validate({"store": {"encryption_key": "keyring:store-key"}})
    open_secure_store(settings, resolve_paths(None, data_dir)).close()  # the encrypted store

    result = CliRunner().invoke(main, ["--config", str(config), "--data-dir", str(data_dir),
                                       "report", "indicators", "--from", "2026-01-01",
                                       "--to", "2026-01-31"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "damaged" not in result.output and "not a SQLite database" not in result.output


def test_doctor_checks_an_encrypted_store_with_its_key(tmp_path: Path, memory_keyring: Any) -> None:
    keyring.set_password(KEYRING_SERVICE, "store-key", "k" * 64)
    config = tmp_path / "cscdesk.toml"
    config.write_text('[store]\nencryption_key = "keyring:store-key"\n', encoding="utf-8")
    data_dir = tmp_path / "data"
    settings = Settings.model_validate({"store": {"encryption_key": "keyring:store-key"}})
    open_secure_store(settings, resolve_paths(None, data_dir)).close()

    result = CliRunner().invoke(main, ["--config", str(config), "--data-dir", str(data_dir),
                                       "doctor"])  # fmt: skip
    store_line = next(line for line in result.output.splitlines() if " store " in line)
    assert store_line.startswith("✓"), result.output
    assert "damaged" not in result.output
