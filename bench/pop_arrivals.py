"""Screen pops as a floor makes them: callers arriving one at a time, each offered to an idle desk.

A desk pops a profile once per offered call, and its agent then talks and wraps up for minutes;
so fifty desks are never all popping at once unless calls arrive faster than anyone answers.
This is the open-loop load: callers arrive as a Poisson process at a stated rate, on a schedule
fixed before the run (the same for every engine); each arrival is put on one queue at its
scheduled instant, and whichever desk process is idle takes it (a desk popping is busy; when all
are busy the arrival waits). A pop's time runs from its *scheduled* arrival to its profile
loaded, so time spent queued, and any lateness of the dispatcher itself, counts against the pop
instead of being left out (no coordinated omission, the error wrk2 and HdrHistogram describe).

Each desk is its own process with its own store, as ``bench.pop_desks``, warmed up with a few
pops of its own before the first arrival. Times are ``time.monotonic()``, one clock for every
process on the machine.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.pop_desks import PRELOAD, open_desk_store

LEAD_SECONDS = 0.5  # between the schedule's start and the first arrival it may hold
RESULT_TIMEOUT = 120.0  # no pop answered for this long: a desk is stuck or gone


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the schedule's start
    mobile: str


@dataclass(frozen=True)
class Pop:
    """One answered arrival, in seconds on the shared monotonic clock."""

    due: float  # its scheduled arrival
    taken: float  # an idle desk took it
    done: float  # its profile was loaded

    @property
    def total_ms(self) -> float:
        return (self.done - self.due) * 1000

    @property
    def wait_ms(self) -> float:
        return (self.taken - self.due) * 1000

    @property
    def service_ms(self) -> float:
        return (self.done - self.taken) * 1000


@dataclass(frozen=True)
class Run:
    """The pops of one schedule, and what the machine was doing meanwhile."""

    pops: list[Pop]
    seconds: float  # first scheduled arrival to last profile loaded
    dispatch_late_ms: float  # the dispatcher's worst lateness at putting an arrival on the queue
    load: tuple[float, float]  # 1-minute load average before and after (`uptime`)

    def most_at_once(self, *, queued: bool = True) -> int:
        """Most pops in progress at one instant (``queued``: waiting ones too, else at desks)."""
        edges = [(p.due if queued else p.taken, 1) for p in self.pops]
        edges += [(p.done, -1) for p in self.pops]
        most = now = 0
        for _at, step in sorted(edges):
            now += step
            most = max(most, now)
        return most


def poisson_arrivals(rate: float, count: int, callers: list[str], seed: int) -> list[Arrival]:
    """``count`` arrivals at ``rate`` a second on average (exponential gaps, seeded), callers
    taken in turn from ``callers``."""
    rng = random.Random(seed)
    at = 0.0
    arrivals = []
    for k in range(count):
        at += rng.expovariate(rate)
        arrivals.append(Arrival(at, callers[k % len(callers)]))
    return arrivals


def _pop(data: Any, mobile: str) -> None:
    members = data.members_for_caller(mobile)
    assert members, "every chosen caller is a member"
    data.profile(members[0].id, members[0])  # as the desk does (customer.py)


def _desk(location: str, head_file: str, k: int, warm: list[str], jobs: Any, out: Any) -> None:
    from cscdesk.tui.data import DeskData

    try:
        store = open_desk_store(location, head_file)
    except BaseException as exc:
        out.put(("failed", k, repr(exc)))
        raise
    try:
        data = DeskData(store, actor=lambda: f"bench-{k}")
        for mobile in warm:
            _pop(data, mobile)
        out.put(("ready", k, ""))
        while (job := jobs.get()) is not None:
            index, due, mobile = job
            taken = time.monotonic()
            _pop(data, mobile)
            out.put((index, due, taken, time.monotonic()))
    except BaseException as exc:
        out.put(("failed", k, repr(exc)))
        raise
    finally:
        store.close()


class Floor:
    """``desks`` desk processes on ``location`` (a SQLite path or a PostgreSQL URL), started and
    warmed up on entering, stopped on leaving; ``run`` plays one schedule of arrivals to them."""

    def __init__(self, location: str, head_file: Path, desks: int, warm_callers: list[str],
                 *, warm_pops: int = 3) -> None:  # fmt: skip
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._jobs = self._context.Queue()
        self._out = self._context.Queue()
        warm = [warm_callers[j % len(warm_callers)] for j in range(desks * warm_pops)]
        self._procs = [
            self._context.Process(
                target=_desk,
                args=(
                    location,
                    str(head_file),
                    k,
                    warm[k * warm_pops : (k + 1) * warm_pops],
                    self._jobs,
                    self._out,
                ),
            )
            for k in range(desks)
        ]

    def __enter__(self) -> Floor:
        for proc in self._procs:
            proc.start()
        for _ in self._procs:
            self._answer()  # each desk says it is warm, or why it failed
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:  # fmt: skip
        for _ in self._procs:
            self._jobs.put(None)
        for proc in self._procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
        failed = [p.exitcode for p in self._procs if p.exitcode]
        if failed and kind is None:
            raise RuntimeError(f"{len(failed)} desk processes failed (exit codes {failed})")

    def _answer(self) -> tuple[Any, ...]:
        """The next desk's answer; a desk that stopped, or none answering for
        ``RESULT_TIMEOUT``, is an error (an arrival it held would never be answered)."""
        import queue

        waited = 0.0
        while True:
            try:
                answer: tuple[Any, ...] = self._out.get(timeout=1.0)
                break
            except queue.Empty:
                waited += 1.0
                stopped = [p.exitcode for p in self._procs if p.exitcode is not None]
                if stopped or waited >= RESULT_TIMEOUT:
                    raise RuntimeError(
                        f"no desk answered for {waited:.0f} s; exit codes of stopped desks:"
                        f" {stopped}"
                    ) from None
        if answer[0] == "failed":
            raise RuntimeError(f"desk {answer[1]} failed: {answer[2]}")
        return answer

    def run(self, arrivals: list[Arrival]) -> Run:
        """Put each arrival on the desks' queue at its scheduled instant; every pop, timed from
        that instant."""
        load_before = os.getloadavg()[0]
        start = time.monotonic() + LEAD_SECONDS
        answers: list[tuple[Any, ...]] = []
        errors: list[BaseException] = []

        def collect() -> None:
            try:
                answers.extend(self._answer() for _ in arrivals)
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors.append(exc)

        collector = threading.Thread(target=collect, daemon=True)
        collector.start()
        late = 0.0
        for index, arrival in enumerate(arrivals):
            due = start + arrival.at
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            late = max(late, time.monotonic() - due)
            self._jobs.put((index, due, arrival.mobile))
        collector.join()
        if errors:
            raise errors[0]
        pops = [Pop(due, taken, done) for _index, due, taken, done in answers]
        first = start + arrivals[0].at
        return Run(pops, max(p.done for p in pops) - first, late * 1000,
                   (load_before, os.getloadavg()[0]))  # fmt: skip
