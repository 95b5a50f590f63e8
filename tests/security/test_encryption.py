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


def test_the_store_opens_encrypted_with_the_key_from_the_keyring(
    tmp_path: Path, memory_keyring: object
) -> None:
    import keyring

    from cscdesk.config import KEYRING_SERVICE, Settings, resolve_paths
    from cscdesk.security.commands import open_secure_store

    keyring.set_password(KEYRING_SERVICE, "store-key", new_key())
    settings = Settings.model_validate({"store": {"encryption_key": "keyring:store-key"}})
    paths = resolve_paths(None, tmp_path)
    store = open_secure_store(settings, paths)
    store.audit.append("li.agent", "lookup", subject="member:M1", detail={"q": "x"})
    store.close()
    assert not is_plain_sqlite(paths.store)
    assert (paths.store.stat().st_mode & 0o777) == 0o600  # owner-only as well
    again = open_secure_store(settings, paths)
    assert again.audit.verify().ok and len(again.audit.list()) == 1
    again.close()
    keyring.set_password(KEYRING_SERVICE, "store-key", new_key())
    with pytest.raises(EncryptionUnavailable, match="configured key"):
        open_secure_store(settings, paths)
    keyring.delete_password(KEYRING_SERVICE, "store-key")
    with pytest.raises(EncryptionUnavailable, match="not in the keyring"):
        open_secure_store(settings, paths)
