"""``python -m cscdesk.sync archive …``: the archive copy against an explicit endpoint.

The ``cscdesk archive sync`` command is the way for a configured deployment; this entry exists
for operators and crash tests that point at a simulator without a config file. The AccessKey
pair comes from the environment (``CSCDESK_CCC_KEY_ID`` / ``CSCDESK_CCC_KEY_SECRET``), never from
arguments (they show in ``ps``) or files.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cscdesk.sync")
    sub = parser.add_subparsers(dest="command", required=True)
    archive = sub.add_parser("archive", help="copy CDRs and recordings until caught up")
    archive.add_argument("--store", type=Path, required=True)
    archive.add_argument("--blobs", type=Path, required=True)
    archive.add_argument("--endpoint", required=True, help="host:port of the call system")
    archive.add_argument("--instance", required=True)
    archive.add_argument("--window-minutes", type=int, default=60)
    archive.add_argument("--restore-retry-seconds", type=float, default=300.0)
    archive.add_argument("--lease-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    key_id = os.environ.get("CSCDESK_CCC_KEY_ID")
    key_secret = os.environ.get("CSCDESK_CCC_KEY_SECRET")
    if not key_id or not key_secret:
        print("set CSCDESK_CCC_KEY_ID and CSCDESK_CCC_KEY_SECRET", file=sys.stderr)
        return 2
    return asyncio.run(_archive(args, key_id, key_secret))


async def _archive(args: argparse.Namespace, key_id: str, key_secret: str) -> int:
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.config import ArchiveSettings
    from cscdesk.store import open_store
    from cscdesk.sync.blobstore import BlobStore
    from cscdesk.sync.lease import Lease, holder_id
    from cscdesk.sync.service import archive_round
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.worker import ARCHIVE_LEASE

    store = open_store(args.store)
    scheme = "http" if args.endpoint.startswith("127.0.0.1") else "https"
    port = AliyunCallCenter(
        AliyunRpcClient(args.endpoint, key_id, key_secret, scheme=scheme, timeout=10.0),
        args.instance,
    )
    lease = Lease(store, ARCHIVE_LEASE, holder=holder_id(), ttl_seconds=args.lease_seconds)
    deadline = time.monotonic() + 2 * args.lease_seconds
    while not lease.acquire():  # a dead holder's lease lapses within one ttl
        if time.monotonic() > deadline:
            print("another process holds the archive lease", file=sys.stderr)
            return 3
        await asyncio.sleep(0.2)
    try:
        result = await archive_round(
            port,
            SyncStorage(store),
            BlobStore(args.blobs),
            instance_id=args.instance,
            settings=ArchiveSettings(window_minutes=args.window_minutes),
            clock=lambda: datetime.now(UTC),
            heartbeat=lease.keep,
            restore_retry=timedelta(seconds=args.restore_retry_seconds),
        )
    finally:
        lease.release()
        await port.aclose()
    print(
        f"cdr records={result.cdr.records} windows={result.cdr.windows} "
        f"recordings stored={result.recordings.stored} restoring={result.recordings.restoring} "
        f"failed={result.recordings.failed} pending={result.waiting_for_restore}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
