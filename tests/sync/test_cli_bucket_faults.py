"""A recordings bucket that cannot be used reaches the person as one line on stderr and exit 1
(README: exit codes), never a traceback: a bucket that does not exist on a real S3 server
(moto on 127.0.0.1), and an endpoint nobody listens on. The commands run as cron runs them,
in a process of their own, keys from the keyring."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import s3_server
from cscdesk.domain.models import Recording
from cscdesk.store import open_store

from .archive_env import start_archive_sim
from .env_keyring import child_environment, variable

AUDIO_SHA = "ab" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _center(tmp_path: Path, endpoint: str) -> tuple[Path, Path, dict[str, str]]:
    """A data dir whose store lists one archived recording, and a config pointing its
    recordings at ``s3://no-such-bucket/center-1`` on ``endpoint``."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = open_store(data_dir / "cscdesk.db")
    store.recordings.put(
        Recording(
            contact_id="job-1", sha256=AUDIO_SHA, size=5, content_type="audio/wav",
            archived_at=datetime(2026, 11, 30, 9, tzinfo=UTC), keep_until=date(2031, 11, 30),
        )
    )  # fmt: skip
    store.close()
    config = tmp_path / "site.toml"
    config.write_text(
        '[archive]\nrecordings = "s3://no-such-bucket/center-1"\n'
        f'''s3_endpoint = "{endpoint}"\ns3_region = "{s3_server.REGION}"\n'''
        's3_access_key_id = "keyring:s3-key-id"\ns3_secret_access_key = "keyring:s3-key-secret"\n',
        encoding="utf-8",
    )
    env = child_environment({"s3-key-id": s3_server.KEY_ID, "s3-key-secret": s3_server.KEY_SECRET})
    return data_dir, config, env


def _run(
    data_dir: Path, config: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cscdesk", "--config", str(config), "--data-dir", str(data_dir), *args],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def _one_line_about_the_bucket(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: recordings bucket s3://no-such-bucket/center-1: ")
    assert "Check [archive] recordings" in lines[0]


@pytest.mark.parametrize("where", ["missing bucket", "nobody listens"])
def test_archive_verify_says_the_bucket_cannot_be_read_in_one_line(
    tmp_path: Path, where: str
) -> None:
    endpoint = (
        s3_server.endpoint() if where == "missing bucket" else f"http://127.0.0.1:{_free_port()}"
    )
    data_dir, config, env = _center(tmp_path, endpoint)
    _one_line_about_the_bucket(_run(data_dir, config, env, "archive", "verify"))


def test_store_copy_to_a_missing_bucket_says_so_in_one_line(tmp_path: Path) -> None:
    data_dir, config, env = _center(tmp_path, s3_server.endpoint())
    local = config.read_text(encoding="utf-8").replace(
        'recordings = "s3://no-such-bucket/center-1"\n', ""
    )
    config.write_text(local, encoding="utf-8")  # recordings in the data dir's folder
    blob = data_dir / "recordings" / AUDIO_SHA[:2] / AUDIO_SHA[2:4] / AUDIO_SHA
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"audio")
    done = _run(data_dir, config, env, "store", "copy", "--to", str(tmp_path / "copy.db"),
                "--recordings-to", "s3://no-such-bucket/center-1")  # fmt: skip
    _one_line_about_the_bucket(done)


def test_a_bucket_key_missing_from_the_keyring_is_one_line_too(tmp_path: Path) -> None:
    data_dir, config, env = _center(tmp_path, s3_server.endpoint())
    del env[variable("s3-key-secret")]
    done = _run(data_dir, config, env, "archive", "verify")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "s3-key-secret" in done.stderr


def test_archive_sync_stops_at_a_bucket_that_cannot_be_used_and_says_why(tmp_path: Path) -> None:
    """The CDRs are copied; the recordings part stops at the first job, with the bucket's
    reason on one line and exit 1, instead of failing every job with a bare class name."""
    history = start_archive_sim()
    try:
        data_dir, config, env = _center(tmp_path, s3_server.endpoint())
        with config.open("a", encoding="utf-8") as site:
            site.write(
                f'[callcenter]\nmode = "aliyun"\nendpoint = "{history.base_url}"\n'
                f'instance_id = "{history.instance_id}"\naccess_key_id = "keyring:ccc-id"\n'
                'access_key_secret = "keyring:ccc-secret"\n'
            )
        env = {
            **env,
            variable("ccc-id"): history.access_key_id,
            variable("ccc-secret"): history.access_key_secret,
        }
        done = _run(data_dir, config, env, "archive", "sync", "--restore-retry-seconds", "0")
    finally:
        history.stop()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert (
        "archive sync failed: BlobStoreError: recordings bucket s3://no-such-bucket/center-1"
        in (done.stderr)
    )
    # the round's reason (and the operations log's line for the failed round), not one
    # "not copied: BlobStoreError" warning per recording
    assert len(lines) <= 2, done.stderr
    assert all("recordings bucket s3://no-such-bucket/center-1" in line for line in lines)
