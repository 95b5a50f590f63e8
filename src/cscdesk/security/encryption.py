"""Encryption of the store at rest with SQLCipher, the key held only in the OS keyring.

Optional (``pip install cscdesk[encryption]``; 等保二级 leaves 数据保密性 to level 3, but PIPL and
JR/T 0171 push encryption of ID numbers and health data). ``[store] encryption_key =
"keyring:NAME"`` names the key; a 64-hex-digit value is used as the raw 256-bit key (fast to
open), anything else as a passphrase SQLCipher stretches with PBKDF2. The connection is a
DB-API connection like ``sqlite3``'s, so sqlite-utils, WAL and FTS5 work unchanged on it.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

_RAW_KEY = re.compile(r"^[0-9a-fA-F]{64}$")


class EncryptionUnavailable(RuntimeError):
    """The store is configured encrypted but cannot be opened that way; the message says why."""


def new_key() -> str:
    """A fresh random raw key for ``cscdesk secrets set NAME`` (256 bits, hex)."""
    return secrets.token_hex(32)


def key_pragma(key: str) -> str:
    if not key:
        raise EncryptionUnavailable("the store encryption key is empty")
    if _RAW_KEY.match(key):
        return f"PRAGMA key = \"x'{key.lower()}'\""
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def connect_encrypted(path: Path, key: str, *, timeout: float = 5.0) -> Any:
    """Open (or create) an SQLCipher database; fails clearly on a wrong key or missing module."""
    try:
        import sqlcipher3
    except ImportError:
        raise EncryptionUnavailable(
            "store encryption needs the optional SQLCipher module: "
            "pip install 'cscdesk[encryption]' (package sqlcipher3-wheels)"
        ) from None
    from cscdesk.store.db import create_owner_only

    create_owner_only(path)  # 600 before SQLCipher writes a byte (it never opens the file again)
    conn = sqlcipher3.connect(str(path), timeout=timeout, check_same_thread=False)
    conn.execute(key_pragma(key))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise EncryptionUnavailable(
            f"{path}: cannot be opened with the configured key "
            "(wrong key, or a plain unencrypted store)"
        ) from None
    return conn


def is_plain_sqlite(path: Path) -> bool:
    """True when the file is an ordinary (unencrypted) SQLite database."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
