"""Garbage collection between a long-lived screen's refreshes, not inside them.

A wallboard of 500 agents holds tens of thousands of long-lived objects (widgets, styles, cached
cells, the roster). CPython's full collections walk all of them again and again, and one landing
inside a refresh turns a 15 ms repaint into 50-80 ms (bench/bench_wallboard.py). After the board
is first filled, one collection followed by ``gc.freeze()`` moves what exists then out of every
later collection. Nothing unreachable is frozen (the collection runs first), reference counting
still frees frozen objects, and what is created later is collected as usual. Once per process.

Even so, at CPython's default young threshold (700 allocations) a refresh, which allocates a few
thousand tracked objects, ran three young collections, a middle one every third refresh and now
and then a full one inside the frame. So once the heap is settled the young threshold is raised
above what one refresh allocates, and after each refreshed frame the screen collects the young
generation in the idle time before the next poll (an older one when CPython's own counts say it
is due): the same collections, between frames. If refreshes ever come back to back, the raised
threshold still starts collections by allocation count.
"""

from __future__ import annotations

import gc
import weakref

from textual.app import App
from textual.widget import Widget

YOUNG_THRESHOLD = 20_000  # a wallboard refresh leaves ~2,500 more tracked objects than it frees
AFTER_FRAME_S = 0.05  # the frame is drawn within ~17 ms of the refresh; polls are a second apart

_frozen = False
_pending: weakref.ref[App[object]] | None = None  # the app whose after-frame collection waits


def freeze_settled_heap() -> bool:
    """Collect, then freeze the survivors and raise the young threshold; a no-op after the
    first call. True if it froze."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return True


def collect_after_frame(widget: Widget) -> None:
    """Collect what this refresh left a moment after its frame is drawn, in the idle time
    before the next poll (once however many tables ask): not inside this frame, which the
    collection would delay, and not inside the next one."""
    global _pending
    app = widget.app
    if _frozen and (_pending is None or _pending() is not app):
        # the app's timer outlives any one screen; an app closed before it fired leaves a dead
        # reference, and the next app schedules its own collection
        _pending = weakref.ref(app)
        app.set_timer(AFTER_FRAME_S, _collect_young, name="collect after frame")


def _collect_young() -> None:
    global _pending
    _pending = None
    gc.collect(next_generation())


def next_generation() -> int:
    """The generation CPython's allocation count would collect next: the oldest one whose count
    of collections below it reached its threshold (young collections are the cheap, usual case)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    return next((gen for gen in (2, 1) if counts[gen] >= thresholds[gen]), 0)
