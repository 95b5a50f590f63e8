"""Shared fixtures: an in-memory keyring (secrets never touch disk), isolated data dirs, and no
config file from the developer's machine (an empty XDG config home and config dirs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.secrets[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def empty_xdg_config(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("xdg-config-home")
    site = tmp_path_factory.mktemp("xdg-config-dirs")
    return home, site


@pytest.fixture(autouse=True)
def no_host_config(empty_xdg_config: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray ~/.config/cscdesk/config.toml, /etc/xdg one or $CSCDESK_CONFIG must not change what
    tests see: config discovery looks only in empty folders unless a test says otherwise."""
    home, site = empty_xdg_config
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(site))
    monkeypatch.delenv("CSCDESK_CONFIG", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
