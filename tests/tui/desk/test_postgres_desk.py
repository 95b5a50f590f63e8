"""The desk on a PostgreSQL store (a larger center): the same flows as the SQLite desk, with
their own assertions, on the seeded store moved into PostgreSQL by ``store copy``: screen pop,
answer, hold and release; a ticket created, moved, escalated and noted with its history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_call_flow import (
    test_offered_call_pops_the_callers_profile_then_answer_hold_and_release as test_screen_pop_on_postgresql,
)
from test_tickets import (
    test_ticket_created_moved_escalated_and_noted_with_its_history as test_ticket_flow_on_postgresql,
)

import postgres_db
from cscdesk.store import open_store
from cscdesk.store.copying import copy_store
from cscdesk.store.postgres import open_postgres

__all__ = ["test_screen_pop_on_postgresql", "test_ticket_flow_on_postgresql"]


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path) -> Iterator[Any]:
    """This module's store: the seeded desk store, copied into a new PostgreSQL database."""
    postgres_db.server_or_skip()
    source = open_store(seeded_db, read_only=True)
    target = open_postgres(
        postgres_db.new_database("cscdesk_desk"), pool_size=4, audit_head_file=tmp_path / "h"
    )
    try:
        assert copy_store(source, target).ok
    finally:
        source.close()
    yield target
    target.close()
