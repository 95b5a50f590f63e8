"""The portable export bundle: the exit plan from any vendor, and from cscdesk itself.

A bundle is a directory anyone can read without cscdesk:

* ``<entity>.jsonl`` — one JSON object per line for every table that holds business content;
* ``recordings/<sha256>`` — every recording, named by its checksum;
* ``manifest.json`` — format, counts, the SHA-256 of every file in the bundle, and the audit
  log's signed head (``audit_head``: last record, its keyed hash, count, purge anchor, time and
  HMAC), so the exported log can be held against it (``cscdesk audit verify --export DIR``).

Every file and folder an export writes is owner-only (0600 / 0700): the bundle holds members,
password hashes, recordings and the audit log. An import checks the imported audit log against
the bundle's signed head before it writes its own head.

Personal data (PIPL): full mobiles and ID numbers appear only in ``members.jsonl``, which the
manifest marks ``personal_data: true``. Any value elsewhere that contains a mobile or an ID
number (a call's caller number, a raw vendor payload) is replaced by a reference ``pd:<n>`` and
the value itself moves into ``members.jsonl`` as a ``{"_kind": "personal_value"}`` line, so the
personal-data file can be handled (encrypted, withheld, deleted) on its own while an import
still reproduces every value exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cscdesk.store.bundle_tables import SKIPPED_TABLES
from cscdesk.store.files import private_dir, private_file
from cscdesk.sync.blobstore import BlobStore, file_sha256

FORMAT = 1
PERSONAL_ENTITY = "members"
PERSONAL_REF = "pd:"
PERSONAL_PATTERN = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx]|\d{15})(?!\d)")

if TYPE_CHECKING:
    from cscdesk.store import Store

__all__ = [
    "SKIPPED_TABLES",
    "BundleError",
    "BundleReport",
    "check_bundle",
    "content_tables",
    "export_bundle",
    "import_bundle",
    "read_manifest",
]


class BundleError(Exception):
    """A bundle that cannot be written or read; the message names the file and the problem."""


@dataclass(slots=True)
class BundleReport:
    entities: dict[str, int] = field(default_factory=dict)
    recordings: int = 0
    personal_values: int = 0


def content_tables(store: Store) -> list[str]:
    """Every table holding content, in creation order (parents before children)."""
    return store.bundle_tables.content_tables()


def _rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    return store.bundle_tables.rows(table)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$bytes"}:
        return bytes.fromhex(value["$bytes"])
    return value


def _audit_head(store: Store) -> dict[str, Any]:
    from cscdesk.store.audit import AuditUnkeyed

    try:
        return store.audit.signed_head("export")
    except AuditUnkeyed as exc:
        raise BundleError(f"the export carries the signed audit head, and {exc}") from None


def export_bundle(store: Store, blobs: BlobStore, target: Path) -> BundleReport:
    """Write the whole store and every recording to ``target`` (which must be empty or new),
    owner-only, with the audit log's signed head in the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BundleError(f"{target}: the export directory is not empty")
    audit_head = _audit_head(store)  # before anything is written: an unkeyed store exports nothing
    private_dir(target, tighten=True)
    report = BundleReport()
    personal: list[dict[str, Any]] = []
    entity_files: dict[str, dict[str, Any]] = {}
    tables = content_tables(store)
    for table in tables:
        if table == PERSONAL_ENTITY:
            continue
        count = 0
        with private_file(target / f"{table}.jsonl") as out:
            for row in _rows(store, table):
                for column, value in row.items():
                    if isinstance(value, str) and PERSONAL_PATTERN.search(value):
                        ref = f"{PERSONAL_REF}{len(personal)}"
                        personal.append({"_kind": "personal_value", "ref": ref, "value": value})
                        row[column] = ref
                out.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False))
                out.write("\n")
                count += 1
        entity_files[table] = {"file": f"{table}.jsonl", "count": count, "personal_data": False}
        report.entities[table] = count
    members = 0
    with private_file(target / f"{PERSONAL_ENTITY}.jsonl") as out:
        if PERSONAL_ENTITY in tables:
            for row in _rows(store, PERSONAL_ENTITY):
                out.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False))
                out.write("\n")
                members += 1
        for line in personal:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    entity_files[PERSONAL_ENTITY] = {
        "file": f"{PERSONAL_ENTITY}.jsonl",
        "count": members,
        "personal_values": len(personal),
        "personal_data": True,
        "table": PERSONAL_ENTITY in tables,
    }
    report.entities[PERSONAL_ENTITY] = members
    report.personal_values = len(personal)
    recordings_dir = target / "recordings"
    private_dir(recordings_dir, tighten=True)
    for sha in sorted(
        {r["sha256"] for r in _rows(store, "recordings")} if "recordings" in tables else set()
    ):
        with private_file(recordings_dir / sha, "wb") as dst:
            found = blobs.write_to(sha, dst)
        if not found:
            (recordings_dir / sha).unlink(missing_ok=True)
            raise BundleError(
                f"recording {sha} is missing from the blob store; run `archive verify`"
            )
        report.recordings += 1
    files = {
        str(path.relative_to(target)): file_sha256(path)
        for path in sorted(target.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "entities": entity_files,
        "order": [t for t in tables if t != PERSONAL_ENTITY] + [PERSONAL_ENTITY],
        "recordings": report.recordings,
        "personal_data_files": [f"{PERSONAL_ENTITY}.jsonl"],
        "files": files,
        "audit_head": audit_head,
    }
    with private_file(target / "manifest.json") as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=2))
    return report


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{path}: not found; is {source} an export bundle?") from None
    except ValueError as exc:
        raise BundleError(f"{path}: not valid JSON ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{path}: bundle format {manifest.get('format')!r} is not supported")
    return dict(manifest)


def check_bundle(source: Path, manifest: dict[str, Any]) -> None:
    """Every file present with the checksum the manifest recorded, before anything is loaded."""
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BundleError(f"{path}: listed in the manifest but missing")
        if file_sha256(path) != expected:
            raise BundleError(f"{path}: checksum differs from the manifest (corrupt or edited)")


def import_bundle(store: Store, blobs: BlobStore, source: Path) -> BundleReport:
    """Load a bundle into an empty store; every value comes back exactly as exported."""
    manifest = read_manifest(source)
    check_bundle(source, manifest)
    tables = set(content_tables(store))
    for table in tables:
        if store.bundle_tables.has_rows(table):
            raise BundleError(
                f"the store already holds data (table {table}); import needs an empty store"
            )
    report = BundleReport()
    personal: dict[str, Any] = {}
    member_rows: list[dict[str, Any]] = []
    for line in _read_lines(source / f"{PERSONAL_ENTITY}.jsonl"):
        if line.get("_kind") == "personal_value":
            personal[line["ref"]] = line["value"]
        else:
            member_rows.append(line)
    report.personal_values = len(personal)
    with store.bundle_tables.loading() as loader:
        for entity in manifest["order"]:
            if entity not in tables:
                if entity == PERSONAL_ENTITY and not manifest["entities"][entity].get("table"):
                    continue
                raise BundleError(f"the bundle has entity {entity!r} that this store does not know")
            if entity == PERSONAL_ENTITY:
                rows: Any = iter(member_rows)
            else:
                rows = _read_lines(source / manifest["entities"][entity]["file"])
            count = 0
            for row in rows:
                values = {
                    k: personal.get(v, v)
                    if isinstance(v, str) and v.startswith(PERSONAL_REF)
                    else _decode(v)
                    for k, v in row.items()
                }
                loader.insert(entity, values)
                count += 1
            if count != manifest["entities"][entity]["count"]:
                raise BundleError(
                    f"{entity}: manifest says {manifest['entities'][entity]['count']} rows, file has {count}"
                )
            report.entities[entity] = count
    for path in sorted((source / "recordings").glob("*")):
        stored = blobs.put_file(path)
        if stored.sha256 != path.name:
            raise BundleError(f"{path}: content does not match its name")
        report.recordings += 1
    _check_imported_audit(store, source, manifest)
    return report


def _check_imported_audit(store: Store, source: Path, manifest: dict[str, Any]) -> None:
    """The imported audit log held against the bundle's signed head; only when it agrees does
    this store's head file vouch for it (a bundle from an older cscdesk has no head: noted by
    ``audit verify`` as it would be for any log without one)."""
    head = manifest.get("audit_head")
    if not isinstance(head, dict):
        return
    report = store.audit.verify([(f"the audit head in {source / 'manifest.json'}", head)])
    if not report.ok:
        raise BundleError(
            "the data were loaded, but the imported audit log does not verify against the"
            f" bundle's signed head: {'; '.join(report.problems[:3])}"
            " (was the bundle edited, or is this host's audit key not the exporting host's?)"
        )
    store.audit.signed_head("import")


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as src:
        for number, line in enumerate(src, start=1):
            if not line.strip():
                continue
            try:
                yield dict(json.loads(line))
            except ValueError as exc:
                raise BundleError(f"{path}:{number}: not a JSON object ({exc})") from None
