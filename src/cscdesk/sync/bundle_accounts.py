"""The user accounts an export bundle carries, read on their own.

``cscdesk archive import`` loads a bundle into an empty store, where nobody can sign in yet; the
person restoring signs in with their own account from the bundle instead (see
``cscdesk.security.gate.acting_from_accounts``). This reads those rows exactly as the import
would load them: personal-value references resolved, bytes decoded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cscdesk.sync.bundle import PERSONAL_ENTITY, PERSONAL_REF, BundleError

USERS_ENTITY = "users"


def _lines(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as src:
            return [dict(json.loads(line)) for line in src if line.strip()]
    except FileNotFoundError:
        raise BundleError(f"{path}: listed in the manifest but missing") from None
    except (ValueError, TypeError) as exc:
        raise BundleError(f"{path}: not JSON Lines ({exc})") from None


def _value(value: Any, personal: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith(PERSONAL_REF):
        return personal.get(value, value)
    if isinstance(value, dict) and set(value) == {"$bytes"}:
        return bytes.fromhex(value["$bytes"])
    return value


def bundle_accounts(source: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the bundle's ``users`` table (none when it has no such entity)."""
    entities = manifest.get("entities") or {}
    entry = entities.get(USERS_ENTITY)
    if not isinstance(entry, dict) or not entry.get("file"):
        return []
    rows = _lines(source / str(entry["file"]))
    personal: dict[str, Any] = {}
    if any(isinstance(v, str) and v.startswith(PERSONAL_REF) for r in rows for v in r.values()):
        personal = {
            line["ref"]: line["value"]
            for line in _lines(source / f"{PERSONAL_ENTITY}.jsonl")
            if line.get("_kind") == "personal_value"
        }
    return [{k: _value(v, personal) for k, v in row.items()} for row in rows]
