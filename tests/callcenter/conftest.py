"""A small real CCC-speaking HTTP peer on 127.0.0.1 for the client and adapter tests.

It verifies ACS3 signatures with the shared signer, records every request, and answers from
per-action handlers or a scripted queue of replies (errors, hangs, garbage), so retries, typed
errors and paging are tested over a real socket rather than a mock.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cscdesk.callcenter.aliyun import signing
from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.sim.model import CENTER_TZ
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.demo.scenario import DEMO_AGENT_ID

KEY_ID = "LTAI5tTESTKEY000000000"
KEY_SECRET = "test-secret-不要泄露"


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]

    @property
    def action(self) -> str:
        return self.headers.get("x-acs-action", "")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; bytes/str → raw
    hang_seconds: float = 0.0


Handler = Callable[[Captured], Reply]


def ok(data: Any = None, **extra: Any) -> Reply:
    payload = {
        "RequestId": uuid.uuid4().hex.upper(),
        "Code": "OK",
        "HttpStatusCode": 200,
        "Message": "",
    }
    if data is not None:
        payload["Data"] = data
    payload.update(extra)
    return Reply(200, payload)


def fail(status: int, code: str, message: str = "refused", request_id: str = "REQ-1") -> Reply:
    return Reply(
        status,
        {"RequestId": request_id, "Code": code, "HttpStatusCode": status, "Message": message},
    )


@dataclass
class FakeCcc:
    """State of the peer; tests reset it through the ``ccc`` fixture."""

    access_key_id: str = KEY_ID
    access_key_secret: str = KEY_SECRET
    verify_signatures: bool = True
    requests: list[Captured] = field(default_factory=list)
    scripts: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    handlers: dict[str, Handler] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def reset(self) -> None:
        self.verify_signatures = True
        self.requests.clear()
        self.scripts.clear()
        self.handlers.clear()
        self.files.clear()

    def script(self, action: str, *replies: Reply) -> None:
        self.scripts[action].extend(replies)

    def calls(self, action: str) -> list[Captured]:
        return [r for r in self.requests if r.action == action]

    async def rpc(self, request: Request) -> Response:
        body = await request.body()
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in request.headers.items()}
        form = dict(parse_qsl(body.decode(), keep_blank_values=True)) if body else {}
        captured = Captured(request.method, request.url.path, query, headers, body, form)
        self.requests.append(captured)
        if self.verify_signatures:
            try:
                auth = signing.parse_authorization(headers.get("authorization"))
            except signing.MalformedAuthorization:
                return _json(fail(400, "IncompleteSignature"))
            if auth.access_key_id != self.access_key_id:
                return _json(
                    fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
                )
            if not signing.verify(
                method=request.method,
                path=request.url.path,
                query=query,
                headers=headers,
                body=body,
                auth=auth,
                access_key_secret=self.access_key_secret,
            ):
                return _json(
                    fail(400, "SignatureDoesNotMatch", "The request signature does not conform.")
                )
        queue = self.scripts.get(captured.action)
        if queue:
            reply = queue.popleft()
        elif captured.action in self.handlers:
            reply = self.handlers[captured.action](captured)
        else:
            reply = ok({})
        if reply.hang_seconds:
            await asyncio.sleep(reply.hang_seconds)
        return _json(reply)

    async def file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.files:
            return Response(status_code=404)
        data = self.files[name]

        async def chunks() -> Any:
            for start in range(0, len(data), 4096):
                yield data[start : start + 4096]

        return StreamingResponse(chunks(), media_type="audio/wav")


def _json(reply: Reply) -> Response:
    if isinstance(reply.body, dict | list):
        return JSONResponse(reply.body, status_code=reply.status)
    raw = reply.body if isinstance(reply.body, bytes) else str(reply.body or "").encode()
    return Response(raw, status_code=reply.status, media_type="text/plain")


@dataclass
class RunningPeer:
    state: FakeCcc
    port: int

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def ccc_peer() -> Iterator[RunningPeer]:
    state = FakeCcc()
    app = Starlette(
        routes=[
            Route("/", state.rpc, methods=["GET", "POST"]),
            Route("/files/{name}", state.file, methods=["GET"]),
        ]
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (server.started and server.servers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "test CCC peer did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield RunningPeer(state, port)
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def ccc(ccc_peer: RunningPeer) -> Iterator[RunningPeer]:
    ccc_peer.state.reset()
    yield ccc_peer
    ccc_peer.state.reset()


@pytest.fixture
async def make_client(ccc: RunningPeer) -> AsyncIterator[Callable[..., AliyunRpcClient]]:
    made: list[AliyunRpcClient] = []

    def factory(**overrides: Any) -> AliyunRpcClient:
        options: dict[str, Any] = {
            "scheme": "http",
            "timeout": 2.0,
            "max_retries": 3,
            "backoff_base": 0.001,
        }
        secret = overrides.pop("access_key_secret", KEY_SECRET)
        key_id = overrides.pop("access_key_id", KEY_ID)
        options.update(overrides)
        client = AliyunRpcClient(ccc.endpoint, key_id, secret, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


# ------------------------------------------------------------- the adapter against the simulator
SIM_START = datetime(2026, 3, 10, 10, 0, tzinfo=CENTER_TZ)  # a Tuesday morning in claim season


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    """The simulator, paused, with agent001 left to the test's desk (a module may override)."""
    handle = start_simulator(
        seed=11, human_agents=[DEMO_AGENT_ID], paused=True, start_time=SIM_START, prefill_days=0
    )
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
async def center(sim: SimulatorHandle) -> AsyncIterator[AliyunCallCenter]:
    """The real adapter on the ``sim`` of the requesting test."""
    client = AliyunRpcClient(
        sim.endpoint, sim.access_key_id, sim.access_key_secret, scheme="http", backoff_base=0.001
    )
    adapter = AliyunCallCenter(client, sim.instance_id)
    yield adapter
    await adapter.aclose()
