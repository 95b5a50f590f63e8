"""A keyring backend for child processes in tests: secrets handed over in the environment.

The parent test keeps its secrets in the in-memory keyring (tests/conftest.py); a ``cscdesk``
child process cannot see that, so the test names this backend in ``PYTHON_KEYRING_BACKEND`` and
passes each secret as ``CSCDESK_TEST_SECRET_<NAME>``. Used only by tests, never installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError

PREFIX = "CSCDESK_TEST_SECRET_"


def variable(name: str) -> str:
    return PREFIX + name.upper().replace("-", "_")


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(variable(username))

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the test keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordSetError("the test keyring is read-only")


def child_environment(secrets: dict[str, str]) -> dict[str, str]:
    """The environment for a ``cscdesk`` child process whose keyring holds ``secrets``
    (name → value) and nothing else."""
    here = str(Path(__file__).parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "env_keyring.EnvKeyring",
        **{variable(name): value for name, value in secrets.items()},
    }
