"""A real simulator on 127.0.0.1 and a small signed-request helper (our ACS3 signer, httpx)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cscdesk.callcenter.aliyun.signing import sign
from cscdesk.callcenter.sim.model import CENTER_TZ
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator

HUMAN = "agent001@ccc-demo"


def signed_post(
    handle: SimulatorHandle,
    action: str,
    params: Mapping[str, str],
    *,
    secret: str | None = None,
    key_id: str | None = None,
    date: str | None = None,
    nonce: str | None = None,
    tamper: bool = False,
    timeout: float = 5.0,
) -> httpx.Response:
    headers = {
        "host": handle.endpoint,
        "x-acs-action": action,
        "x-acs-version": "2020-07-01",
        "x-acs-date": date or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    query = {k: str(v) for k, v in params.items()}
    headers["Authorization"] = sign(
        method="POST", path="/", query=query, headers=headers, body=b"",
        access_key_id=key_id or handle.access_key_id,
        access_key_secret=secret or handle.access_key_secret,
    )  # fmt: skip
    if tamper:
        query = {**query, "Tampered": "1"}
    return httpx.post(f"{handle.base_url}/", params=query, headers=headers, timeout=timeout)


def body(response: httpx.Response) -> dict[str, Any]:
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    start = datetime(2026, 3, 10, 10, 0, tzinfo=CENTER_TZ)  # a Tuesday morning in claim season
    with start_simulator(
        paused=True, prefill_days=2, human_agents=[HUMAN], seed=3, start_time=start
    ) as handle:
        yield handle
