"""Several desks (processes, each with a few threads) writing the first audit records of a new
store at once: the head file they leave must read clean in ``audit verify``, never as a head
file that was deleted and begun again; a head file that really was deleted still is reported.
"""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

import postgres_db
from cscdesk.store import Store, open_store

DESKS = 4  # processes
AGENTS = 3  # threads in each
RECORDS = 3  # each agent's records
ROUNDS = 10  # new stores: a race lost now and then must show up in one run


def _open(engine: str, where: str, head_file: str) -> Store:
    if engine == "postgresql":
        from cscdesk.store.postgres import open_postgres

        return open_postgres(where, pool_size=2, audit_head_file=Path(head_file))
    return open_store(Path(where))


def _new_store(engine: str, folder: Path) -> tuple[str, str]:
    """(where, head file) of an empty store: a new SQLite file, or the emptied database."""
    if engine == "postgresql":
        url = postgres_db.worker_database()
        postgres_db.empty(url)
        return url, str(folder / "audit-head")
    path = folder / "cscdesk.db"
    open_store(path).close()
    return str(path), f"{path}.audit-head"


def _desk(engine: str, where: str, head_file: str, start: Any, desk: int) -> None:
    """One desk process: its agents wait until every desk is ready, then look people up."""
    store = _open(engine, where, head_file)
    ready = threading.Barrier(AGENTS, action=start.wait)

    def agent(k: int) -> None:
        ready.wait()
        for i in range(RECORDS):
            store.audit.append(f"agent{desk}{k}", "member.reveal", "member", f"M{desk}{k}{i}")

    agents = [threading.Thread(target=agent, args=(k,)) for k in range(AGENTS)]
    for thread in agents:
        thread.start()
    for thread in agents:
        thread.join()
    store.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_desks_writing_a_new_stores_first_records_at_once_leave_a_head_file_that_verifies(
    engine: str, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")  # each desk opens its own store
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        where, head_file = _new_store(engine, folder)
        start = context.Barrier(DESKS)
        desks = [
            context.Process(target=_desk, args=(engine, where, head_file, start, d))
            for d in range(DESKS)
        ]
        for process in desks:
            process.start()
        for process in desks:
            process.join(120)
            assert process.exitcode == 0
        with _open(engine, where, head_file) as store:
            assert len(store.audit.list()) == DESKS * AGENTS * RECORDS
            report = store.audit.verify()
        assert report.ok, (round_, report.problems)
        assert report.heads >= DESKS * AGENTS * RECORDS


def _append_one(engine: str, where: str, head_file: str) -> None:
    with _open(engine, where, head_file) as store:
        store.audit.append("agent-b", "member.reveal", "member", "M2")


def test_the_first_records_head_written_after_another_desks_is_not_taken_for_a_restart(
    store: Store,
) -> None:
    """Desk A's first record is committed, and before its head reaches the file another desk
    (a process of its own) commits the second record and appends that record's head."""
    where = store.url if store.dialect == "postgresql" else str(store.path)  # type: ignore[attr-defined]
    context = multiprocessing.get_context("fork")

    def another_desk_writes_its_head_first() -> None:
        desk = context.Process(
            target=_append_one, args=(store.dialect, where, str(store.audit.head_file))
        )
        desk.start()
        desk.join(60)
        assert desk.exitcode == 0

    with store.transaction():
        store.after_commit(another_desk_writes_its_head_first)  # runs before A's own head
        store.audit.append("agent-a", "member.reveal", "member", "M1")
    heads, _ = store.audit.read_heads()
    assert [head["seq"] for _, head in heads if head["event"] == "append"] == [2, 1]
    report = store.audit.verify()
    assert report.ok, report.problems
    assert [e.actor for e in store.audit.list()] == ["agent-a", "agent-b"]


def test_a_head_file_deleted_after_the_first_records_is_still_reported(store: Store) -> None:
    for i in range(3):
        store.audit.append("agent001", "member.reveal", "member", f"M{i}")
    store.audit.head_file.unlink()
    store.audit.append("agent001", "member.reveal", "member", "M3")
    report = store.audit.verify()
    assert any(p.startswith("HEAD FILE RESTARTED") for p in report.problems), report.problems


def test_a_head_file_emptied_after_the_first_records_is_still_reported(store: Store) -> None:
    for i in range(3):
        store.audit.append("agent001", "member.reveal", "member", f"M{i}")
    store.audit.head_file.write_bytes(b"")
    store.audit.append("agent001", "member.reveal", "member", "M3")
    report = store.audit.verify()
    assert any(p.startswith("HEAD FILE RESTARTED") for p in report.problems), report.problems
