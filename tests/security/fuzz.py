"""Shared hypothesis strategies for hostile outside data: any JSON, and mutations of good data."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


# Bounded so the whole security folder stays well inside the suite's time budget.
def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


FUZZ = fuzz(120)  # pure parsers: cheap per example
FILE_FUZZ = fuzz(30)  # each example writes files and a database

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=16)
    | st.sampled_from(["", "0", "-1", "1e400", "2024-13-45", "NaN", "2026-02-30T25:00:00", "€"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)


def mutate(data: st.DataObject, value: Any, rate: int = 6) -> Any:
    """Walk a valid payload; each node may be replaced by junk or dropped (about 1 in ``rate``)."""
    if data.draw(st.integers(0, rate * 2), label="replace?") == 0:
        return data.draw(JSON, label="junk")
    if isinstance(value, dict):
        return {
            k: mutate(data, v, rate)
            for k, v in value.items()
            if data.draw(st.integers(0, rate * 2), label="drop?") != 0
        }
    if isinstance(value, list):
        return [mutate(data, v, rate) for v in value]
    return value
