"""``cscdesk secrets``: put a secret into the OS keyring or take it out (never into a file).

The command reads the value from a hidden prompt and prints the outcome; keyring faults are
raised as ``KeyringError`` for it to name.
"""

from __future__ import annotations

import keyring
from keyring.errors import PasswordDeleteError

from cscdesk.config import KEYRING_SERVICE


def store_secret(name: str, value: str) -> str:
    """Store ``value`` under ``name``; the keyring backend's name (where it went)."""
    keyring.set_password(KEYRING_SERVICE, name, value)
    return str(keyring.get_keyring().name)


def delete_secret(name: str) -> bool:
    """Remove ``name``; False when the keyring holds no such secret."""
    try:
        keyring.delete_password(KEYRING_SERVICE, name)
    except PasswordDeleteError:
        return False
    return True
