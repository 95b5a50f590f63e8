"""kill -9 the archive copy at random moments, then let it finish: nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cscdesk.store import open_store
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.retention_ops import verify_recordings
from cscdesk.sync.storage import SyncStorage

from .archive_env import start_archive_sim, wall
from .conftest import make_port
from .env_keyring import child_environment
from .test_archive import all_vendor_records

KILLS = 6


def _progress(store: Path) -> int:
    """CDRs plus recordings stored so far, read without taking any lock the writer needs."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
            row = db.execute(
                "SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM recordings)"
            ).fetchone()
    except sqlite3.Error:  # not created or not migrated yet
        return 0
    return int(row[0])


def _command(sim: Any, store: Path, blobs: Path) -> tuple[list[str], dict[str, str]]:
    """``cscdesk archive sync`` as an operator runs it: a config file for the deployment, and the
    AccessKey pair in the keyring (a test backend hands it to the child process)."""
    config = store.parent / "archive.toml"
    config.write_text(
        f"""
[store]
path = "{store}"

[archive]
blob_dir = "{blobs}"
window_minutes = 30

[callcenter]
mode = "aliyun"
endpoint = "{sim.base_url}"
instance_id = "{sim.instance_id}"
access_key_id = "keyring:ccc-key-id"
access_key_secret = "keyring:ccc-key-secret"

[sync]
lease_seconds = 3
""",
        encoding="utf-8",
    )
    env = child_environment(
        {"ccc-key-id": sim.access_key_id, "ccc-key-secret": sim.access_key_secret}
    )
    args = [
        sys.executable, "-m", "cscdesk", "--config", str(config), "--data-dir", str(store.parent),
        "archive", "sync", "--restore-retry-seconds", "0",
    ]  # fmt: skip
    return args, env


@pytest.mark.slow
async def test_archive_survives_repeated_sigkill(tmp_path: Path) -> None:
    sim = start_archive_sim(restore_seconds=0)
    try:
        store_path, blob_dir = tmp_path / "archive.db", tmp_path / "blobs"
        args, env = _command(sim, store_path, blob_dir)
        rng = random.Random(20260524)
        interrupted = 0
        for _ in range(KILLS):
            before = _progress(store_path)
            child = subprocess.Popen(
                args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for _ in range(300):  # wait (boundedly) until this run is visibly working
                if child.poll() is not None or _progress(store_path) > before:
                    break
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.6))  # then kill it at a random moment of its work
            if child.poll() is None:
                interrupted += 1
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        assert interrupted >= KILLS // 2, "the runs finished before they could be killed"
        finished = False
        for _ in range(10):
            done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
            if "still queued 0;" in done.stdout:
                finished = True
                break
        assert finished, "the archive never caught up"
        port = make_port(sim)
        vendor = await all_vendor_records(port)
        await port.aclose()
        storage = SyncStorage(open_store(store_path))
        stored = [c.contact_id for c in storage.calls_between(wall() - timedelta(days=10), wall())]
        assert len(stored) == len(set(stored)), "a CDR was stored twice"
        assert set(stored) == {r.contact_id for r in vendor}
        manifest = {r.contact_id for r in storage.recordings()}
        assert manifest == {r.contact_id for r in vendor if r.recording_available}
        report = verify_recordings(storage, BlobStore(blob_dir))
        assert report.ok and report.checked == len(manifest)
        assert not list((blob_dir / "tmp").glob("*.part"))
    finally:
        sim.stop()
