"""The data dir's shared center runs the simulated insurers too (issue 21): every desk-side
process on the data dir talks to the same insurer simulators, so a service request sent from one
desk is found by another (hand-off delivery is a lease that moves between desks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cscdesk.callcenter.sim import shared

from .processes import UNBUFFERED
from .terminals import stop_center

# One desk-side process: the embedded demo as a desk builds it (store seeded small, the data
# dir's center attached or started), then the hand-off client over the insurers it was given.
DESK = """
import asyncio, json, sys
from pathlib import Path
from cscdesk.config import Paths, Settings
from cscdesk.domain.service_requests import OutgoingRequest
from cscdesk.insurers.service_requests import build_service_request_clients
from cscdesk.insurers.sim.runner import demo_secret_resolver
from cscdesk.wiring import build_embedded, stop_background

services = build_embedded(Settings(), Paths(Path(sys.argv[1]), None), language="en", members=40)
urls = {i.id: i.base_url for i in services.insurers if i.base_url}

async def main():
    client = build_service_request_clients(list(services.insurers), demo_secret_resolver())["ruian"]
    try:
        if sys.argv[2] == "submit":
            answer = await client.submit("handoff-key-1", OutgoingRequest(
                "GD-20260310-0001", "claim_status", "理赔进度", "会员询问理赔进度"))
        else:
            answer = await client.status(sys.argv[2])
        return answer.number, answer.state
    finally:
        await client.aclose()

try:
    number, state = asyncio.run(main())
finally:
    stop_background(services.background)
print(json.dumps({"urls": urls, "number": number, "state": state}))
"""


def desk(data_dir: Path, action: str) -> dict[str, object]:
    run = subprocess.run([sys.executable, "-c", DESK, str(data_dir), action], capture_output=True,
                         text=True, env=UNBUFFERED, timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    answer: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return answer


def test_a_request_sent_from_one_desk_is_found_from_another(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    try:
        first = desk(data_dir, "submit")  # starts the center, sends, exits: its lease is gone
        published = shared.read_published(data_dir)
        assert published is not None
        assert set(published.insurers) == {"ruian", "jiahe", "huaying"}
        assert first["urls"] == published.insurers  # the desk used the center's insurers

        second = desk(data_dir, str(first["number"]))  # a later desk polls what the first sent
    finally:
        stop_center(data_dir)
    assert second["urls"] == published.insurers
    assert second["number"] == first["number"]
    assert str(first["number"]).startswith("RA-SR")
    assert second["state"] in ("received", "in_progress", "answered")
