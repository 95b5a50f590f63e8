"""A bulk load into PostgreSQL (``store copy``): what costs every row set aside while the rows go
in, and put back once, from all of them.

Moving a center writes millions of rows into empty tables. Row by row, each insert also updated
every secondary index (a member's name, pinyin and number indexes are GIN indexes over function
results: most of the 1,050 members a second of the first ``store copy``), checked its foreign
keys one lookup at a time, and, in the audit log and the business feed, ran a trigger that
rewrites one ``sqlite_sequence`` row per insert. Set aside while the rows go in, an index is
built once by a sort of all of them, a foreign key is checked by one join when it is added back,
and the high-water mark is set once from the highest id.

What stays: primary keys and unique constraints (a row written twice still fails), and every
guard (the append-only triggers on ``UPDATE``/``DELETE`` never fire on an insert, and the
revoked privileges are not touched).

``set_aside`` returns each item as (key, definition), for the caller to keep with its notes in
the transaction that drops them, so a load cut off at any point puts back exactly what it set
aside (``put_back``, one item at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BUMP = "cscdesk_bump_sequence"  # the trigger function keeping sqlite_sequence (store.postgres)
BUILD_MEMORY = "SET LOCAL maintenance_work_mem = '256MB'"  # an index built in one sort, not many
_ORDER = {"index": 0, "trigger": 1, "fkey": 2}  # a key's parent index is back before the key

_INDEXES = """
SELECT c.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
ORDER BY 1, 2
"""
_FOREIGN_KEYS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""
_BUMP_TRIGGERS = """
SELECT c.relname, t.tgname, encode(t.tgargs, 'escape')
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND p.proname = %s AND t.tgenabled != 'D'
  AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)
ORDER BY 1, 2
"""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_of(key: str) -> str:
    return key.split(".", 1)[0]


def order(key: str) -> int:
    """Put back indexes first, then triggers, then foreign keys (which need the keys' indexes
    of the tables they name)."""
    return _ORDER[key.split(".", 2)[1]]


def set_aside(db: Any, tables: Sequence[str]) -> dict[str, str]:
    """Drop the secondary indexes of ``tables``, every foreign key, and disable the
    ``sqlite_sequence`` triggers of ``tables``, inside the caller's transaction; returns what
    ``put_back`` needs for each: ``TABLE.KIND.NAME`` → definition."""
    conn = db.conn
    wanted = list(tables)
    aside: dict[str, str] = {}
    for table, name, definition in conn.execute(_FOREIGN_KEYS).fetchall():
        db.execute_native(f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}")
        aside[f"{table}.fkey.{name}"] = definition
    for table, name, definition in conn.execute(_INDEXES, [wanted]).fetchall():
        db.execute_native(f"DROP INDEX {_quoted(name)}")
        aside[f"{table}.index.{name}"] = definition
    for table, name, arguments in conn.execute(_BUMP_TRIGGERS, [BUMP, wanted]).fetchall():
        db.execute_native(f"ALTER TABLE {_quoted(table)} DISABLE TRIGGER {_quoted(name)}")
        aside[f"{table}.trigger.{name}"] = arguments.split("\\000")[0]  # the id column
    return aside


def put_back(db: Any, key: str, definition: str) -> None:
    """Put back one item ``set_aside`` returned, inside the caller's transaction."""
    table, kind, name = key.split(".", 2)
    if kind == "index":
        db.execute_native(BUILD_MEMORY)
        db.execute_native(definition)
    elif kind == "fkey":
        db.execute_native(
            f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {definition}"
        )
    else:  # the sequence trigger: what it would have written for the highest id, then on again
        top = f"max({_quoted(definition)})"
        db.execute_native(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT {_literal(table)}, {top}"
            f" FROM {_quoted(table)} HAVING {top} IS NOT NULL"
            " ON CONFLICT (name) DO UPDATE SET seq = greatest(sqlite_sequence.seq, excluded.seq)"
        )
        db.execute_native(f"ALTER TABLE {_quoted(table)} ENABLE TRIGGER {_quoted(name)}")
