"""Ticket numbers a person reads out on the phone: one per ticket, across desks and processes."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from cscdesk.domain.ticket_numbers import format_number, normalise_number
from cscdesk.store import Store, open_store
from cscdesk.store.migrations import (
    MIGRATIONS,
    _v18_ticket_numbers_and_queues,
    apply_migrations,
    schema_version,
)

from .helpers import T0, created, ticket

HERE = Path(__file__).parent


def test_the_number_names_the_day_and_the_count() -> None:
    assert format_number(date(2026, 11, 30), 42) == "GD-20261130-0042"
    assert format_number(date(2026, 11, 30), 12345) == "GD-20261130-12345"
    for typed in ("GD-20261130-0042", "gd 20261130 0042", "GD202611300042", " gd-20261130-42 "):
        assert normalise_number(typed) == "GD-20261130-0042", typed
    assert normalise_number("理赔进度") is None
    assert normalise_number("20261130") is None
    with pytest.raises(ValueError, match="counts from 1"):
        format_number(date(2026, 11, 30), 0)


def test_numbers_count_per_day_of_the_center_clock(store: Store) -> None:
    """T0 is 09:00 UTC = 17:00 北京时间 on 2 March; 16:30 UTC is already 3 March in Beijing."""
    first = store.tickets.save_new(ticket("T1"), created(ticket("T1")))
    second = store.tickets.save_new(ticket("T2"), created(ticket("T2")))
    late = ticket("T3", created_at=T0 + timedelta(hours=7, minutes=30))
    third = store.tickets.save_new(late, created(late))
    assert [first.number, second.number, third.number] == [
        "GD-20260302-0001", "GD-20260302-0002", "GD-20260303-0001",
    ]  # fmt: skip
    assert [t.id for t in store.tickets.by_number("GD-20260302-0002")] == ["T2"]
    (entry, *_rest) = store.outbox.pending()
    assert entry.payload["number"] == "GD-20260302-0001"  # the remote copy carries it too


def test_a_failed_save_gives_its_number_back(store: Store) -> None:
    store.tickets.save_new(ticket("T1"), created(ticket("T1")))
    with pytest.raises(Exception, match="UNIQUE"):
        store.tickets.save_new(ticket("T1"), created(ticket("T1")))  # same id: rolled back
    again = store.tickets.save_new(ticket("T2"), created(ticket("T2")))
    assert again.number == "GD-20260302-0002"


def test_several_processes_allocating_at_once_never_share_a_number(tmp_path: Path) -> None:
    path = tmp_path / "center.db"
    open_store(path).close()  # migrated once, before the race
    start = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, str(HERE / "number_writer.py"), str(path), str(start), f"d{k}", "25"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(4)
    ]
    start.touch()
    numbers = []
    for writer in writers:
        out, _err = writer.communicate(timeout=120)
        assert writer.returncode == 0
        numbers += out.split()
    assert len(numbers) == 100
    assert sorted(numbers) == [f"GD-20261130-{k:04d}" for k in range(1, 101)]
    store = open_store(path)
    assert store.tickets.count() == 100
    store.close()


def test_tickets_stored_before_numbers_get_them_in_the_order_they_were_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = Store(path)
    numbering = next(
        i for i, m in enumerate(MIGRATIONS) if m.apply is _v18_ticket_numbers_and_queues
    )
    apply_migrations(old, upto=numbering)
    later = ticket("T-LATER", created_at=T0 + timedelta(minutes=30))
    earlier = ticket("T-EARLIER")
    for item in (later, earlier):
        old.tickets.save_new(item, created(item))
    old.close()

    store = open_store(path)
    assert schema_version(store) == len(MIGRATIONS)
    assert store.tickets.require("T-EARLIER").number == "GD-20260302-0001"
    assert store.tickets.require("T-LATER").number == "GD-20260302-0002"
    fresh = store.tickets.save_new(ticket("T-NEW"), created(ticket("T-NEW")))
    assert fresh.number == "GD-20260302-0003"  # the count goes on after the migrated ones
    edited = dataclasses.replace(store.tickets.require("T-LATER"), number=None, version=2)
    store.tickets.save_change(edited, created(edited), base_version=1)
    assert store.tickets.require("T-LATER").number == "GD-20260302-0002"  # never erased
    store.close()
