"""Contact ids (JobId / ContactId) in the vendor's shape, unique across simulator restarts.

CCC's ids are ``job-`` and an 18-digit decimal that never repeats (GetTicket's example
``job-399383842187575296``, GetCallDetailRecord's ``job-109634426711871319``). A counter starting
at 1 in each run would hand out ids a store already holds for other calls, so the id is the
run's start on the wall clock (milliseconds since 2020-01-01) shifted left 22 bits plus a
sequence: two runs collide only if one makes four million calls per millisecond between their
starts. The simulated clock is not used: it may be rewound (``--prefill-days``) or replayed.
"""

from __future__ import annotations

import itertools
import time

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
_SEQUENCE_BITS = 22


class ContactIds:
    """``next()`` gives the next id; ``origin_ms`` (wall-clock epoch ms) fixes the run's base."""

    def __init__(self, origin_ms: int | None = None) -> None:
        origin = time.time_ns() // 1_000_000 if origin_ms is None else origin_ms
        self._base = max(0, origin - _EPOCH_MS) << _SEQUENCE_BITS
        self._seq = itertools.count(1)

    def next(self) -> str:
        return f"job-{self._base + next(self._seq)}"
