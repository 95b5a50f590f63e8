"""The key-press bench drives the desk as it is laid out today: at 80×24 the number keys move the
tab bar and the pane shown with it (the desk left TabbedContent for a Tabs bar and layout
classes, and the bench went on looking for the old widget until `make bench` failed on it)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_each_tab_key_is_timed_until_its_pane_shows(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("bench", None)
    from bench.bench_desk_keypress import KEYS, _presses

    from cscdesk.demo.seed import demo_mobiles, seed_demo
    from cscdesk.store import open_store

    store = open_store(tmp_path / "desk.db")
    try:
        seed_demo(store, members=60, seed=7)
        mobiles = demo_mobiles(store, 20)
        samples, rate = asyncio.run(_presses(store, mobiles, busy=True, rounds=1))
    finally:
        store.close()
    assert len(samples) == len(KEYS)  # every key reached its pane
    assert rate > 0  # the desk kept polling the call system meanwhile
