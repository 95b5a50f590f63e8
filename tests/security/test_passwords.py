"""Passwords are stored only as argon2 hashes and must meet the complexity rule."""

from __future__ import annotations

import pytest

from cscdesk.security.passwords import (
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_hash_verifies_the_password_and_nothing_else() -> None:
    stored = hash_password("Kefu-2026-xyz")
    assert stored.startswith("$argon2id$")
    assert "Kefu-2026-xyz" not in stored
    assert verify_password(stored, "Kefu-2026-xyz")
    assert not verify_password(stored, "kefu-2026-xyz")
    assert not needs_rehash(stored)


def test_a_corrupt_hash_never_verifies() -> None:
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("password", "reason"),
    [("Ab1!", "at least 10"), ("alllowercase", "mix"), ("lower-and-digits-123", None)],
)
def test_complexity_rule(password: str, reason: str | None) -> None:
    if reason is None:
        check_strength(password)
    else:
        with pytest.raises(WeakPassword, match=reason):
            check_strength(password)
