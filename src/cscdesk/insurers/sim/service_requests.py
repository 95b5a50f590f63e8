"""A simulated insurer's service-request desk (客服转办接口): submit, status, broker message.

Routes added beside the insurer's lookup endpoint, behind the same OAuth2 bearer token and the
same fault profile. Our simulator's own contract (no real insurer publishes one we could copy):

* ``POST /api/v1/service-requests`` with an ``Idempotency-Key`` header and a JSON body
  (``externalRef``, ``category``, ``subject``, ``detail``, ``policyNo``, ``claimNo``,
  ``brokerMemberRef``, ``dueTime``) → 201 ``{"code": "0", "data": {request}}``; the same key
  again → 200 and the same request, never a second one.
* ``GET /api/v1/service-requests/{requestNo}`` → the request with ``status`` RECEIVED,
  PROCESSING or ANSWERED, ``receivedTime``, ``acceptTime``, ``answerTime`` and ``answer``
  (``content``, ``handler``).
* ``POST /api/v1/service-requests/{requestNo}/messages`` (``Idempotency-Key``, ``content``):
  the broker adds to the request.

The insurer works on simulated time: it accepts a request ``accept_after`` and answers it
``answer_after`` after receipt. A fault hits the *answer*: a submitted request is kept even when
its response is a 500 or cut short, as a real lost response would be, so only an idempotent
resend avoids a duplicate.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cscdesk.insurers.sim.clock import SimClock
from cscdesk.insurers.sim.common import ServiceStats, iso, truncate, with_faults
from cscdesk.insurers.sim.profile import FaultProfile, MalformedKind

PATH = "/api/v1/service-requests"
ANSWERS = {
    "claim_assist": "经核实，该案件已审核通过，赔款将于3个工作日内支付至被保险人账户。",
    "policy_change": "保全变更已受理，批单将于2个工作日内生效。",
    "complaint": "已联系客户说明情况并致歉，处理结果已记录。",
}
DEFAULT_ANSWER = "已核实并处理，详情已告知经纪公司客服。"


@dataclass
class SimRequest:
    number: str
    key: str
    received_at: datetime
    body: dict[str, Any]
    messages: list[str] = field(default_factory=list)
    message_keys: set[str] = field(default_factory=set)


class ServiceDesk:
    """The insurer's requests by number and by idempotency key; progress follows the clock."""

    def __init__(self, clock: SimClock, prefix: str, *, handler: str,
                 accept_after: timedelta = timedelta(minutes=3),
                 answer_after: timedelta = timedelta(minutes=12)) -> None:  # fmt: skip
        self.clock = clock
        self.prefix = prefix
        self.handler = handler
        self.accept_after = accept_after
        self.answer_after = answer_after
        self._by_number: dict[str, SimRequest] = {}
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, body: dict[str, Any]) -> tuple[SimRequest, bool]:
        """(request, True when new). The same key always gives the same request."""
        with self._lock:
            known = self._by_key.get(key)
            if known is not None:
                return self._by_number[known], False
            number = f"{self.prefix}{len(self._by_number) + 1:06d}"
            request = SimRequest(number, key, self.clock.now(), body)
            self._by_number[number] = request
            self._by_key[key] = number
            return request, True

    def get(self, number: str) -> SimRequest | None:
        with self._lock:
            return self._by_number.get(number)

    def add_message(self, number: str, key: str, text: str) -> bool:
        with self._lock:
            request = self._by_number.get(number)
            if request is None:
                return False
            if key not in request.message_keys:
                request.message_keys.add(key)
                request.messages.append(text)
            return True

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._by_number)

    def view(self, request: SimRequest) -> dict[str, Any]:
        now = self.clock.now()
        accepted = request.received_at + self.accept_after
        answered = request.received_at + self.answer_after
        status = "RECEIVED"
        answer = None
        if now >= answered:
            status = "ANSWERED"
            text = ANSWERS.get(str(request.body.get("category")), DEFAULT_ANSWER)
            answer = {"content": text, "handler": self.handler}
        elif now >= accepted:
            status = "PROCESSING"
        return {
            "requestNo": request.number,
            "externalRef": request.body.get("externalRef"),
            "status": status,
            "receivedTime": iso(request.received_at),
            "acceptTime": iso(accepted) if status != "RECEIVED" else None,
            "answerTime": iso(answered) if status == "ANSWERED" else None,
            "answer": answer,
            "messages": len(request.messages),
        }


def service_request_routes(
    desk: ServiceDesk,
    *,
    authorized: Callable[[Request], bool],
    profile: FaultProfile,
    stats: ServiceStats,
) -> list[Route]:
    """The three endpoints, behind ``authorized`` (the insurer's own auth) and its faults."""

    def refused() -> Response:
        stats.bump("rejected_auth")
        return JSONResponse({"code": "401", "message": "invalid token"}, status_code=401)

    async def faulty(status: int, data: dict[str, Any]) -> Response:
        async def answer(malformed: MalformedKind | None) -> Response:
            body = json.dumps({"code": "0", "message": "ok", "data": data},
                              ensure_ascii=False).encode()  # fmt: skip
            if malformed is not None:
                body = truncate(body)
            return Response(body, status_code=status, media_type="application/json")

        return await with_faults(profile, stats, answer)

    async def read(request: Request) -> tuple[str, dict[str, Any]] | Response:
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            return JSONResponse({"code": "400", "message": "Idempotency-Key header required"},
                                status_code=400)  # fmt: skip
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"code": "400", "message": "body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"code": "400", "message": "body must be an object"},
                                status_code=400)  # fmt: skip
        return key, body

    def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[..., Any]:
        async def endpoint(request: Request) -> Response:
            stats.bump("requests")
            if not authorized(request):
                return refused()
            return await handler(request)

        return endpoint

    async def submit(request: Request) -> Response:
        asked = await read(request)
        if isinstance(asked, Response):
            return asked
        key, body = asked
        if not str(body.get("subject") or "").strip():
            return JSONResponse({"code": "400", "message": "subject is required"}, status_code=400)
        created, new = desk.submit(key, body)  # kept whatever happens to the response
        return await faulty(201 if new else 200, desk.view(created))

    async def status(request: Request) -> Response:
        found = desk.get(request.path_params["number"])
        if found is None:
            return JSONResponse({"code": "404", "message": "no such request"}, status_code=404)
        return await faulty(200, desk.view(found))

    async def message(request: Request) -> Response:
        asked = await read(request)
        if isinstance(asked, Response):
            return asked
        key, body = asked
        if not desk.add_message(request.path_params["number"], key, str(body.get("content", ""))):
            return JSONResponse({"code": "404", "message": "no such request"}, status_code=404)
        found = desk.get(request.path_params["number"])
        assert found is not None
        return await faulty(200, desk.view(found))

    return [
        Route(PATH, guarded(submit), methods=["POST"]),
        Route(PATH + "/{number}", guarded(status), methods=["GET"]),
        Route(PATH + "/{number}/messages", guarded(message), methods=["POST"]),
    ]
