"""Content-addressed filesystem store for recordings: a file's name is its SHA-256.

Bytes go to a temporary file in the same directory tree, are fsynced, and only then renamed into
place, so a crash (even ``kill -9``) leaves either no blob or a complete one, never a torn file
under a real name. Because the name is the content hash, writing the same recording twice is
harmless and a blob can always be checked against its name.

Recordings are personal data: every folder of the store is created owner-only (700) and every
file 600, whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cscdesk.store.files import PRIVATE_FILE, private_dir

CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int


class BlobStore:
    """Recordings on the local filesystem under ``root/ab/cd/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    async def put_stream(self, chunks: AsyncIterable[bytes]) -> StoredBlob:
        """Stream ``chunks`` to disk while hashing; the blob appears only once complete."""
        fd, tmp_name = self._temp_file()
        try:
            with os.fdopen(fd, "wb") as out:
                blob = await write_hashed(chunks, out)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(Path(tmp_name), blob.sha256, blob.size)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def put_file(self, source: Path) -> StoredBlob:
        """Copy an existing file in (used by bundle import)."""
        fd, tmp_name = self._temp_file()
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(Path(tmp_name), digest.hexdigest(), size)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def _temp_file(self) -> tuple[int, str]:
        return private_temp_file(self._tmp)

    def _publish(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self.path_for(sha256)
        private_dir(final.parent)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return StoredBlob(sha256=sha256, size=size)

    def checksum(self, sha256: str) -> str | None:
        """The SHA-256 of what is on disk now, or None when the blob is missing."""
        path = self.path_for(sha256)
        if not path.is_file():
            return None
        return file_sha256(path)

    def write_to(self, sha256: str, out: IO[bytes]) -> bool:
        """Copy the blob into ``out``; False when it is missing (export, store copy)."""
        try:
            with self.path_for(sha256).open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
        except FileNotFoundError:
            return False
        return True

    def delete(self, sha256: str) -> bool:
        path = self.path_for(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def clean_partials(self) -> int:
        """Remove temp files a killed run left behind; returns how many."""
        return remove_partials(self._tmp)

    def iter_hashes(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name


async def write_hashed(chunks: AsyncIterable[bytes], out: IO[bytes]) -> StoredBlob:
    """Write ``chunks`` to ``out`` while hashing them: the blob they make."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in chunks:
        out.write(chunk)
        digest.update(chunk)
        size += len(chunk)
    return StoredBlob(digest.hexdigest(), size)


def private_temp_file(folder: Path) -> tuple[int, str]:
    """An owner-only (600) ``.part`` file in an owner-only (700) folder: (descriptor, name)."""
    private_dir(folder)
    fd, name = tempfile.mkstemp(dir=folder, suffix=".part")  # mkstemp: 600 already
    if hasattr(os, "fchmod"):  # POSIX; a rename keeps the mode
        os.fchmod(fd, PRIVATE_FILE)
    return fd, name


def remove_partials(folder: Path) -> int:
    """Remove the ``.part`` files a killed run left in ``folder``; returns how many."""
    if not folder.is_dir():
        return 0
    count = 0
    for leftover in folder.glob("*.part"):
        leftover.unlink(missing_ok=True)
        count += 1
    return count


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
