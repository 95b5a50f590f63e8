"""The ASGI app: CCC's RPC endpoint (``POST /`` with ``x-acs-action``) and the recording store."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from cscdesk.callcenter.sim import (
    handlers_events,  # noqa: F401  (registers its actions)
    handlers_records,  # noqa: F401  (registers its actions)
    wire,
)
from cscdesk.callcenter.sim.auth import Authenticator, AuthFailure
from cscdesk.callcenter.sim.faults import FaultInjector, FaultKind
from cscdesk.callcenter.sim.handlers import HANDLERS, Request, check_instance
from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.recordings import RecordingVault, wav_bytes
from cscdesk.callcenter.sim.shared import INFO_PATH
from cscdesk.callcenter.sim.tickets import TicketBook

API_VERSION = "2020-07-01"
# CCC's RPC bodies are small forms (the SDK puts most parameters in the query string); a body over
# this is refused before it is read. 1 MiB is our bound, not a documented vendor limit.
MAX_BODY_BYTES = 1 << 20
_log = logging.getLogger(__name__)


class DroppedConnection(Exception):
    """Raised after the response has started, so the server closes the socket mid-answer."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _json(body: dict[str, Any], status: int, *, close: bool = False) -> JSONResponse:
    headers = {"connection": "close"} if close else None
    return JSONResponse(body, status_code=status, headers=headers)


class BadRequest(Exception):
    """A request refused before it reaches an action: its vendor code, HTTP status and why."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client disconnected while its body was being read."""


def _too_large(size: str) -> BadRequest:
    # No POP gateway error code for an oversized body is documented that we could find (the
    # common-error pages list none); 413 with this code is the simulator's own, unverified choice.
    return BadRequest(
        "RequestEntityTooLarge",
        413,
        f"The request body {size}; at most {MAX_BODY_BYTES} bytes are accepted.",
    )


def _declared_length(http: HttpRequest) -> int | None:
    """The Content-Length, refused when it is not a number or larger than the cap."""
    raw = http.headers.get("content-length")
    if raw is None:
        return None
    try:
        declared = int(raw)
    except ValueError:
        raise BadRequest(
            "InvalidParameter", 400, f"The Content-Length header {raw!r} is not a number."
        ) from None
    if declared < 0:
        raise BadRequest("InvalidParameter", 400, f"The Content-Length header {raw!r} is negative.")
    if declared > MAX_BODY_BYTES:
        raise _too_large(f"is {declared} bytes")
    return declared


async def read_body(receive: Receive, limit: int) -> bytes:
    """Read the body in the chunks the server hands over, refusing it as soon as it passes
    ``limit`` (a chunked body declares no length, so the cap must hold while reading)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(f"exceeds {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def parse_form(raw: bytes, what: str) -> dict[str, str]:
    """``a=1&b=2`` as UTF-8, strictly: bytes or %-escapes that are not UTF-8 are refused.

    InvalidParameter / HTTP 400 is the POP gateway's documented code for a parameter it cannot
    accept ("The specified parameter ... is not valid", help.aliyun.com/document_detail/51132.html).
    What the gateway answers for a body that is not UTF-8 at all is not documented that we could
    find: this code for that case is unverified.
    """
    try:
        text = raw.decode("utf-8")
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError as exc:
        raise BadRequest(
            "InvalidParameter",
            400,
            f"The {what} is not valid UTF-8 (bad byte at offset {exc.start}); "
            "send form parameters as UTF-8, percent-encoded.",
        ) from None
    except ValueError as exc:
        raise BadRequest("InvalidParameter", 400, f"The {what} is malformed: {exc}.") from None


async def _refuse(
    failure: BadRequest | AuthFailure,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    close: bool = False,
) -> None:
    body = wire.error(failure.code, failure.message, failure.status)
    await _json(body, failure.status, close=close)(scope, receive, send)


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
    requests: Counter[str] | None = None,
    center_info: Callable[[], dict[str, Any]] | None = None,
) -> Starlette:
    """``requests`` (if given) counts every RPC request that reaches the endpoint, by action
    (refused ones too): the request budget is measured here, at the server. ``center_info``
    (loopback simulators only) is what ``GET /__cscdesk__/center`` tells a desk attaching by
    URL (sim/shared.py): not a CCC operation, the simulator's own."""
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

    async def rpc(scope: Scope, receive: Receive, send: Send) -> None:
        http = HttpRequest(scope, receive)
        if requests is not None:
            requests[http.headers.get("x-acs-action", "")] += 1
        try:
            declared = _declared_length(http)
            query = parse_form(scope.get("query_string", b""), "query string")
        except BadRequest as refused:
            await _refuse(refused, scope, receive, send, close=True)
            return
        try:
            body_hash = auth.check_headers(
                method=http.method, path=http.url.path, query=query,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            )  # fmt: skip
        except AuthFailure as failure:
            # nothing of the body has been read: close rather than drain it
            unread = declared is None or declared > 0
            await _refuse(failure, scope, receive, send, close=unread)
            return
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BadRequest as refused:
            await _refuse(refused, scope, receive, send, close=True)
            return
        except ClientGone:
            return
        try:
            auth.check_body(body_hash, body)
            params = dict(query)
            if http.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                params.update(parse_form(body, "form body"))
        except (AuthFailure, BadRequest) as refused:
            await _refuse(refused, scope, receive, send)
            return
        action = http.headers.get("x-acs-action", "")
        version = http.headers.get("x-acs-version", "")
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
            check_instance(request)
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
        """A raw ASGI endpoint, so a fault can close the socket after the response started.

        A bug in a handler answers InternalError in the vendor's shape and logs one line; no
        traceback goes to the client or the console.
        """

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            started = False

            async def tracking_send(message: Message) -> None:
                nonlocal started
                started = True
                await send(message)

            try:
                await rpc(scope, receive, tracking_send)
            except DroppedConnection:
                raise
            except Exception as exc:  # the boundary: nothing escapes as a traceback
                _log.error("simulator request failed: %s: %s", type(exc).__name__, exc)
                if started:
                    raise DroppedConnection from None
                body = wire.error(
                    "InternalError",
                    "The request processing has failed due to some unknown error.",
                    500,
                )
                await _json(body, 500)(scope, receive, send)

    return Starlette(
        routes=[
            Route("/", RpcEndpoint(), methods=["GET", "POST"]),
            Route("/recordings/{name}", recording, methods=["GET"]),
            *(
                [Route(INFO_PATH, lambda _r: JSONResponse(center_info()), methods=["GET"])]
                if center_info is not None
                else []
            ),
        ]
    )
