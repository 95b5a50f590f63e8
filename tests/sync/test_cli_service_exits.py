"""The long-running commands as a service manager runs them: SIGTERM stops them like Ctrl-C
(exit 0, lease released), a missing secret or an unusable port is a config error (exit 2);
and ``archive status --json`` is what monitoring polls about the archive."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from cscdesk.store import open_store
from cscdesk.sync.worker import TICKETS_LEASE

from .cli_env import cli, lagging_archive_sync

ARCHIVE_STATUS_KEYS = {"lag_seconds", "alarm", "alarm_days", "cdr_watermark",
                       "oldest_pending_recording", "pending_recordings", "holder"}  # fmt: skip


def test_sync_follow_stops_on_sigterm_with_exit_0_and_releases_its_lease(data_dir: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir), "sync", "--follow",
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        first = child.stdout.readline()  # one JSON line per round: the first round is done
        assert json.loads(first)["ran"] is True, first
        store = open_store(data_dir / "cscdesk.db")
        assert store.leases.holder(TICKETS_LEASE) is not None
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
        assert store.leases.holder(TICKETS_LEASE) is None  # the next process need not wait
        store.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_events_serve_without_its_token_is_a_config_error(data_dir: Path) -> None:
    result = cli("--data-dir", str(data_dir), "events", "serve", "--port", "0")
    assert result.exit_code == 2, result.output
    assert "webhook token" in result.stderr and "Traceback" not in result.output


def test_events_serve_on_a_port_in_use_is_a_usage_error(
    memory_keyring: Any, data_dir: Path
) -> None:
    memory_keyring.set_password("cscdesk", "ccc-webhook-token", "t0ken-for-the-test")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("--data-dir", str(data_dir), "events", "serve", "--port", str(port))
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_archive_status_json_reports_the_lag_and_exits_4_past_the_alarm(
    memory_keyring: Any, data_dir: Path, tmp_path: Path
) -> None:
    synced, config = lagging_archive_sync(memory_keyring, data_dir, tmp_path)
    assert synced.exit_code == 4, synced.output
    result = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "status",
                 "--json")  # fmt: skip
    assert result.exit_code == 4, result.output
    [line] = result.stdout.splitlines()
    status = json.loads(line)
    assert set(status) == ARCHIVE_STATUS_KEYS
    assert status["alarm"] is True and status["alarm_days"] == 1
    assert status["lag_seconds"] > 86_400 and status["pending_recordings"] > 0
    assert status["cdr_watermark"] is not None and status["holder"] is None
    assert "ALARM: archive lags" in result.stderr
    text = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "status")
    assert text.exit_code == 4 and "recordings waiting" in text.stdout


def test_archive_status_without_a_store_exits_2(tmp_path: Path) -> None:
    result = cli("--data-dir", str(tmp_path / "nowhere"), "archive", "status", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no store at" in result.stderr


def test_a_sync_run_logs_its_start_and_its_round_in_the_day_file(data_dir: Path) -> None:
    """Every duty's round reaches the operations log (the rounds of desks and the daemon go
    through the same worker)."""
    done = subprocess.run(
        [sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir), "sync", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [log_file] = (data_dir / "logs").iterdir()
    text = log_file.read_text(encoding="utf-8")
    assert "cscdesk sync started" in text
    assert f"{TICKETS_LEASE}: round done in" in text
