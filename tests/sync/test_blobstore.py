"""The blob store: content-addressed, atomic, and honest about missing or changed bytes."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cscdesk.sync.blobstore import BlobStore


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_stream_is_stored_under_its_sha256(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    stored = await blobs.put_stream(_chunks(b"RIFF", b"audio" * 1000))
    expected = hashlib.sha256(b"RIFF" + b"audio" * 1000).hexdigest()
    assert stored.sha256 == expected
    assert stored.size == 4 + 5000
    assert blobs.path_for(expected).read_bytes().startswith(b"RIFFaudio")
    assert blobs.checksum(expected) == expected


async def test_same_content_twice_is_one_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    first = await blobs.put_stream(_chunks(b"same"))
    second = await blobs.put_stream(_chunks(b"sa", b"me"))
    assert first == second
    assert list(blobs.iter_hashes()) == [first.sha256]


async def test_broken_stream_leaves_no_blob_and_no_temp_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)

    async def broken() -> AsyncIterator[bytes]:
        yield b"half a recording"
        raise ConnectionResetError("link dropped")

    with pytest.raises(ConnectionResetError):
        await blobs.put_stream(broken())
    assert list(blobs.iter_hashes()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


async def test_changed_bytes_are_detected(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    stored = await blobs.put_stream(_chunks(b"original"))
    blobs.path_for(stored.sha256).write_bytes(b"tampered")
    assert blobs.checksum(stored.sha256) != stored.sha256
    blobs.path_for(stored.sha256).unlink()
    assert blobs.checksum(stored.sha256) is None


def test_partials_left_by_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "x.part").write_bytes(b"torn")
    assert blobs.clean_partials() == 1
    assert not (tmp_path / "tmp" / "x.part").exists()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A host whose umask would leave new folders 0755 and files 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(os.stat(path).st_mode))


async def test_recordings_are_owner_only_whatever_the_umask(
    tmp_path: Path, loose_umask: None
) -> None:
    root = tmp_path / "data" / "recordings"
    blobs = BlobStore(root)
    streamed = await blobs.put_stream(_chunks(b"RIFF", b"voice"))
    source = tmp_path / "imported.wav"
    source.write_bytes(b"RIFF imported")
    copied = blobs.put_file(source)
    files = [blobs.path_for(streamed.sha256), blobs.path_for(copied.sha256)]
    folders = {tmp_path / "data", root, root / "tmp"}
    folders |= {f.parent for f in files} | {f.parent.parent for f in files}
    assert {_mode(f) for f in folders} == {"0o700"}
    assert {_mode(f) for f in files} == {"0o600"}
