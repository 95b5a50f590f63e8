"""One process runs each background duty: a live holder keeps it, a dead one is replaced at once.

Found before: a one-shot ``cscdesk sync`` took the ticket lease from a running
``cscdesk sync --follow`` (its lease lapsed between rounds), and a killed daemon blocked every
other process for a whole lease ttl.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from .processes import UNBUFFERED, cscdesk


def start_daemon(data_dir: Path, *config: str) -> subprocess.Popen[str]:
    daemon = subprocess.Popen([*cscdesk(data_dir, *config), "sync", "--follow"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=UNBUFFERED)  # fmt: skip
    assert daemon.stdout is not None
    assert daemon.stdout.readline().startswith("pushed")  # its first round is done
    return daemon


def stop(daemon: subprocess.Popen[str]) -> None:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGINT)
    daemon.communicate(timeout=60)


def one_shot(data_dir: Path, *config: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cscdesk(data_dir, *config), "sync"], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_a_live_daemon_keeps_its_lease_between_rounds(tmp_path: Path) -> None:
    """A lease of 2 s and rounds every 6 s: the heartbeat holds it between rounds, and every
    one-shot sync in that time names the daemon instead of running beside it."""
    config = tmp_path / "cscdesk.toml"
    config.write_text("[sync]\nlease_seconds = 2.0\ninterval_seconds = 6.0\n", encoding="utf-8")
    data_dir = tmp_path / "data"
    daemon = start_daemon(data_dir, "--config", str(config))
    try:
        answers = []
        for _ in range(4):  # spread over more than three lease lifetimes
            answers.append(one_shot(data_dir, "--config", str(config)))
            time.sleep(1.5)
    finally:
        stop(daemon)
    for done in answers:
        assert done.returncode == 3, done.stderr  # 3: another process holds the lease
        assert "pushed" not in done.stdout  # it did not run a round beside the daemon
        assert f"ticket sync is running in pid {daemon.pid} on " in done.stderr


def test_a_killed_daemon_is_replaced_at_once(tmp_path: Path) -> None:
    """kill -9 leaves its lease row (30 s ttl); the next process sees the pid is gone."""
    data_dir = tmp_path / "data"
    daemon = start_daemon(data_dir)
    daemon.send_signal(signal.SIGKILL)
    daemon.communicate(timeout=30)
    done = one_shot(data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pushed"), done.stdout + done.stderr
