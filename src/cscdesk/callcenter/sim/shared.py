"""One simulated center per data dir, found by every desk and lead that opens that data dir.

The simulator that serves a data dir publishes where it is in ``<data dir>/center.json``
(owner-only): its URL, instance, process id, its clock, the documented demo AccessKey pair
(not a secret: it is printed by ``cscdesk sim`` and in the README), and the base URLs of the
simulated insurers it runs, so every desk's hand-offs reach the same insurers whichever desk
holds the delivery lease (issue 21). The simulator also answers
``GET /__cscdesk__/center`` with the same facts, on loopback only, so ``--center URL`` can attach
to one started elsewhere on the host.

A file whose process died, or whose simulator does not answer, is stale: the next desk takes
over. ``center.lock`` (an advisory ``flock``) makes "look, then start" one step, so two desks
started at once never run two centers.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from cscdesk.store.files import private_dir, private_file

CENTER_FILE = "center.json"
LOCK_FILE = "center.lock"
LOG_FILE = "center.log"
INFO_PATH = "/__cscdesk__/center"
START_WAIT_SECONDS = 30.0
IDLE_EXIT_SECONDS = 900  # a center started by a desk stops 15 min after the last request


class CenterUnavailable(Exception):
    """No simulated center could be found or started: a message for the person at the desk."""


@dataclass(frozen=True, slots=True)
class CenterAddress:
    """Where a running simulator is and how to talk to it."""

    base_url: str
    instance_id: str
    access_key_id: str
    access_key_secret: str
    pid: int
    sim_start: str  # ISO time of the simulated clock at ``wall_start``
    wall_start: float  # epoch seconds
    speed: float
    # insurer id -> base URL of the simulated insurers the center runs (empty: none shared)
    insurers: dict[str, str] = field(default_factory=dict)

    def sim_now(self) -> datetime:
        """The simulator's clock, computed here: it runs at ``speed`` from its start."""
        elapsed = (time.time() - self.wall_start) * self.speed
        return datetime.fromisoformat(self.sim_start) + timedelta(seconds=elapsed)

    def keys(self) -> tuple[str, str]:
        """The AccessKey pair it accepts (the documented demo pair, or blanks)."""
        return self.access_key_id, self.access_key_secret

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> CenterAddress:
        """Raises ``ValueError`` for anything that is not a published center."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        try:
            address = cls(
                base_url=str(data["base_url"]), instance_id=str(data["instance_id"]),
                access_key_id=str(data["access_key_id"]),
                access_key_secret=str(data["access_key_secret"]), pid=int(data["pid"]),
                sim_start=str(data["sim_start"]), wall_start=float(data["wall_start"]),
                speed=float(data["speed"]), insurers=_insurer_urls(data.get("insurers", {})),
            )  # fmt: skip
            datetime.fromisoformat(address.sim_start)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"missing or bad field {exc}") from None
        return address


def _insurer_urls(data: Any) -> dict[str, str]:
    """Published insurer URLs: a desk trusts plain http to this host only."""
    if not isinstance(data, dict):
        raise ValueError("insurers: not an object")
    urls = {str(k): str(v) for k, v in data.items()}
    for insurer_id, url in urls.items():
        if not is_loopback_http(url):
            raise ValueError(f"insurers.{insurer_id}: {url} is not http on this host")
    return urls


def is_loopback_http(url: str) -> bool:
    """``http://`` to 127.0.0.0/8, ::1 or localhost: the only place a desk trusts plain HTTP
    and the simulator's published demo key."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def publish(data_dir: Path, address: CenterAddress) -> Path:
    """Write ``center.json`` whole (a reader never sees half a file), owner-only."""
    private_dir(data_dir)
    target = data_dir / CENTER_FILE
    scratch = data_dir / f".{CENTER_FILE}.{os.getpid()}"
    scratch.unlink(missing_ok=True)
    with private_file(scratch) as handle:
        json.dump(address.to_json(), handle)
    os.replace(scratch, target)
    return target


def unpublish(data_dir: Path, pid: int) -> None:
    """Remove ``center.json`` if it still names ``pid`` (a successor's file stays)."""
    current = read_published(data_dir)
    if current is not None and current.pid == pid:
        (data_dir / CENTER_FILE).unlink(missing_ok=True)


def read_published(data_dir: Path) -> CenterAddress | None:
    try:
        raw = (data_dir / CENTER_FILE).read_text(encoding="utf-8")
        return CenterAddress.from_json(json.loads(raw))
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, and not ours to judge
    return True


def ask(url: str, timeout: float = 2.0) -> CenterAddress:
    """What the simulator at ``url`` publishes about itself (loopback http only)."""
    if not is_loopback_http(url):
        raise CenterUnavailable(
            f"{url}: only a simulator on this host is attached by URL (http://127.0.0.1:PORT);"
            " a real call center needs [callcenter] with https and keyring secrets"
        )
    try:
        response = httpx.get(url.rstrip("/") + INFO_PATH, timeout=timeout)
        response.raise_for_status()
        return CenterAddress.from_json(response.json())
    except (httpx.HTTPError, ValueError) as exc:
        raise CenterUnavailable(f"no cscdesk simulator answers at {url} ({exc})") from None


def answers(address: CenterAddress) -> bool:
    """The published simulator is alive and is the one the file names. A closed port answers at
    once; the generous timeout keeps a slow answer on a busy host from passing for a dead one
    (which would start a second center beside it)."""
    if not process_alive(address.pid):
        return False
    try:
        live = ask(address.base_url, timeout=5.0)
    except CenterUnavailable:
        return False
    return live.pid == address.pid and live.instance_id == address.instance_id


@contextlib.contextmanager
def center_lock(data_dir: Path) -> Iterator[None]:
    """One process at a time looks for, or starts, the data dir's center."""
    private_dir(data_dir)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def live_center(data_dir: Path) -> CenterAddress | None:
    """The data dir's published center if it answers; a stale file is removed."""
    current = read_published(data_dir)
    if current is None:
        return None
    if answers(current):
        return current
    unpublish(data_dir, current.pid)
    return None


def attach_or_start(data_dir: Path, start: Callable[[], subprocess.Popen[bytes]]) -> CenterAddress:
    """The data dir's live center, or a new one: ``start`` launches its process (which
    publishes itself). Callers hold no lock; this takes it."""
    with center_lock(data_dir):
        current = live_center(data_dir)
        if current is not None:
            return current
        child = start()
        deadline = time.monotonic() + START_WAIT_SECONDS
        while time.monotonic() < deadline and child.poll() is None:
            current = read_published(data_dir)
            if current is not None and current.pid == child.pid and answers(current):
                return current
            time.sleep(0.1)
    log = data_dir / LOG_FILE
    raise CenterUnavailable(f"the simulated center did not start; its log is {log}")


def spawn_center(data_dir: Path, *, seed: int, config_file: Path | None) -> subprocess.Popen[bytes]:
    """Start ``cscdesk sim --demo`` for this data dir in its own session, so it outlives the
    desk that started it (the other desks use it too); it stops itself once no desk has
    asked anything for a while. Its output goes to ``center.log`` (owner-only)."""
    import sys

    private_dir(data_dir)
    log_path = data_dir / LOG_FILE
    log_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir)]
    if config_file is not None:
        command += ["--config", str(config_file)]
    command += ["sim", "--demo", "--seed", str(seed), "--idle-exit", str(IDLE_EXIT_SECONDS),
                "--no-lock"]  # fmt: skip
    with private_file(log_path, "wb") as log:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, close_fds=True)  # fmt: skip
