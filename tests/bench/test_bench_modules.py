"""Every benchmark module imports and offers ``run(quick)`` for ``python -m bench`` (no timings)."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


@pytest.mark.parametrize("name", MODULES)
def test_bench_module_exposes_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.run)
    assert "quick" in inspect.signature(module.run).parameters
    assert f"bench.{name}" in sys.modules


def test_the_runner_finds_every_module() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import discover

    assert discover() == MODULES and len(MODULES) >= 10
