"""A center on one store: long-lived writers beside short commands never lose a committed write.

Processes at once, as on a real host: a desk that keeps the store open all shift and writes from
fresh worker threads, the real ticket-sync daemon (``cscdesk sync --follow``), one-shot ``cscdesk``
commands (doctor, roster import, one-shot sync, report) started one after another, and a plain
``sqlite3`` reader. Before the fix (the store's file opened and closed beside live connections,
dropping their POSIX locks) the long writers ended up writing into a deleted WAL: rows vanished
and ``integrity_check`` failed.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .processes import UNBUFFERED, PlainReader, cscdesk, deleted_files, roster_file

HERE = Path(__file__).parent


@pytest.fixture
def center_store(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    data_dir = tmp_path / "data"
    subprocess.run(cscdesk(data_dir, "demo-data", "--members", "60"), check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    store = data_dir / "cscdesk.db"
    with contextlib.closing(sqlite3.connect(store)) as conn:  # closed: no lock kept by the test
        (policy_no,) = conn.execute(
            "SELECT policy_no FROM policies WHERE employer_id = 'G1' LIMIT 1"
        ).fetchone()
    yield data_dir, store, policy_no


def run_short_commands(
    data_dir: Path, policy_no: str, tmp_path: Path
) -> list[tuple[str, int, str]]:
    """Doctor, roster import, one-shot sync and a report, three rounds, one after another."""
    outcomes = []
    for round_no in range(3):
        roster = roster_file(tmp_path / f"roster{round_no}.csv", round_no)
        for args in (
            ("doctor",),
            ("import", "roster", str(roster), "--employer", "G1", "--policy", policy_no),
            ("sync",),
            ("report", "indicators", "--from", "2026-01-01", "--to", "2026-12-31"),
        ):
            done = subprocess.run(cscdesk(data_dir, *args), capture_output=True, text=True,
                                  timeout=120)  # fmt: skip
            outcomes.append((args[0], done.returncode, done.stderr[-400:]))
    return outcomes


def check_store(store: Path, outcomes: list[tuple[str, int, str]]) -> sqlite3.Connection:
    for name, code, err in outcomes:
        assert "Traceback" not in err, (name, err)
        if name in (
            "import",
            "report",
        ):  # doctor may warn about the demo; sync may find the lease held
            assert code == 0, (name, err)
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    imported = conn.execute("SELECT count(*) FROM members WHERE employee_no LIKE 'R%'").fetchone()
    assert imported[0] == 9  # three rounds of three people: no short command's write lost
    return conn


def test_sync_daemon_beside_short_commands_loses_nothing(
    center_store: tuple[Path, Path, str], tmp_path: Path
) -> None:
    data_dir, store, policy_no = center_store
    daemon = subprocess.Popen(cscdesk(data_dir, "sync", "--follow"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=UNBUFFERED)  # fmt: skip
    reader = PlainReader(store)
    reader.start()
    try:
        assert daemon.stdout is not None
        assert daemon.stdout.readline().startswith("pushed")  # its first round is done
        outcomes = run_short_commands(data_dir, policy_no, tmp_path)
        lost_wal = deleted_files(daemon.pid)
    finally:
        daemon.send_signal(signal.SIGINT)
        _out, daemon_err = daemon.communicate(timeout=60)
        reader.stop.set()
        reader.join()

    assert lost_wal == []
    assert "Traceback" not in daemon_err
    assert reader.errors == [] and reader.reads > 10
    with contextlib.closing(check_store(store, outcomes)) as conn:
        # the daemon's last write (releasing its lease on exit) reached the shared file
        assert conn.execute("SELECT holder FROM leases").fetchall() == []


def test_desk_beside_short_commands_loses_nothing(
    center_store: tuple[Path, Path, str], tmp_path: Path
) -> None:
    data_dir, store, policy_no = center_store
    stop_file = tmp_path / "stop"
    desk = subprocess.Popen(
        [sys.executable, str(HERE / "desk_writer.py"), str(store), str(stop_file), "5000"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    reader = PlainReader(store)
    reader.start()
    try:
        assert desk.stdout is not None
        assert desk.stdout.readline().strip() == "ready"
        outcomes = run_short_commands(data_dir, policy_no, tmp_path)
        lost_wal = deleted_files(desk.pid)
    finally:
        stop_file.touch()
        desk_out, _ = desk.communicate(timeout=60)
        reader.stop.set()
        reader.join()

    assert lost_wal == []
    assert desk.returncode == 0, desk_out[-800:]
    committed = [line.split()[1] for line in desk_out.splitlines() if line.startswith("committed")]
    assert len(committed) > 50  # the desk really wrote all along
    assert reader.errors == [] and reader.reads > 10
    with contextlib.closing(check_store(store, outcomes)) as conn:
        saved = {
            row[0] for row in conn.execute("SELECT id FROM tickets WHERE id LIKE 'T-TORTURE-%'")
        }
    assert set(committed) <= saved, f"{len(set(committed) - saved)} committed tickets lost"
