"""Recordings in an S3-compatible bucket (moto's server on 127.0.0.1): content-addressed and
written once, checked by stored checksums plus sampled full re-reads, and the archive round of a
center whose store is on PostgreSQL and whose recordings are in the bucket."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import s3_server
from cscdesk.sync.s3blobs import S3BlobStore


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _bucket_store(tmp_path: Path, bucket: str, **extra: Any) -> S3BlobStore:
    return S3BlobStore(
        f"s3://{bucket}/center-1",
        spool_dir=tmp_path / "spool",
        endpoint=s3_server.endpoint(),
        region=s3_server.REGION,
        access_key_id=s3_server.KEY_ID,
        secret_access_key=s3_server.KEY_SECRET,
        **extra,
    )


async def test_a_recording_is_stored_once_under_its_sha256(tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    blobs = _bucket_store(tmp_path, bucket)
    audio = b"RIFF" + b"audio" * 5000
    sha = hashlib.sha256(audio).hexdigest()
    first = await blobs.put_stream(_chunks(audio[:100], audio[100:]))
    again = await blobs.put_stream(_chunks(audio))  # a retried download, or another host
    assert first == again and first.sha256 == sha and first.size == len(audio)
    assert s3_server.objects(bucket) == {f"center-1/{sha[:2]}/{sha[2:4]}/{sha}": audio}
    assert blobs.exists(sha) and blobs.checksum(sha) == sha
    assert list(blobs.iter_hashes()) == [sha]
    assert list((tmp_path / "spool").iterdir()) == []  # the spool file is gone


async def test_two_hosts_storing_the_same_recording_at_once_leave_one_object(
    tmp_path: Path,
) -> None:
    bucket = s3_server.new_bucket()
    hosts = [_bucket_store(tmp_path / f"host{i}", bucket) for i in range(4)]
    audio = b"same call" * 1000
    stored = await asyncio.gather(*(h.put_stream(_chunks(audio)) for h in hosts))
    assert len({s.sha256 for s in stored}) == 1
    assert list(s3_server.objects(bucket).values()) == [audio]


async def test_a_broken_download_leaves_nothing_in_the_bucket(tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    blobs = _bucket_store(tmp_path, bucket)

    async def broken() -> AsyncIterator[bytes]:
        yield b"half a recording"
        raise ConnectionResetError("link dropped")

    with pytest.raises(ConnectionResetError):
        await blobs.put_stream(broken())
    assert s3_server.objects(bucket) == {}
    assert list((tmp_path / "spool").iterdir()) == []


async def test_verify_reads_checksums_and_re_reads_a_sample_in_full(tmp_path: Path) -> None:
    """Without a re-read, changed bytes under a right checksum go unseen; the sample finds
    them; a missing object is found either way."""
    bucket = s3_server.new_bucket()
    blobs = _bucket_store(tmp_path, bucket, sample_percent=0)
    kept = await blobs.put_stream(_chunks(b"kept audio"))
    damaged = await blobs.put_stream(_chunks(b"audio that rots"))
    gone = await blobs.put_stream(_chunks(b"audio someone deletes"))
    s3 = s3_server.client()
    key = f"center-1/{damaged.sha256[:2]}/{damaged.sha256[2:4]}/{damaged.sha256}"
    s3.put_object(Bucket=bucket, Key=key, Body=b"bit rot", Metadata={"sha256": damaged.sha256})
    s3.delete_object(Bucket=bucket, Key="center-1/" + S3BlobStore.key_for(gone.sha256))

    assert blobs.checksum(kept.sha256) == kept.sha256
    assert blobs.checksum(damaged.sha256) == damaged.sha256  # metadata only: unseen
    assert blobs.checksum(gone.sha256) is None
    assert blobs.sampled == 0
    every = _bucket_store(tmp_path, bucket, sample_percent=100)
    assert every.checksum(damaged.sha256) == hashlib.sha256(b"bit rot").hexdigest()
    assert every.checksum(kept.sha256) == kept.sha256
    assert every.sampled == 2


def test_an_unreachable_bucket_is_one_message_naming_it(tmp_path: Path) -> None:
    from cscdesk.sync.s3blobs import BlobStoreError

    blobs = S3BlobStore(
        "s3://no-such-bucket/x", spool_dir=tmp_path, endpoint=s3_server.endpoint(),
        access_key_id=s3_server.KEY_ID, secret_access_key=s3_server.KEY_SECRET,
    )  # fmt: skip
    with pytest.raises(BlobStoreError, match="s3://no-such-bucket/x"):
        asyncio.run(blobs.put_stream(_chunks(b"audio")))


async def test_a_center_on_postgresql_archives_its_recordings_into_the_bucket(
    tmp_path: Path,
) -> None:
    """The archive round of a larger center: CDRs into PostgreSQL, audio into the bucket, each
    once; verify finds everything by checksum; a second round adds nothing."""
    import postgres_db
    from cscdesk.config import ArchiveSettings
    from cscdesk.store.postgres import open_postgres
    from cscdesk.sync.retention_ops import verify_recordings
    from cscdesk.sync.service import archive_round
    from cscdesk.sync.storage import SyncStorage

    from .archive_env import start_archive_sim, wall
    from .conftest import make_port

    store = open_postgres(
        postgres_db.new_database("cscdesk_archive"), pool_size=2,
        audit_head_file=tmp_path / "heads",
    )  # fmt: skip
    bucket = s3_server.new_bucket()
    blobs = _bucket_store(tmp_path, bucket, sample_percent=100)
    # up to six restore rounds of 600 s: an hour of simulated time, so start two hours back
    history = start_archive_sim(behind=timedelta(hours=2))
    port = make_port(history)
    try:
        storage = SyncStorage(store)
        settings = ArchiveSettings(lag_alarm_days=1)
        for _ in range(6):
            result = await archive_round(
                port, storage, blobs, instance_id="ccc-demo", settings=settings, clock=wall,
                restore_retry=timedelta(0),
            )  # fmt: skip
            if result.waiting_for_restore == 0 and result.recordings.stored == 0:
                break
            history.advance(600)  # the vendor restores archived audio meanwhile
        manifest = {r.sha256 for r in storage.recordings()}
        assert manifest
        in_bucket = s3_server.objects(bucket)
        assert {key.rsplit("/", 1)[1] for key in in_bucket} == manifest
        assert all(hashlib.sha256(body).hexdigest() == key.rsplit("/", 1)[1]
                   for key, body in in_bucket.items())  # fmt: skip
        report = verify_recordings(storage, blobs)
        assert report.ok and report.checked == len(storage.recordings())
        await archive_round(
            port, storage, blobs, instance_id="ccc-demo", settings=settings, clock=wall,
            restore_retry=timedelta(0),
        )  # fmt: skip
        assert s3_server.objects(bucket).keys() == in_bucket.keys()
    finally:
        await port.aclose()
        history.stop()
        store.close()
