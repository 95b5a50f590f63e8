"""Moving a center: a demo store copied SQLite → PostgreSQL → SQLite finds the same people and
tickets, an interrupted copy resumes without writing a row twice, a non-empty target is refused,
and the command line copies the recordings into a bucket too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import postgres_db
import s3_server
from cscdesk.demo.seed import seed_demo
from cscdesk.store import Store, open_store
from cscdesk.store.copying import TargetNotEmpty, copy_store
from cscdesk.store.postgres import open_postgres

from .helpers import created, ticket


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    postgres_db.server_or_skip()
    store = open_store(tmp_path_factory.mktemp("center") / "cscdesk.db")
    seed_demo(store, members=400, seed=11, today=date(2026, 3, 2))
    first = ticket("T-COPY", "咨询理赔进度 客户来电")
    store.tickets.save_new(first, created(first))
    yield store
    store.close()


def _pg(tmp_path: Path) -> Store:
    return open_postgres(
        postgres_db.new_database("cscdesk_copy"), pool_size=2, audit_head_file=tmp_path / "h"
    )


def _same_center(a: Store, b: Store) -> None:
    for query in ("华", "丽华", "lihua", "1380"):
        assert [h.member.id for h in a.members.lookup(query, 20).hits] == [
            h.member.id for h in b.members.lookup(query, 20).hits
        ], query
    assert [t.id for t in a.tickets.search("理赔 进度")] == [
        t.id for t in b.tickets.search("理赔 进度")
    ]
    assert a.audit.list() == b.audit.list()


def test_a_center_moves_to_postgresql_and_back_unchanged(center: Store, tmp_path: Path) -> None:
    target = _pg(tmp_path)
    try:
        report = copy_store(center, target, batch=97)
        assert report.ok and not report.resumed
        assert {c.table for c in report.checks} >= {"members", "tickets", "audit", "calls"}
        assert all(c.source_rows == c.target_rows for c in report.checks)
        _same_center(center, target)
        back = open_store(tmp_path / "back.db")
        try:
            assert copy_store(target, back).ok
            _same_center(center, back)
        finally:
            back.close()
        # the moved store keeps working: new ids continue after the copied ones
        later = ticket("T-AFTER", "搬迁后的新工单")
        target.tickets.save_new(later, created(later))
        assert target.tickets.events("T-AFTER")[0].kind == "created"
    finally:
        target.close()


def test_an_interrupted_copy_resumes_and_writes_no_row_twice(center: Store, tmp_path: Path) -> None:
    target = _pg(tmp_path)
    try:
        seen: list[str] = []

        def stop_in_members(table: str, rows: int) -> None:
            seen.append(table)
            if table == "members" and rows >= 200:
                raise ConnectionError("the network dropped")

        with pytest.raises(ConnectionError):
            copy_store(center, target, batch=100, progress=stop_in_members)
        partial = target.members.count()
        assert 0 < partial < center.members.count()
        again = copy_store(center, target, batch=100)
        assert again.resumed and again.ok
        assert again.copied["members"] == center.members.count() - partial
        assert target.members.count() == center.members.count()
        with pytest.raises(TargetNotEmpty, match="already holds data"):
            copy_store(center, target)  # finished: now it is someone's store
    finally:
        target.close()


def test_the_command_copies_the_store_and_its_recordings_into_a_bucket(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from click.testing import CliRunner

    from cscdesk.cli import main
    from cscdesk.domain.models import Recording
    from cscdesk.sync.blobstore import BlobStore

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    source = open_store(data_dir / "cscdesk.db")
    audio = b"RIFF recorded call"
    blob = BlobStore(data_dir / "recordings").put_file(_file(tmp_path, audio))
    when = date(2026, 3, 2)
    from datetime import UTC, datetime

    source.recordings.put(
        Recording("job-1", blob.sha256, blob.size, "audio/wav", datetime(2026, 3, 2, tzinfo=UTC),
                  date(when.year + 5, 3, 2))
    )  # fmt: skip
    source.close()
    url = postgres_db.new_database("cscdesk_cli_copy")
    bucket = s3_server.new_bucket()
    config = tmp_path / "site.toml"
    config.write_text(
        f'[archive]\ns3_endpoint = "{s3_server.endpoint()}"\n'
        's3_access_key_id = "keyring:s3-id"\ns3_secret_access_key = "keyring:s3-secret"\n',
        encoding="utf-8",
    )
    import keyring

    keyring.set_password("cscdesk", "s3-id", s3_server.KEY_ID)
    keyring.set_password("cscdesk", "s3-secret", s3_server.KEY_SECRET)
    base = ["--config", str(config), "--data-dir", str(data_dir), "store", "copy", "--to", url]
    result = CliRunner().invoke(main, [*base, "--recordings-to", f"s3://{bucket}/moved"])
    assert result.exit_code == 0, result.output
    assert "copy complete: counts and checksums match" in result.output
    assert "recordings: 1 copied" in result.output
    objects = s3_server.objects(bucket)
    assert list(objects.values()) == [audio]
    assert hashlib.sha256(audio).hexdigest() in next(iter(objects))
    again = CliRunner().invoke(main, base)
    assert again.exit_code == 1
    assert "refused" in again.output and "already holds data" in again.output


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(data)
    return path
