"""The store's own health, seen without changing it: SQLite's quick check on a read-only handle."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` on a read-only connection: "ok" or what SQLite found wrong.

    ``mode=ro`` means the check can neither write into a damaged file nor create one; a file SQLite
    cannot read at all is reported the same way as damage.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    lines = [" ".join(str(row[0]).split()) for row in rows]  # one line per problem
    return "ok" if lines == ["ok"] else "; ".join(lines)
