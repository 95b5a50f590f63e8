"""Recordings on S3-compatible object storage (Alibaba OSS, MinIO, Ceph, AWS) through obstore.

The same interface as ``BlobStore`` (the local folder stays the default): content-addressed
keys ``<prefix>/ab/cd/<sha256>``, so writing a recording twice is harmless. S3 has no rename, and
the key is the content's hash, so a download is streamed to an owner-only spool file while it
is hashed, then uploaded from that file (multipart above ``MULTIPART_FROM``; below it a
conditional ``If-None-Match`` put, so two hosts archiving the same call write it once). The
server checks the upload against its SHA-256 (``checksum_algorithm``), and the hash is kept as
object metadata and in the store's ``recordings`` table.

``checksum`` (what ``archive verify`` asks for each recording) reads the object's metadata, not
its bytes, and re-reads a sample (``sample_percent``) in full: five years of recordings are not
downloaded to check them. Retention locks: a bucket with S3 Object Lock and a default retention
rule keeps every object at least that long whatever this code does; legal holds stay in the
store (``recordings.legal_hold``), which purge obeys.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from cscdesk.sync.blobstore import (
    CHUNK,
    StoredBlob,
    private_temp_file,
    remove_partials,
    write_hashed,
)

MULTIPART_FROM = 64 << 20  # a conditional put holds the object in memory; larger ones stream
METADATA_KEY = "sha256"
# How long a person waits on a bucket that cannot be reached: obstore's defaults are 10 retries
# within 3 minutes and no connect timeout (a host that drops packets held each attempt for the
# OS's ~2 min). Refused connections now fail in well under a second, a silent host in about
# 4 × 5 s; a slow upload is not cut short (no whole-request timeout).
CONNECT_TIMEOUT = timedelta(seconds=5)
RETRIES = 3
RETRY_WITHIN = timedelta(seconds=30)


class BlobStoreError(RuntimeError):
    """The bucket cannot be used; the message names it and says what to check."""


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError("give the bucket as s3://BUCKET/PREFIX")
        return cls(parts.netloc, parts.path.strip("/"))

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


class S3BlobStore:
    """Recordings in ``s3://bucket/prefix`` (see the module docstring)."""

    def __init__(
        self,
        location: str,
        *,
        spool_dir: Path,
        endpoint: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        sample_percent: float = 1.0,
        retries: int = RETRIES,
        connect_timeout: timedelta = CONNECT_TIMEOUT,
    ) -> None:
        from obstore.store import S3Store

        self.location = S3Location.parse(location)
        self.sample_percent = sample_percent
        self.sampled = 0  # full re-reads made by checksum(), for the verify report
        self._spool = spool_dir
        config: dict[str, Any] = {"region": region, "checksum_algorithm": "SHA256"}
        if endpoint:
            config["endpoint"] = endpoint
        if access_key_id and secret_access_key:
            config["access_key_id"] = access_key_id
            config["secret_access_key"] = secret_access_key
        client = {
            "allow_http": bool(endpoint and endpoint.startswith("http://")),
            "connect_timeout": connect_timeout,
        }
        retry = {
            "max_retries": retries,
            "retry_timeout": RETRY_WITHIN,
            "backoff": {
                "init_backoff": timedelta(milliseconds=100),
                "max_backoff": timedelta(seconds=2),
            },
        }
        self._store = S3Store(
            self.location.bucket,
            prefix=self.location.prefix or None,
            config=config,  # type: ignore[arg-type]
            client_options=client,  # type: ignore[arg-type]
            retry_config=retry,  # type: ignore[arg-type]
        )

    def __str__(self) -> str:
        return str(self.location)

    @staticmethod
    def key_for(sha256: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    # ------------------------------------------------------------------ writing
    async def put_stream(self, chunks: AsyncIterable[bytes]) -> StoredBlob:
        """Spool ``chunks`` while hashing, then upload once (nothing under a real key until the
        whole recording is there)."""
        fd, name = self._spool_file()
        try:
            with os.fdopen(fd, "wb") as out:
                blob = await write_hashed(chunks, out)
            await self._upload(Path(name), blob)
            return blob
        finally:
            Path(name).unlink(missing_ok=True)

    def put_file(self, source: Path) -> StoredBlob:
        """Upload an existing file (bundle import, store copy)."""
        import asyncio

        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        blob = StoredBlob(digest.hexdigest(), size)
        asyncio.run(self._upload(source, blob))
        return blob

    async def _upload(self, source: Path, blob: StoredBlob) -> None:
        import obstore
        from obstore.exceptions import AlreadyExistsError, BaseError, PreconditionError

        key = self.key_for(blob.sha256)
        if await self._exists_async(key):
            return  # content-addressed: the same bytes are there already
        attributes: Any = {METADATA_KEY: blob.sha256}
        try:
            if blob.size < MULTIPART_FROM:
                await obstore.put_async(
                    self._store, key, source, mode="create", attributes=attributes
                )
            else:  # same bytes under the same key: an overwrite by a racing host is harmless
                await obstore.put_async(self._store, key, source, attributes=attributes)
        except (AlreadyExistsError, PreconditionError, FileExistsError):
            return  # another host stored it meanwhile
        except (BaseError, OSError) as exc:  # obstore raises builtins for some faults
            raise self._fault("cannot store a recording", exc) from None

    def _fault(self, what: str, exc: BaseException) -> BlobStoreError:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return BlobStoreError(
            f"recordings bucket {self.location}: {what} ({first}). Check [archive] recordings,"
            " the endpoint, and the keys in the keyring."
        )

    def _spool_file(self) -> tuple[int, str]:
        return private_temp_file(self._spool)

    # ------------------------------------------------------------------ reading
    async def _exists_async(self, key: str) -> bool:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            await obstore.head_async(self._store, key)
        except (NotFoundError, FileNotFoundError):  # obstore raises the builtin
            return False
        except Exception as exc:
            raise self._fault("cannot be read", exc) from None
        return True

    def exists(self, sha256: str) -> bool:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            obstore.head(self._store, self.key_for(sha256))
        except (NotFoundError, FileNotFoundError):  # obstore raises the builtin
            return False
        except Exception as exc:
            raise self._fault("cannot be read", exc) from None
        return True

    def checksum(self, sha256: str) -> str | None:
        """The SHA-256 the object's metadata records, or of its bytes re-read in full for a
        sample of calls (``sample_percent``); None when the object is missing."""
        import obstore
        from obstore.exceptions import NotFoundError

        key = self.key_for(sha256)
        try:
            if random.random() * 100 < self.sample_percent:
                self.sampled += 1
                digest = hashlib.sha256()
                for chunk in obstore.get(self._store, key).stream(min_chunk_size=CHUNK):
                    digest.update(chunk)
                return digest.hexdigest()
            found = obstore.get(self._store, key, options={"head": True})
        except (NotFoundError, FileNotFoundError):  # obstore raises the builtin
            return None
        except Exception as exc:
            raise self._fault("cannot be read", exc) from None
        return str(found.attributes.get(METADATA_KEY, ""))

    def write_to(self, sha256: str, out: IO[bytes]) -> bool:
        """Stream the recording into ``out``; False when it is not in the bucket."""
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            for chunk in obstore.get(self._store, self.key_for(sha256)).stream(
                min_chunk_size=CHUNK
            ):
                out.write(chunk)
        except (NotFoundError, FileNotFoundError):  # obstore raises the builtin
            return False
        except Exception as exc:
            raise self._fault("cannot be read", exc) from None
        return True

    def delete(self, sha256: str) -> bool:
        import obstore

        if not self.exists(sha256):
            return False
        try:
            obstore.delete(self._store, self.key_for(sha256))
        except Exception as exc:  # an Object Lock retention refuses: the recording stays
            raise self._fault("refused to delete a recording", exc) from None
        return True

    def clean_partials(self) -> int:
        """Spool files a killed run left behind (the bucket never holds a partial object)."""
        return remove_partials(self._spool)

    def iter_hashes(self) -> Iterator[str]:
        import obstore

        try:
            for batch in obstore.list(self._store, chunk_size=1000):
                for meta in batch:
                    name = str(meta["path"]).rsplit("/", 1)[-1]
                    if len(name) == 64:
                        yield name
        except Exception as exc:
            raise self._fault("cannot be listed", exc) from None

    def probe(self) -> None:
        """List at most one key under the prefix: raises ``BlobStoreError`` when the bucket
        cannot be read (``doctor``'s cheap check; an empty prefix is fine)."""
        import obstore

        try:
            for _batch in obstore.list(self._store, chunk_size=1):
                break
        except Exception as exc:
            raise self._fault("cannot be read", exc) from None
