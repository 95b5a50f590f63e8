"""A small business system for the tests: a real HTTP receiver on 127.0.0.1.

It checks each delivery's HMAC signature, keeps each event once by its Idempotency-Key (as
the README asks receivers to), and can go down and come back on the same port, or lose its
answer after storing an event (the response a sender never sees).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class BusinessReceiver:
    def __init__(self, secret: bytes, port: int = 0) -> None:
        self.secret = secret
        self.port = port
        self.accepted: list[dict[str, Any]] = []  # each event once, in arrival order
        self.deliveries = 0  # every POST that reached us, duplicates included
        self.bad_signatures = 0
        self.lose_answers = 0  # the next N stored events are answered with a 500
        self.refuse_all = False  # answer 400 to everything (an event it cannot take)
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._answer(*receiver.receive(dict(self.headers.items()), body))

            def _answer(self, status: int, text: str) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        with self._lock:
            self.deliveries += 1
            stamp = headers.get("X-CSCDesk-Timestamp", "")
            expected = "sha256=" + hmac.new(self.secret, stamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()  # fmt: skip
            if not hmac.compare_digest(expected, headers.get("X-CSCDesk-Signature", "")):
                self.bad_signatures += 1
                return 401, "bad signature"
            if self.refuse_all:
                return 400, "cannot take this event"
            key = headers.get("Idempotency-Key", "")
            if key not in self._keys:
                self._keys.add(key)
                self.accepted.append(json.loads(body))
                if self.lose_answers > 0:
                    self.lose_answers -= 1
                    return 500, "stored, but the answer is lost"
            return 200, "ok"
