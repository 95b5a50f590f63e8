"""Shared measuring and printing for every benchmark, so all tables read the same way.

A benchmark module exposes ``run(quick: bool) -> list[Row]``; ``python -m bench`` runs them all,
prints their tables and writes every figure to ``bench/results.json``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Stats:
    median: float
    minimum: float
    maximum: float
    p95: float
    runs: int

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(statistics.median(ordered), ordered[0], ordered[-1], p95, len(ordered))


@dataclass(frozen=True)
class Row:
    """One measured thing beside its baseline. ``unit`` is what the numbers count (ms, MB, /s)."""

    name: str
    unit: str
    measured: Stats
    baseline: Stats | None
    baseline_name: str
    target: str
    met: bool | None  # None when the target cannot be judged from these figures
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median == 0:
            return None
        return self.measured.median / self.baseline.median


def time_ms(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> Stats:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Stats.of(samples)


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def print_table(title: str, rows: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in (
        "what",
        "median",
        "min",
        "max",
        "p95",
        "baseline",
        "median",
        "ratio",
        "target",
        "met",
    ):
        table.add_column(
            column, justify="left" if column in ("what", "baseline", "target") else "right"
        )
    for row in rows:
        m, b = row.measured, row.baseline
        table.add_row(
            f"{row.name} ({row.unit})",
            _fmt(m.median),
            _fmt(m.minimum),
            _fmt(m.maximum),
            _fmt(m.p95),
            row.baseline_name,
            _fmt(b.median) if b else "—",
            f"{row.ratio:.3g}×" if row.ratio is not None else "—",
            row.target,
            {True: "yes", False: "NO", None: "—"}[row.met],
        )
    Console(width=180).print(table)
    for row in rows:
        if row.notes:
            Console().print(f"  {row.name}: {row.notes}")


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [{**asdict(row), "ratio": row.ratio} for row in rows]
