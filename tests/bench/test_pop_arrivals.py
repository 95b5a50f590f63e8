"""The open-loop screen-pop load (bench.pop_arrivals): arrivals that find every desk busy wait,
and that wait is part of the pop's time; a desk that fails is reported, not waited for."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A small seeded store and the mobiles that name exactly one member."""
    from cscdesk.demo.seed import seed_demo
    from cscdesk.store import open_store

    path = tmp_path_factory.mktemp("center") / "center.db"
    store = open_store(path)
    try:
        seed_demo(store, members=60, seed=3)
        with store.reading() as db:
            rows = db.execute(
                "SELECT mobile FROM members WHERE mobile != '' ORDER BY id"
            ).fetchall()
        mobiles = [r[0] for r in rows if len(store.members.by_mobile(r[0])) == 1]
    finally:
        store.close()
    return path, mobiles


@pytest.fixture(autouse=True)
def bench_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    assert str(ROOT) in sys.path


def test_callers_arriving_together_queue_for_one_desk_and_their_wait_counts(
    center: tuple[Path, list[str]], tmp_path: Path
) -> None:
    from bench.pop_arrivals import Arrival, Floor

    path, mobiles = center
    arrivals = [Arrival(0.0, mobile) for mobile in mobiles[:4]]
    with Floor(str(path), tmp_path / "heads", 1, mobiles, warm_pops=1) as floor:
        run = floor.run(arrivals)
    pops = sorted(run.pops, key=lambda p: p.taken)
    assert len(pops) == 4 and {p.due for p in pops} == {pops[0].due}
    for earlier, later in itertools.pairwise(pops):
        assert later.taken >= earlier.done  # the one desk took the next caller once free
        assert later.total_ms >= later.service_ms + earlier.service_ms  # queued time counted
    assert run.most_at_once() == 4 and run.most_at_once(queued=False) == 1


def test_a_desk_that_fails_is_reported_with_its_reason(
    center: tuple[Path, list[str]], tmp_path: Path
) -> None:
    from bench.pop_arrivals import Arrival, Floor

    path, mobiles = center
    with (
        pytest.raises(RuntimeError, match="desk 0 failed: AssertionError"),
        Floor(str(path), tmp_path / "heads", 1, mobiles, warm_pops=1) as floor,
    ):
        floor.run([Arrival(0.0, "13900000000")])  # no member has this number
