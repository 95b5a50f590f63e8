"""One re-arming poll per duty, shared by the agent desk and the wallboard.

A duty (the agent's session, the queue states, the wallboard snapshot) is a worker group. The
next poll is armed only when the last one has finished, so a slow call system never stacks
requests; there is never more than one armed timer, and ``poll_now`` drops it before polling,
so a refresh or a call action starts no second chain. Polls that multiply are a real cost: a
rented call system throttles, and a desk that doubles its load with every F5 gets slower all
shift (issue 13).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.timer import Timer
from textual.worker import Worker, WorkerState

FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR)


def worker_failure(event: Worker.StateChanged) -> str | None:
    """The one worker-failure convention of both screens: a worker that raised (instead of
    posting its failure as a message) is named in one line, never a traceback; None otherwise."""
    if event.state is not WorkerState.ERROR:
        return None
    error = event.worker.error
    return f"{event.worker.group or event.worker.name}: {type(error).__name__}: {error}"


class RearmingPoll:
    """The poll of one worker group: ``start`` launches an exclusive worker in ``group``."""

    def __init__(self, owner: DOMNode, group: str, start: Callable[[], object],
                 interval: Callable[[], float]) -> None:  # fmt: skip
        self.owner = owner
        self.group = group
        self.start = start
        self.interval = interval
        self.running = True
        self._armed: Timer | None = None

    def poll_now(self) -> None:
        """Poll at once; the armed timer is dropped, so one chain of polls remains."""
        self._disarm()
        if self.running:
            self.start()

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        """Arm the next poll when this duty's worker ended (answer or failure); True if ours.

        A worker cancelled by ``exclusive`` arms nothing: the poll that replaced it will.
        """
        if event.worker.group != self.group:
            return False
        if event.state in FINISHED:
            self._disarm()
            if self.running:
                self._armed = self.owner.set_timer(self.interval(), self.start)
        return True

    def stop(self) -> None:
        """No further polls (the screen closes, or a test takes a still picture)."""
        self.running = False
        self._disarm()

    def _disarm(self) -> None:
        if self._armed is not None:
            self._armed.stop()
            self._armed = None
