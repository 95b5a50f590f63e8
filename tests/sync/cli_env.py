"""The command line as cron runs it: another desk holding a lease, a site config that points
at a simulator over real HTTP on 127.0.0.1 (its keys in the test's in-memory keyring)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cscdesk.cli import main
from cscdesk.store import open_store
from cscdesk.sync.lease import Lease

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


def lagging_archive_sync(keyring: Any, data_dir: Path, tmp_path: Path, *options: str,
                         ) -> tuple[Result, Path]:  # fmt: skip
    """``archive sync`` of a simulator whose audio older than a day is in the vendor's cold
    archive, alarm after one day: the run works and the archive still lags past its alarm.
    Returns the result and the site config (the simulator is gone afterwards)."""
    history = start_archive_sim()
    try:
        keys_for(keyring, history)
        config = aliyun_config(tmp_path, history.endpoint, alarm_days=1)
        result = cli("--config", str(config), "--data-dir", str(data_dir), "archive", "sync",
                     *options)  # fmt: skip
    finally:
        history.stop()
    return result, config
