"""Desks sharing one store import 安和's daily extract at start-up, often at the same moment:
the second to record a file finds it recorded and skips it, which is no failure (three desks
started at once on PostgreSQL once logged "demo insurer extract not imported: UNIQUE
constraint failed")."""

from __future__ import annotations

import csv
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import postgres_db
from cscdesk.insurers.batch_import import POLICY_COLUMNS, import_directory
from cscdesk.store import Store
from cscdesk.store.insurer_batches import BatchFile, BatchRow

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _extract(folder: Path, day: date, people: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"anhe_policies_{day:%Y%m%d}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POLICY_COLUMNS)
        for n in range(people):
            writer.writerow([f"AH{day:%m%d}", f"AH{day:%m%d}-{n:04d}", f"M{n:04d}", "E1",
                             "企业补充医疗保险", "2026-01-01", "2026-12-31", "有效",
                             "OPD:门急诊医疗:20000:100:0.8"])  # fmt: skip
    return path


def _files_recorded(store: Store) -> int:
    with store.reading() as db:
        return int(db.execute("SELECT count(*) FROM insurer_batch_files").fetchone()[0])


def _at_once(desks: list[Store], folder: Path) -> tuple[list[str], list[BaseException]]:
    """Each desk imports ``folder`` in a thread of its own, all let go at the same moment."""
    start = threading.Barrier(len(desks))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def desk(own: Store) -> None:
        start.wait()
        try:
            outcomes.extend(o.status for o in import_directory(own, folder, NOW).outcomes)
        except BaseException as exc:  # what the desk logged as "extract not imported"
            failures.append(exc)

    threads = [threading.Thread(target=desk, args=(s,)) for s in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes, failures


def test_two_desks_importing_the_same_extract_at_once_both_finish(
    store: Store, tmp_path: Path
) -> None:
    other = postgres_db.reopen(store)  # a second desk: its own connection to the same store
    days = [date(2026, 12, d) for d in range(1, 9)]
    try:
        for day in days:
            _extract(tmp_path / f"{day}", day)
            outcomes, failures = _at_once([store, other], tmp_path / f"{day}")
            assert failures == []
            assert sorted(outcomes) == ["imported", "skipped"]
    finally:
        other.close()
    assert _files_recorded(store) == len(days)
    assert store.insurer_batches.latest_extract("anhe") == days[-1]


def test_a_desk_that_finds_the_file_recorded_meanwhile_loads_nothing(
    store: Store, tmp_path: Path
) -> None:
    """The interleaving the race comes to: desk B saw the file not yet loaded, desk A then
    recorded it, and B's load comes second."""
    file = BatchFile("ab" * 32, "anhe", "policies", "anhe_policies_20261201.csv",
                     date(2026, 12, 1), 1, NOW)  # fmt: skip
    row = BatchRow("AH1201/AH1201-0001", "M0001", "AH1201", '{"policy_no": "AH1201"}')
    other = postgres_db.reopen(store)
    try:
        store.insurer_batches.load(file, [row])  # desk A
        assert other.insurer_batches.load(file, [row]) is False
    finally:
        other.close()
    assert _files_recorded(store) == 1
