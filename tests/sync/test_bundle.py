"""Export bundle: an empty store that imports it holds the same content, and personal data
(full mobiles, ID numbers) appears only in the file the manifest marks as personal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from cscdesk.demo.seed import seed_demo
from cscdesk.domain import workflow
from cscdesk.domain.models import Recording, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.store import Store, open_store
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.bundle import BundleError, content_tables, export_bundle, import_bundle
from cscdesk.sync.retention_ops import verify_recordings
from cscdesk.sync.storage import SyncStorage


async def _audio(n: int) -> AsyncIterator[bytes]:
    yield b"RIFF" + bytes([n]) * 4000


def _table(store: Store, table: str) -> list[tuple[Any, ...]]:
    with store.reading() as db:
        return [tuple(row) for row in db.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]


@pytest.fixture
async def filled(tmp_path: Path) -> tuple[Store, BlobStore]:
    store = open_store(tmp_path / "site.db")
    seed_demo(store, members=120, seed=3)
    blobs = BlobStore(tmp_path / "blobs")
    storage = SyncStorage(store)
    for n, call in enumerate(
        store.calls.between(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))[:3]
    ):
        stored = await blobs.put_stream(_audio(n))
        storage.recording_stored(
            Recording(
                call.contact_id,
                stored.sha256,
                stored.size,
                "audio/wav",
                datetime(2026, 3, 2, tzinfo=UTC),
                date(2031, 3, 2),
            )
        )
    storage.set_legal_hold(call.contact_id, True, actor="lead", reason="监管调查")
    with store.reading() as db:
        mobile, id_number = db.execute("SELECT mobile, id_number FROM members LIMIT 1").fetchone()
    ticket, event = workflow.new_ticket(
        ticket_id="T-typed-by-agent",
        type=TicketType.CLAIM_ASSIST,
        title="理赔进度",
        description=f"客户留的手机 {mobile}，身份证 {id_number}",  # agents do type these
        created_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        created_by="agent001",
        sla=SlaPolicy(),
    )
    store.tickets.save_new(ticket, event)
    return store, blobs


async def test_import_of_an_export_reproduces_the_store(
    filled: tuple[Store, BlobStore], tmp_path: Path
) -> None:
    source, blobs = filled
    bundle = tmp_path / "bundle"
    exported = export_bundle(source, blobs, bundle)
    assert exported.entities["members"] > 0 and exported.recordings == 3
    target = open_store(tmp_path / "restored.db")
    restored_blobs = BlobStore(tmp_path / "restored-blobs")
    imported = import_bundle(target, restored_blobs, bundle)
    assert imported.entities == exported.entities
    for table in content_tables(source):
        assert _table(target, table) == _table(source, table), table
    assert verify_recordings(SyncStorage(target), restored_blobs).ok
    assert target.audit.verify().ok  # the tamper-evident chain survives the move
    assert target.recordings.get(source.recordings.list()[-1].contact_id) is not None


async def test_full_mobiles_and_id_numbers_stay_in_the_personal_file(
    filled: tuple[Store, BlobStore], tmp_path: Path
) -> None:
    source, blobs = filled
    bundle = tmp_path / "bundle"
    export_bundle(source, blobs, bundle)
    with source.reading() as db:
        secrets = {
            value
            for row in db.execute("SELECT mobile, id_number FROM members")
            for value in row
            if value
        }
        typed = db.execute(
            "SELECT description FROM tickets WHERE id = 'T-typed-by-agent'"
        ).fetchone()[0]
    assert any(s in typed for s in secrets)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["entities"]["members"]["personal_data"] is True
    assert manifest["personal_data_files"] == ["members.jsonl"]
    for path in bundle.glob("*.jsonl"):
        text = path.read_text(encoding="utf-8")
        leaked = [s for s in secrets if s in text]
        if path.name == "members.jsonl":
            assert leaked
        else:
            assert not leaked, f"{path.name} holds personal data"


async def test_a_damaged_bundle_or_a_filled_store_is_refused(
    filled: tuple[Store, BlobStore], tmp_path: Path
) -> None:
    source, blobs = filled
    bundle = tmp_path / "bundle"
    export_bundle(source, blobs, bundle)
    with pytest.raises(BundleError, match="not empty"):
        export_bundle(source, blobs, bundle)
    with pytest.raises(BundleError, match="already holds data"):
        import_bundle(source, blobs, bundle)
    calls = bundle / "calls.jsonl"
    calls.write_text(calls.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(BundleError, match=r"calls\.jsonl: checksum differs"):
        import_bundle(open_store(tmp_path / "empty.db"), BlobStore(tmp_path / "b2"), bundle)


async def test_every_file_and_folder_of_an_export_is_owner_only(
    filled: tuple[Store, BlobStore], tmp_path: Path
) -> None:
    source, blobs = filled
    bundle = tmp_path / "exports" / "2026-03" / "bundle"  # missing parents are created too
    export_bundle(source, blobs, bundle)
    written = [bundle, *bundle.rglob("*")]
    assert any(p.is_file() for p in written) and (bundle / "recordings").is_dir()
    for path in written:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
    assert (tmp_path / "exports").stat().st_mode & 0o777 == 0o700


async def test_the_export_carries_the_signed_audit_head_and_an_import_checks_it(
    filled: tuple[Store, BlobStore], tmp_path: Path
) -> None:
    from cscdesk.sync.blobstore import file_sha256

    source, blobs = filled
    bundle = tmp_path / "bundle"
    export_bundle(source, blobs, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    head = manifest["audit_head"]
    last = source.audit.list()[-1]
    assert (head["seq"], head["head"]) == (last.seq, last.hash) and head["mac"]
    # someone edits an audit record in the bundle and fixes the manifest's checksum
    audit_file = bundle / "audit.jsonl"
    rows = [json.loads(line) for line in audit_file.read_text(encoding="utf-8").splitlines()]
    rows[0]["actor"] = "someone.else"
    audit_file.chmod(0o600)
    audit_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    manifest["files"]["audit.jsonl"] = file_sha256(audit_file)
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = open_store(tmp_path / "restored.db")
    with pytest.raises(BundleError, match="audit log does not verify"):
        import_bundle(target, BlobStore(tmp_path / "restored-blobs"), bundle)
