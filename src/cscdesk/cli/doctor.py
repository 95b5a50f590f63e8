"""``cscdesk doctor``: what an operator checks before opening the desks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cscdesk.cli.common import JSON_OUTPUT, print_json
from cscdesk.cli.errors import EXIT_FAILURE
from cscdesk.cli.root import Context, main, pass_ctx


@main.command()
@JSON_OUTPUT
@pass_ctx
def doctor(ctx: Context, as_json: bool) -> None:
    """Check config, data dir, store, keyring backend and each configured endpoint."""
    import asyncio

    from cscdesk import doctor as checks

    settings = ctx.settings()
    paths = ctx.paths()
    findings = [checks.check_config(ctx.config_choice), checks.check_data_dir(paths)]
    store_path = settings.store.path or paths.store
    if settings.store.url:  # a larger center: the store is a PostgreSQL database
        store = checks.check_store_database(settings.store.url, _store_opener(settings, paths))
    else:
        store = checks.check_store_file(
            store_path, _store_opener(settings, paths),
            encrypted=bool(settings.store.encryption_key),
        )  # fmt: skip
    findings.append(store)
    if store.status != checks.Status.FAIL:  # never open a damaged store read-write
        findings.extend(_sync_findings(settings, paths, store_path))
    findings.extend(checks.check_keyring(settings))
    findings.append(_recordings_finding(settings, paths))
    findings.extend(asyncio.run(checks.run_probes(_endpoint_probes(settings))))
    failed = any(f.status == "fail" for f in findings)
    if as_json:
        print_json({"ok": not failed,
                    "checks": [{"check": f.check, "status": str(f.status), "detail": f.detail}
                               for f in findings]})  # fmt: skip
    else:
        marks = {"ok": "✓", "warn": "!", "fail": "✗"}
        for finding in findings:
            click.echo(f"{marks[finding.status]} {finding.check:<28} {finding.detail}")
    if failed:
        sys.exit(EXIT_FAILURE)


def _sync_findings(settings, paths, store_path: Path):  # type: ignore[no-untyped-def]
    """Archive lag and ticket backlog, read from the store when it exists and opens."""
    from datetime import UTC, datetime

    from cscdesk import doctor as checks

    if not settings.store.url and (not store_path.exists() or store_path.stat().st_mode & 0o077):
        return []
    try:
        from cscdesk.sync.service import sync_status
        from cscdesk.wiring import read_only_store

        store = read_only_store(store_path, settings, paths)
    except Exception:
        return []  # check_store_file already reported why
    try:
        from cscdesk.cli.loop_checks import check_loop

        return [*checks.check_sync(sync_status(store, settings, datetime.now(UTC))),
                *check_loop(store, settings)]  # fmt: skip
    finally:
        store.close()


def _recordings_finding(settings, paths):  # type: ignore[no-untyped-def]
    """Where the archive keeps recordings: the bucket answers, or the folder is writable."""
    from cscdesk import doctor as checks

    archive = settings.archive
    if not archive.recordings:
        return checks.check_recordings_folder(archive.blob_dir or paths.recordings)

    def open_bucket():  # type: ignore[no-untyped-def]
        from cscdesk.wiring import blob_store

        return blob_store(settings, paths, quick=True)

    return checks.check_recordings_bucket(archive.recordings, open_bucket)


def _store_opener(settings, paths):  # type: ignore[no-untyped-def]
    """Doctor only looks: the store is opened read-only, by wiring (with its key if encrypted)."""
    try:
        from cscdesk.wiring import read_only_store
    except ImportError:
        return None
    return lambda path: read_only_store(path, settings, paths)


def _endpoint_probes(settings):  # type: ignore[no-untyped-def]
    """One probe per configured remote; the embedded demo has none to check."""
    import httpx

    probes = []
    for insurer in settings.insurers:
        if insurer.base_url:

            async def probe(
                url: str = insurer.base_url, timeout: float = insurer.timeout_seconds
            ) -> str:
                async with httpx.AsyncClient(timeout=timeout) as client:
                    response = await client.get(url)
                return f"{url} answers (HTTP {response.status_code})"

            probes.append((f"insurer {insurer.id}", probe))
    return probes
