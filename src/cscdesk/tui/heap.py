"""One heap freeze after a long-lived screen is first filled, so refreshes don't stall.

A wallboard of 500 agents holds tens of thousands of long-lived objects (widgets, styles, cached
cells, the roster). CPython's full collections walk all of them again and again, and one landing
inside a refresh turns a 15 ms repaint into 50-80 ms (bench/bench_wallboard.py). After the board
is first filled, one collection followed by ``gc.freeze()`` moves what exists then out of every
later collection. Nothing unreachable is frozen (the collection runs first), reference counting
still frees frozen objects, and what is created later is collected as usual. Once per process.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_settled_heap() -> bool:
    """Collect, then freeze the survivors; a no-op after the first call. True if it froze."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    return True
