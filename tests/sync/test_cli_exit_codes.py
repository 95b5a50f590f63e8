"""Exit codes cron and monitoring can act on, each produced by the situation it names:
3 when another process holds the lease, 4 when the archive lags past its alarm, 1 on failure,
2 on a config that does not load; the reason always on stderr."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.store import open_store
from cscdesk.sync.lease import Lease
from cscdesk.sync.worker import ARCHIVE_LEASE, TICKETS_LEASE

from .archive_env import start_archive_sim


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def hold(data_dir: Path, name: str) -> Lease:
    """Another desk's lease on the same store: a live heartbeat on another host."""
    store = open_store(data_dir / "cscdesk.db")
    lease = Lease(store, name, holder="desk-7.broker.lan:4242:abc123", ttl_seconds=600)
    assert lease.acquire()
    return lease


def aliyun_config(tmp_path: Path, endpoint: str, *, alarm_days: int = 3) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        f'[callcenter]\nmode = "aliyun"\nendpoint = "http://{endpoint}"\ninstance_id = "ccc-demo"\n'
        'access_key_id = "keyring:ccc-id"\naccess_key_secret = "keyring:ccc-secret"\n'
        f"timeout_seconds = 2\nmax_retries = 0\n[archive]\nlag_alarm_days = {alarm_days}\n",
        encoding="utf-8",
    )
    return config


def keys_for(keyring: Any, sim: Any) -> None:
    keyring.set_password("cscdesk", "ccc-id", sim.access_key_id)
    keyring.set_password("cscdesk", "ccc-secret", sim.access_key_secret)


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
    history = start_archive_sim()  # audio older than a day is in the vendor's cold archive
    try:
        keys_for(memory_keyring, history)
        config = aliyun_config(tmp_path, history.endpoint, alarm_days=1)
        result = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "sync")
    finally:
        history.stop()
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
