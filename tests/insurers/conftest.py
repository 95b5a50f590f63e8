"""Real parts only: a seeded demo store in tmp_path, the simulated insurers on real ports, and a
gateway built from configuration with its secrets in the (in-memory) keyring."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest

from cscdesk.config import KEYRING_SERVICE, GatewaySettings, resolve_secret
from cscdesk.insurers.gateway import InsurerGateway, build_gateway
from cscdesk.insurers.sim import DEMO_SECRETS, InsurerSimHandles, demo_insurer_settings
from cscdesk.insurers.sim.profile import FaultProfile
from cscdesk.insurers.sim.runner import start_insurer_sims

SEED = 7


class Ticker:
    """A monotonic clock the test moves by hand (breaker reset times without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WallClock:
    """A wall clock the test moves by hand (token lifetimes, cache ages)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def seeded_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cscdesk.demo.seed import seed_demo
    from cscdesk.store import open_store

    path = tmp_path_factory.mktemp("insurers") / "seed.db"
    store = open_store(path)
    seed_demo(store, members=60, seed=SEED)
    store.close()
    return path


@pytest.fixture
def store_path(seeded_store_file: Path, tmp_path: Path) -> Path:
    """Each test gets its own copy: caches, batch rows and audit events stay per test."""
    import sqlite3

    target = tmp_path / "cscdesk.db"
    with sqlite3.connect(seeded_store_file) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


@pytest.fixture
def store(store_path: Path) -> Iterator[Any]:
    from cscdesk.store import open_store

    opened = open_store(store_path)
    yield opened
    opened.close()


def quiet_profiles() -> dict[str, FaultProfile]:
    """Fast and well-behaved; each test switches on the fault it is about."""
    return {i: FaultProfile(latency_ms=(5, 15)) for i in ("ruian", "jiahe", "huaying")}


@pytest.fixture
def sims(store_path: Path, tmp_path: Path) -> Iterator[InsurerSimHandles]:
    handles = start_insurer_sims(
        store_path, seed=SEED, profiles=quiet_profiles(), batch_dir=tmp_path / "extracts"
    )
    yield handles
    for service in handles.services.values():
        service.profile.slow_seconds = 0  # let in-flight answers finish so stop is quick
    handles.stop()


@pytest.fixture
def demo_secrets_in_keyring() -> None:
    for name, value in DEMO_SECRETS.items():
        keyring.set_password(KEYRING_SERVICE, name, value)


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


def make_gateway(
    sims: InsurerSimHandles,
    store: Any,
    ticker: Ticker,
    *,
    timeout: float = 2.0,
    retries: int = 1,
    ttl: int = 0,
    breaker_failures: int = 3,
    clock: WallClock | None = None,
) -> InsurerGateway:
    return build_gateway(
        demo_insurer_settings(sims, timeout_seconds=timeout, retries=retries),
        GatewaySettings(
            cache_ttl_seconds=ttl, breaker_failures=breaker_failures, breaker_reset_seconds=30
        ),
        store,
        secrets=lambda ref, what: resolve_secret(ref, what=what),
        monotonic=ticker,
        **({"clock": clock} if clock else {}),
    )


@pytest.fixture
async def gateway(
    sims: InsurerSimHandles, store: Any, ticker: Ticker, demo_secrets_in_keyring: None
) -> AsyncIterator[InsurerGateway]:
    built = make_gateway(sims, store, ticker)
    yield built
    await built.aclose()
