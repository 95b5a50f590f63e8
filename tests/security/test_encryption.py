"""The SQLCipher option: the store file is unreadable without the key from the keyring, and
sqlite-utils, WAL and FTS5 work on the encrypted connection as on a plain one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from cscdesk.security.encryption import (
    EncryptionUnavailable,
    connect_encrypted,
    is_plain_sqlite,
    key_pragma,
    new_key,
)

pytest.importorskip("sqlcipher3")

MOBILE = "13812345678"


def test_encrypted_store_keeps_personal_data_unreadable_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "cscdesk.db"
    key = new_key()
    db = Database(connect_encrypted(path, key))
    assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    db["members"].insert({"id": "M1", "name": "张三", "mobile": MOBILE})
    db["members"].enable_fts(["name"])
    db.conn.commit()
    db.conn.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert MOBILE.encode() not in raw and "张三".encode() not in raw
    assert not is_plain_sqlite(path)
    again = Database(connect_encrypted(path, key))
    assert [r["id"] for r in again["members"].search("张三")] == ["M1"]
    again.conn.close()


def test_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cscdesk.db"
    conn = connect_encrypted(path, new_key())
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(EncryptionUnavailable, match="cannot be opened with the configured key"):
        connect_encrypted(path, new_key())


def test_passphrase_quotes_cannot_break_out_of_the_pragma() -> None:
    assert key_pragma("it's") == "PRAGMA key = 'it''s'"
    assert key_pragma("AB" * 32) == "PRAGMA key = \"x'" + "ab" * 32 + "'\""
    with pytest.raises(EncryptionUnavailable):
        key_pragma("")
