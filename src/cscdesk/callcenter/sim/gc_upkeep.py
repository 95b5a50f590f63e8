"""Garbage collection without stalls for a served simulator (``cscdesk sim``).

The model keeps every finished call (the CDR history ListCallDetailRecords pages through), so
the heap grows by about four tracked objects a call, and CPython's full collection walks all of
them: at 1,000 arrivals a minute and 60× speed a full collection took up to 943 ms, 57 simulated
seconds in which the simulator answered nothing. Finished calls never change again and form no
cycles, so they need not be walked again and again: after start-up, and then after every few
thousand finished calls, one collection of what is new (small, because everything older is
frozen) is followed by ``gc.freeze()``, which moves the survivors out of every later collection.
Nothing unreachable is frozen (the collection runs first); reference counting still frees frozen
objects as usual. Only a simulator process uses this: a desk's own objects are never frozen.
"""

from __future__ import annotations

import gc
import threading

FREEZE_EVERY_CALLS = 2_000  # ~2 simulated minutes at the bench load; the collection stays small
YOUNG_THRESHOLD = 5_000  # fewer young collections than the default 700, each still short


class GcUpkeep:
    """Freezes the long-lived heap at start and then every ``every`` finished calls."""

    def __init__(self, every: int = FREEZE_EVERY_CALLS) -> None:
        self.every = every
        self.freezes = 0
        self._frozen_at = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """After the model and server are built: everything that exists now lives on."""
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        self._freeze()

    def upkeep(self, finished_calls: int) -> None:
        """Called by the clock ticker after each catch-up (cheap when there is nothing to do)."""
        if finished_calls - self._frozen_at < self.every:
            return
        with self._lock:
            if finished_calls - self._frozen_at >= self.every:
                self._frozen_at = finished_calls
                self._freeze()

    def _freeze(self) -> None:
        gc.collect()  # walks only what is not frozen yet: the calls since the last freeze
        gc.freeze()
        self.freezes += 1
