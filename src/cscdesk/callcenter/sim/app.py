"""The ASGI app: CCC's RPC endpoint (``POST /`` with ``x-acs-action``) and the recording store."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cscdesk.callcenter.sim import (
    handlers_records,  # noqa: F401  (registers its actions)
    wire,
)
from cscdesk.callcenter.sim.auth import Authenticator, AuthFailure
from cscdesk.callcenter.sim.faults import FaultInjector, FaultKind
from cscdesk.callcenter.sim.handlers import HANDLERS, Request
from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.recordings import RecordingVault, wav_bytes
from cscdesk.callcenter.sim.tickets import TicketBook

API_VERSION = "2020-07-01"


class DroppedConnection(Exception):
    """Raised after the response has started, so the server closes the socket mid-answer."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _json(body: dict[str, Any], status: int) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _oss_error(code: str, message: str, status: int) -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
        f"  <Code>{code}</Code>\n  <Message>{message}</Message>\n"
        f"  <RequestId>{wire.request_id()}</RequestId>\n  <HostId>sim-oss</HostId>\n</Error>\n"
    )
    return Response(xml, status_code=status, media_type="application/xml")


async def _drop(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    raise DroppedConnection


def build_app(
    model: CallCenterModel,
    *,
    auth: Authenticator,
    faults: FaultInjector,
    vault: RecordingVault,
    tickets: TicketBook,
) -> Starlette:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

    async def rpc(scope: Scope, receive: Receive, send: Send) -> None:
        http = HttpRequest(scope, receive)
        body = await http.body()
        query = dict(http.query_params)
        params = dict(query)
        if http.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        action = http.headers.get("x-acs-action") or params.get("Action", "")
        try:
            auth.check(
                method=http.method, path=http.url.path, query=query,
                headers=dict(http.headers), body=body,
            )  # fmt: skip
        except AuthFailure as failure:
            await _json(wire.error(failure.code, failure.message, failure.status), failure.status)(
                scope, receive, send
            )
            return
        version = http.headers.get("x-acs-version") or params.get("Version", "")
        handler = HANDLERS.get(action)
        if handler is None:
            response = _json(
                wire.error("InvalidAction.NotFound", f"Specified api {action} is not found.", 404),
                404,
            )
            await response(scope, receive, send)
            return
        if version != API_VERSION:
            response = _json(
                wire.error("InvalidVersion", f"Specified version {version} is not valid.", 400), 400
            )
            await response(scope, receive, send)
            return
        decision = faults.decide(action)
        if decision.delay_seconds:
            await asyncio.sleep(decision.delay_seconds)
        if decision.kind is FaultKind.RESET:
            await _drop(send)
        if decision.kind is FaultKind.ERROR and decision.code:
            status = decision.status
            message = (
                "Request was denied due to user flow control."
                if status == 400
                else "The request has failed due to a temporary failure of the server."
            )
            await _json(wire.error(decision.code, message, status), status)(scope, receive, send)
            return
        request = Request(action, params, model, vault, tickets, str(http.base_url).rstrip("/"))
        try:
            with model.lock:
                model.catch_up()
                result, status = handler(request), 200
        except SimError as exc:
            result, status = wire.error(exc.code, exc.message, exc.status), exc.status
        if decision.kind is FaultKind.LOST_RESPONSE:
            await _drop(send)
        await _json(result, status)(scope, receive, send)

    async def recording(http: HttpRequest) -> Response:
        token = http.path_params["name"].removesuffix(".wav")
        with model.lock:
            model.catch_up()
            found = vault.redeem(token, model.now)
        if found is False:
            return _oss_error("AccessDenied", "Request has expired.", 403)
        if found is None:
            return _oss_error("AccessDenied", "Invalid signature or unknown object.", 403)
        return Response(wav_bytes(str(found)), media_type="audio/wav")

    class RpcEndpoint:
        """A raw ASGI endpoint, so a fault can close the socket after the response started."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await rpc(scope, receive, send)

    return Starlette(
        routes=[
            Route("/", RpcEndpoint(), methods=["GET", "POST"]),
            Route("/recordings/{name}", recording, methods=["GET"]),
        ]
    )
