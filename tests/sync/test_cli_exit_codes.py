"""Exit codes cron and monitoring can act on, each produced by the situation it names:
3 when another process holds the lease, 4 when the archive lags past its alarm, 1 on failure,
2 on a config that does not load; the reason always on stderr."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from cscdesk.sync.worker import ARCHIVE_LEASE, TICKETS_LEASE

from .cli_env import aliyun_config, cli, hold, lagging_archive_sync


def test_sync_exits_3_when_another_process_holds_the_tickets_lease(data_dir: Path) -> None:
    hold(data_dir, TICKETS_LEASE)
    result = cli("--data-dir", str(data_dir), "sync")
    assert result.exit_code == 3, result.output
    assert "pid 4242 on desk-7.broker.lan" in result.stderr
    assert "nothing to do here" in result.stderr
    assert result.stdout == ""


def test_archive_sync_exits_3_when_another_process_holds_the_archive_lease(data_dir: Path) -> None:
    hold(data_dir, ARCHIVE_LEASE)
    result = cli("--data-dir", str(data_dir), "archive", "sync")
    assert result.exit_code == 3, result.output
    assert "pid 4242 on desk-7.broker.lan" in result.stderr
    assert "nothing to do here" in result.stderr
    assert result.stdout == ""


def test_archive_sync_exits_4_and_says_alarm_on_stderr_when_the_archive_lags(
    memory_keyring: Any, data_dir: Path, tmp_path: Path
) -> None:
    result, _config = lagging_archive_sync(memory_keyring, data_dir, tmp_path)
    assert result.exit_code == 4, result.output
    assert "ALARM: archive lags" in result.stderr
    assert "alarm after 1 day(s)" in result.stderr
    assert "ALARM" not in result.stdout
    assert "recordings stored" in result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sync_exits_1_with_the_reason_on_stderr_when_the_call_system_is_unreachable(
    memory_keyring: Any, data_dir: Path, tmp_path: Path
) -> None:
    memory_keyring.set_password("cscdesk", "ccc-id", "LTAI-unused-key-id")
    memory_keyring.set_password("cscdesk", "ccc-secret", "unused-secret")
    config = aliyun_config(tmp_path, f"127.0.0.1:{free_port()}")  # nobody listens there
    result = cli("--config", str(config), "--data-dir", str(data_dir), "sync")
    assert result.exit_code == 1, result.output
    assert "sync failed:" in result.stderr
    assert "Traceback" not in result.output


def test_a_config_that_does_not_load_exits_2(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[archive]\nlag_alarm_days = 0\n", encoding="utf-8")
    result = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "sync")
    assert result.exit_code == 2, result.output
    assert "lag_alarm_days" in result.stderr
