"""When the store cannot be used, every command says so in one line and exits non-zero.

Real faults, not patched functions: a truncated file, a store deleted under a running daemon,
a disk that fills up and a read-only folder (tmpfs mounts in a private mount namespace, so
nothing leaks onto the host; the development and CI machines run the tests as root).
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .processes import UNBUFFERED, cscdesk, roster_file


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A demo store (60 members) to copy, and a group policy number for roster imports."""
    data_dir = tmp_path_factory.mktemp("seeded") / "data"
    subprocess.run(cscdesk(data_dir, "demo-data", "--members", "60"), check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    with contextlib.closing(sqlite3.connect(data_dir / "cscdesk.db")) as conn:
        (policy,) = conn.execute(
            "SELECT policy_no FROM policies WHERE employer_id = 'G1' LIMIT 1"
        ).fetchone()
    yield data_dir / "cscdesk.db", policy


def copy_store(seeded_store: Path, data_dir: Path) -> Path:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = data_dir / "cscdesk.db"
    with (
        contextlib.closing(sqlite3.connect(seeded_store)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    target.chmod(0o600)
    return target


def one_clear_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Non-zero exit, no traceback, and the message names what is wrong."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def test_a_truncated_store_is_named_with_what_to_do(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    seeded_store, policy = seeded
    data_dir = tmp_path / "data"
    store = copy_store(seeded_store, data_dir)
    with store.open("r+b") as handle:
        handle.truncate(3000)  # a copy cut short (an interrupted transfer)
    roster = roster_file(tmp_path / "r.csv", 1)
    for args in (
        ("import", "roster", str(roster), "--employer", "G1", "--policy", policy),
        ("sync",),
        ("report", "indicators", "--from", "2026-01-01", "--to", "2026-01-31"),
    ):
        done = subprocess.run(cscdesk(data_dir, *args), capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        line = one_clear_line(done, str(store))
        assert "damaged" in line or "not a SQLite database" in line, line
        assert "restore" in line


def test_a_store_deleted_under_the_sync_daemon_stops_it(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    """Before: the daemon carried on against the deleted inode and printed success."""
    data_dir = tmp_path / "data"
    store = copy_store(seeded[0], data_dir)
    daemon = subprocess.Popen(cscdesk(data_dir, "sync", "--follow"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=UNBUFFERED)  # fmt: skip
    try:
        assert daemon.stdout is not None
        assert daemon.stdout.readline().startswith("pushed")  # a first round done
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        out, err = daemon.communicate(timeout=60)  # it stops by itself at its next round
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGINT)
            daemon.communicate(timeout=30)
    done = subprocess.CompletedProcess(daemon.args, daemon.returncode, out, err)
    one_clear_line(done, str(store), "deleted while this process had it open")


def in_private_mount(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in its own mount namespace: its tmpfs mounts vanish with it."""
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def test_a_full_disk_is_named_and_nothing_half_written(tmp_path: Path) -> None:
    """demo-data on a 600 KiB disk: it fills up; the command says so, in one line."""
    assert shutil.which("unshare")
    data_dir = tmp_path / "small"
    data_dir.mkdir()
    command = shlex.join(cscdesk(data_dir, "demo-data", "--members", "3000"))
    done = in_private_mount(f"mount -t tmpfs -o size=600k tmpfs {data_dir} && {command}")
    one_clear_line(done, str(data_dir / "cscdesk.db"), "the disk is full", "Free space")


def test_a_read_only_folder_is_named(seeded: tuple[Path, str], tmp_path: Path) -> None:
    seeded_store, policy = seeded
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    staging = tmp_path / "staging"
    copy_store(seeded_store, staging)
    roster = roster_file(tmp_path / "r.csv", 2)
    command = shlex.join(cscdesk(data_dir, "import", "roster", str(roster), "--employer", "G1",
                                 "--policy", policy))  # fmt: skip
    done = in_private_mount(
        f"mount -t tmpfs tmpfs {data_dir} && cp -p {staging}/cscdesk.db {data_dir}/"
        f" && mount -o remount,ro {data_dir} && {command}"
    )
    one_clear_line(done, str(data_dir / "cscdesk.db"), "read-only")
