"""Failover: the PostgreSQL server restarted in the middle of ticket sync, of the archive round
and of a store copy (a throwaway cluster the test starts itself). Nothing is lost, nothing is
written twice, and the work resumes once the server is back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import pg_cluster
import s3_server
from cscdesk.store import StoreError, open_store
from cscdesk.store.postgres import open_postgres


@pytest.fixture
def cluster() -> Iterator[pg_cluster.Cluster]:
    made = pg_cluster.Cluster()
    try:
        yield made
    finally:
        made.remove()


async def test_ticket_sync_survives_a_server_restart_mid_push(
    cluster: pg_cluster.Cluster, sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away right after the remote accepted a ticket and before the desk's
    store recorded it: the next rounds adopt that ticket instead of creating it again."""
    from .conftest import make_port
    from .desks import Desk, remote_snapshots

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    port = make_port(sim)
    desk = Desk(cluster.url, port, "agent001")  # type: ignore[arg-type]
    tickets = [desk.create(f"咨询门诊报销比例 {i}") for i in range(5)]
    create = port.create_ticket
    restarted: list[bool] = []

    async def create_then_fail_over(*args: Any, **kwargs: Any) -> Any:
        created = await create(*args, **kwargs)
        if not restarted:
            restarted.append(True)
            cluster.restart()
        return created

    port.create_ticket = create_then_fail_over  # type: ignore[method-assign]
    faults = 0
    for _ in range(40):
        try:
            await desk.round()
        except StoreError:
            faults += 1  # the desk's sync loop logs this and goes on
        if desk.storage.backlog() == 0:
            break
    assert restarted
    remote = await remote_snapshots(port)
    assert {t.id: len(remote.get(t.id, [])) for t in tickets} == {t.id: 1 for t in tickets}
    assert desk.storage.backlog() == 0
    assert all(desk.get(t.id).remote_id for t in tickets)
    desk.store.close()
    await port.aclose()


async def test_the_archive_round_survives_a_server_restart_mid_copy(
    cluster: pg_cluster.Cluster, tmp_path: Path
) -> None:
    """Recordings go on into the bucket while the store's server restarts; every CDR and every
    recording ends up stored once."""
    from cscdesk.config import ArchiveSettings
    from cscdesk.sync.recordings import fetch_recordings
    from cscdesk.sync.s3blobs import S3BlobStore
    from cscdesk.sync.service import archive_round
    from cscdesk.sync.storage import SyncStorage

    from .archive_env import start_archive_sim, wall
    from .conftest import make_port

    store = open_postgres(cluster.url, pool_size=2, audit_head_file=tmp_path / "heads")
    bucket = s3_server.new_bucket()
    blobs = S3BlobStore(
        f"s3://{bucket}/c", spool_dir=tmp_path / "spool", endpoint=s3_server.endpoint(),
        access_key_id=s3_server.KEY_ID, secret_access_key=s3_server.KEY_SECRET,
    )  # fmt: skip
    put = blobs.put_stream
    stored: list[str] = []

    async def put_then_fail_over(chunks: Any) -> Any:
        blob = await put(chunks)
        stored.append(blob.sha256)
        if len(stored) == 2:
            cluster.restart()  # the row for this recording is not written yet
        return blob

    blobs.put_stream = put_then_fail_over  # type: ignore[method-assign]
    history = start_archive_sim(restore_seconds=0)
    port = make_port(history)
    storage = SyncStorage(store)
    settings = ArchiveSettings(lag_alarm_days=1)
    try:
        faults = 0
        for _ in range(12):
            try:
                result = await archive_round(
                    port, storage, blobs, instance_id="ccc-demo", settings=settings,
                    clock=wall, restore_retry=timedelta(0),
                )  # fmt: skip
            except StoreError:
                faults += 1
                continue
            if result.waiting_for_restore == 0 and result.recordings.stored == 0:
                break
        # a job cut by the restart waits out its retry backoff: not lost, only later (the
        # test asks for the jobs due by tomorrow rather than waiting)
        await fetch_recordings(port, storage, blobs, clock=wall, due_by=wall() + timedelta(days=1))
        assert len(stored) >= 2
        calls = storage.calls_between(wall() - timedelta(days=10), wall())
        ids = [c.contact_id for c in calls]
        assert len(ids) == len(set(ids)) > 10
        recorded = {c.contact_id for c in calls if c.recorded}
        manifest = {r.contact_id: r.sha256 for r in storage.recordings()}
        assert recorded <= set(manifest)
        in_bucket = {key.rsplit("/", 1)[1] for key in s3_server.objects(bucket)}
        assert in_bucket == set(manifest.values())
    finally:
        await port.aclose()
        history.stop()
        store.close()


def test_a_store_copy_cut_by_a_restart_resumes_and_matches(
    cluster: pg_cluster.Cluster, tmp_path: Path
) -> None:
    from datetime import date

    from cscdesk.demo.seed import seed_demo
    from cscdesk.store.copying import copy_store

    source = open_store(tmp_path / "center.db")
    seed_demo(source, members=300, seed=3, today=date(2026, 3, 2))
    target = open_postgres(cluster.url, pool_size=2, audit_head_file=tmp_path / "heads")
    restarted: list[bool] = []

    def fail_over_in_members(table: str, rows: int) -> None:
        if table == "members" and rows >= 100 and not restarted:
            restarted.append(True)
            cluster.restart()

    try:
        try:  # the pool replaces the cut connections, so the copy usually goes straight on
            report = copy_store(source, target, batch=50, progress=fail_over_in_members)
        except StoreError:  # cut inside a batch: that batch was rolled back; run it again
            report = copy_store(source, target, batch=50)
            assert report.resumed
        assert restarted and report.ok
        assert target.members.count() == source.members.count()
        assert [c.source_rows for c in report.checks] == [c.target_rows for c in report.checks]
    finally:
        target.close()
        source.close()
