"""A copy of one seeded store per test (seeding once per module keeps the tests quick)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cscdesk.demo.seed import seed_demo
from cscdesk.store import Store, open_store


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "seed.db"
    store = open_store(path)
    seed_demo(store, members=40, seed=7)
    store.close()
    return path


@pytest.fixture
def store_path(seeded_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cscdesk.db"
    with sqlite3.connect(seeded_file) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    opened = open_store(store_path)
    yield opened
    opened.close()
