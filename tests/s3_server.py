"""A real S3-compatible server for tests: moto's, on 127.0.0.1 (an ephemeral port), one per
test process, and a new bucket per test."""

from __future__ import annotations

import socket
import uuid
from typing import Any

_server: dict[str, Any] = {}
KEY_ID, KEY_SECRET = "testing-key-id", "testing-key-secret"  # moto accepts any pair
REGION = "us-east-1"


def endpoint() -> str:
    """The server's URL, started on first use (stopped when the test process ends)."""
    if "url" not in _server:
        from moto.server import ThreadedMotoServer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        _server.update(server=server, url=f"http://127.0.0.1:{port}")
    return str(_server["url"])


def client() -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint(), region_name=REGION,
        aws_access_key_id=KEY_ID, aws_secret_access_key=KEY_SECRET,
    )  # fmt: skip


def new_bucket(*, object_lock: bool = False) -> str:
    name = f"cscdesk-{uuid.uuid4().hex[:12]}"
    client().create_bucket(Bucket=name, ObjectLockEnabledForBucket=object_lock)
    return name


def objects(bucket: str) -> dict[str, bytes]:
    """Every object in the bucket, key → bytes (what an administrator would find there)."""
    s3 = client()
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found
