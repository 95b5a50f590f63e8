"""Folders and files that hold personal data: owner-only whatever the umask (700 and 600).

Everything the broker keeps (the store, recordings, exports, copies an agent saves) is created
through here, so no file with personal data is readable by another account on the host.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` and each missing parent 700. Existing folders keep their mode (an
    operator may have chosen it) unless ``tighten`` asks for ``path`` itself to be made 700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is cut by the umask; 700 is meant
    if tighten:
        os.chmod(path, PRIVATE_DIR)
    return path


def private_file(path: Path, mode: str = "w") -> IO[Any]:
    """A new file only its owner can read, whatever the umask (never an existing one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    if "b" in mode:
        return os.fdopen(fd, mode)
    return os.fdopen(fd, mode, encoding="utf-8")
