"""Insured people (被保险人): the only table that holds mobiles and ID numbers.

Lookups the desk makes on every call (by mobile, by ID number, by name) hit an index or FTS5.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import IdType, Member, Relation, Sex
from cscdesk.store._codec import day, to_day

if TYPE_CHECKING:
    from cscdesk.store.db import Store

COLUMNS = (
    "id, name, id_type, id_number, birth_date, sex, mobile, employer_id, employee_no,"
    " relation, main_member_id, plan_tier, flags"
)
INSERT = f"INSERT INTO members ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_FTS_SPECIALS = re.compile(r'["*^():+\-]')


class UnknownMember(KeyError):
    """No member with that id."""


def member_row(member: Member) -> tuple[Any, ...]:
    return (
        member.id,
        member.name,
        member.id_type.value,
        member.id_number,
        day(member.birth_date),
        member.sex.value,
        member.mobile,
        member.employer_id,
        member.employee_no,
        member.relation.value,
        member.main_member_id,
        member.plan_tier,
        json.dumps(list(member.flags), ensure_ascii=False),
    )


def to_member(row: Sequence[Any]) -> Member:
    birth = to_day(row[4])
    assert birth is not None
    return Member(
        id=row[0],
        name=row[1],
        id_type=IdType(row[2]),
        id_number=row[3],
        birth_date=birth,
        sex=Sex(row[5]),
        mobile=row[6],
        employer_id=row[7],
        employee_no=row[8],
        relation=Relation(row[9]),
        main_member_id=row[10],
        plan_tier=row[11],
        flags=tuple(json.loads(row[12] or "[]")),
    )


def fts_prefix_query(text: str) -> str:
    """Each word of the user's text as a quoted prefix term: ``张三 E01`` → ``"张三"* "E01"*``."""
    words = [w for w in _FTS_SPECIALS.sub(" ", text).split() if w]
    return " ".join(f'"{w}"*' for w in words)


class Members:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _many(self, sql: str, params: Sequence[Any] = ()) -> list[Member]:
        with self._store.reading() as db:
            rows = db.execute(sql, params).fetchall()
        return [to_member(r) for r in rows]

    def get(self, member_id: str) -> Member:
        found = self._many(f"SELECT {COLUMNS} FROM members WHERE id = ?", [member_id])
        if not found:
            raise UnknownMember(member_id)
        return found[0]

    def find(self, member_id: str) -> Member | None:
        found = self._many(f"SELECT {COLUMNS} FROM members WHERE id = ?", [member_id])
        return found[0] if found else None

    def by_mobile(self, mobile: str) -> list[Member]:
        """Members with this normalised mobile (``13812345678``); main insured first."""
        return self._many(
            f"SELECT {COLUMNS} FROM members WHERE mobile = ? ORDER BY relation != 'self', id",
            [mobile],
        )

    def by_id_number(self, id_number: str) -> list[Member]:
        return self._many(
            f"SELECT {COLUMNS} FROM members WHERE id_number = ? ORDER BY id",
            [id_number.strip().upper()],
        )

    def by_employer(self, employer_id: str, limit: int = 1000) -> list[Member]:
        return self._many(
            f"SELECT {COLUMNS} FROM members WHERE employer_id = ? ORDER BY id LIMIT ?",
            [employer_id, limit],
        )

    def dependants_of(self, main_member_id: str) -> list[Member]:
        return self._many(
            f"SELECT {COLUMNS} FROM members WHERE main_member_id = ? AND id != ? ORDER BY id",
            [main_member_id, main_member_id],
        )

    def search(self, text: str, limit: int = 50) -> list[Member]:
        """Names and employee numbers by word prefix (FTS5), exact names first; an empty
        text lists members."""
        query = fts_prefix_query(text)
        if not query:
            return self._many(f"SELECT {COLUMNS} FROM members ORDER BY id LIMIT ?", [limit])
        return self._many(
            f"SELECT {', '.join('m.' + c.strip() for c in COLUMNS.split(','))}"
            " FROM members_fts f JOIN members m ON m.rowid = f.rowid"
            " WHERE members_fts MATCH ? ORDER BY m.name != ?, m.id LIMIT ?",
            [query, text.strip(), limit],
        )

    def count(self) -> int:
        with self._store.reading() as db:
            return int(db.execute("SELECT count(*) FROM members").fetchone()[0])

    def all(self, batch: int = 5000) -> Iterator[Member]:
        """Every member in id order, read in batches so a million rows stay cheap."""
        last = ""
        while True:
            chunk = self._many(
                f"SELECT {COLUMNS} FROM members WHERE id > ? ORDER BY id LIMIT ?", [last, batch]
            )
            yield from chunk
            if len(chunk) < batch:
                return
            last = chunk[-1].id

    def mobiles(self, limit: int = 500) -> list[tuple[str, str]]:
        """(mobile, member id) of main insured members, in id order."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT mobile, id FROM members WHERE relation = 'self' AND mobile IS NOT NULL"
                " ORDER BY id LIMIT ?",
                [limit],
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def employer_name(self, employer_id: str) -> str | None:
        with self._store.reading() as db:
            row = db.execute("SELECT name FROM employers WHERE id = ?", [employer_id]).fetchone()
        return None if row is None else str(row[0])

    def add_many(self, members: Iterable[Member]) -> int:
        """Insert new members in one transaction (bulk: demo data, roster import)."""
        rows = [member_row(m) for m in members]
        with self._store.transaction() as db:
            db.executemany(INSERT, rows)
        return len(rows)

    def upsert_many(self, members: Iterable[Member]) -> int:
        rows = [member_row(m) for m in members]
        sets = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in COLUMNS.split(",")[1:])
        with self._store.transaction() as db:
            db.executemany(f"{INSERT} ON CONFLICT(id) DO UPDATE SET {sets}", rows)
        return len(rows)
