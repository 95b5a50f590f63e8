"""Password hashing (argon2id) and the complexity rule 等保二级 asks for.

Hashes are self-describing argon2 strings, so parameters can be raised later and old hashes are
re-hashed on the next successful login (``needs_rehash``).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()


@dataclass(frozen=True, slots=True)
class PasswordRule:
    min_length: int = 10
    min_classes: int = 3  # of: lower case, upper case, digits, symbols


class WeakPassword(ValueError):
    """The new password breaks the rule; the message says which part."""


def check_strength(password: str, rule: PasswordRule = PasswordRule()) -> None:
    if len(password) < rule.min_length:
        raise WeakPassword(f"password must have at least {rule.min_length} characters")
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if classes < rule.min_classes:
        raise WeakPassword(
            f"password must mix at least {rule.min_classes} of: lower case, upper case, digits, symbols"
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
