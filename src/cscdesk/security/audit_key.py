"""Where the audit chain's key comes from: the OS keyring, never a file or the store itself."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def lookup_key(name: str) -> str | None:
    """The key from the OS keyring, or None when it is absent or there is no usable keyring."""
    import keyring
    from keyring.errors import KeyringError

    from cscdesk.config import KEYRING_SERVICE

    try:
        return keyring.get_password(KEYRING_SERVICE, name)
    except (KeyringError, RuntimeError) as exc:  # no backend at all is a RuntimeError too
        log.info("audit key %r: keyring unavailable (%s)", name, exc)
        return None
