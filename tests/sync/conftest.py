"""Shared pieces for the sync tests: a real simulator on 127.0.0.1, real stores, real adapters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient


def make_port(sim: Any, *, timeout: float = 2.0, max_retries: int = 1) -> AliyunCallCenter:
    """An adapter that gives up fast, so faults reach the sync code instead of being hidden."""
    client = AliyunRpcClient(
        sim.endpoint,
        sim.access_key_id,
        sim.access_key_secret,
        scheme="http",
        timeout=timeout,
        max_retries=max_retries,
        backoff_base=0.01,
        backoff_cap=0.05,
    )
    return AliyunCallCenter(client, sim.instance_id)


@pytest.fixture
def sim() -> Iterator[Any]:
    from cscdesk.callcenter.sim.server import start_simulator

    handle = start_simulator(host="127.0.0.1", port=0, speed=60, seed=11)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "site.db"
