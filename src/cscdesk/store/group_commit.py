"""Group commit: requests from many threads written by one of them, in one go.

Fifty desks in one process append audit records at once; each append on PostgreSQL holds the
audit chain's lock across client round trips, and the threads take turns at the interpreter
lock in between, so the chain takes a few hundred records a second at most. Here the first
thread that finds no write under way writes every request queued so far (its own among them)
in one transaction, while the others wait for their answers: one lock, one read of the chain's
end and one disk flush for the lot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Request = TypeVar("Request")
Answer = TypeVar("Answer")


class _Slot(Generic[Request, Answer]):
    def __init__(self, request: Request) -> None:
        self.request = request
        self.done = False
        self.answer: Answer | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[Request, Answer]):
    """``submit`` blocks until ``write`` (called with a batch, answering each in order) has
    written the request; a failed write fails every request of its batch."""

    def __init__(self, write: Callable[[Sequence[Request]], Sequence[Answer]]) -> None:
        self._write = write
        self._queue: list[_Slot[Request, Answer]] = []
        self._busy = False
        self._changed = threading.Condition()

    def submit(self, request: Request) -> Answer:
        slot: _Slot[Request, Answer] = _Slot(request)
        batch: list[_Slot[Request, Answer]] = []
        with self._changed:
            self._queue.append(slot)
            while self._busy and not slot.done:
                self._changed.wait()
            if not slot.done:  # nobody is writing: this thread writes the queue
                self._busy = True
                batch, self._queue = self._queue, []
        if batch:
            self._write_batch(batch)
        if slot.error is not None:
            raise slot.error
        assert slot.answer is not None
        return slot.answer

    def _write_batch(self, batch: list[_Slot[Request, Answer]]) -> None:
        try:
            answers = self._write([s.request for s in batch])
            for s, answer in zip(batch, answers, strict=True):
                s.answer = answer
        except BaseException as exc:
            for s in batch:
                s.error = exc
        finally:
            with self._changed:
                for s in batch:
                    s.done = True
                self._busy = False
                self._changed.notify_all()
