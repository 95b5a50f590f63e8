"""When the store cannot be used: one line that names the file and says what to do.

A store fault is an ``sqlite3.DatabaseError`` so that loops which survive any database error
(sync rounds, desk workers) keep doing so; the command line prints its message and exits 1
instead of a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path


class StoreError(sqlite3.DatabaseError):
    """The store at ``path`` cannot be used; ``str()`` is the message for the person."""

    def __init__(self, path: Path | str, problem: str, advice: str) -> None:
        super().__init__(f"store {path}: {problem}. {advice}")
        self.path = path
        self.problem = problem
        self.advice = advice


class StoreReplaced(StoreError):
    """The file at the store's path is no longer the one this process opened."""


_WRITE_ACCESS = "Give the service user write access to the folder and its files (mode 700/600)."
_RESTORE = "Stop every desk and daemon, then restore the store from the last archive export."

# (what SQLite says, what it means, what to do), first match wins
_SQLITE_FAULTS: tuple[tuple[str, str, str], ...] = (
    (
        "database or disk is full",
        "the disk is full",
        "Free space on the disk that holds it; the write that failed was rolled back.",
    ),
    (
        "readonly database",
        "it is read-only for this user (file, its -wal/-shm files or the folder)",
        _WRITE_ACCESS,
    ),
    (
        "unable to open database file",
        "the file cannot be opened (missing folder, no permission or no space)",
        "Check that the folder exists and belongs to the service user.",
    ),
    ("file is not a database", "the file is not a SQLite database or is damaged", _RESTORE),
    ("database disk image is malformed", "the file is damaged", _RESTORE),
    (
        "disk i/o error",
        "the disk reported an I/O error, or the file was removed under us",
        _RESTORE,
    ),
)


def _read_only_reason(path: Path) -> str | None:
    """Why the store's folder cannot be written, when that is the cause of a failed open."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"it is on a read-only file system ({folder})"
    except OSError:
        return None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"it is read-only for this user ({folder} or the file)"
    return None


def explain(path: Path, exc: BaseException) -> StoreError | None:
    """A ``StoreError`` for a fault a person must fix; None for ordinary errors (bugs, locks)."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "unable to open" in text or "readonly" in text:
            reason = _read_only_reason(path)
            if reason:
                return StoreError(path, reason, _WRITE_ACCESS)
        for needle, problem, advice in _SQLITE_FAULTS:
            if needle in text:
                return StoreError(path, problem, advice)
        return None
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return StoreError(path, "the disk is full", _SQLITE_FAULTS[0][2])
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = exc.filename or path
            return StoreError(path, f"no permission to write {where}", _WRITE_ACCESS)
    return None
