"""Insured people (被保险人): the only table that holds mobiles and ID numbers.

Lookups the desk makes on every call (by mobile, by ID number, by name) hit an index or FTS5.

People search (``lookup``) must find 王丽华 from ``丽华`` or ``华``: Chinese names have no word
boundaries, so ``members_fts_names`` indexes each character of a name as its own token and a
query is one phrase of characters (substring semantics, what ``LIKE '%丽华%'`` finds, from an
index). Mobiles, ID numbers and employee numbers are found by any fragment of four characters or
more through the trigram index ``members_fts_numbers``, an external-content index over
``members`` (it holds no copy of the numbers). Searching by a number is allowed; showing it is
not: hits carry what tells people apart without unmasking (employer, birth year, relation,
policy count).

Agents who hear a name on the phone often type it in pinyin (``lihua``) or as initials (``lh``).
SQL cannot turn Han characters into pinyin, so the members table keeps both spellings in two
columns written here with every member (``name_pinyin`` ``'wang li hua'``, ``name_initials``
``'w l h'``; a surname read otherwise than usual, 曾 zeng, adds that reading after a ``0``
that no query contains), and ``members_fts_pinyin`` indexes those columns by triggers (external
content again). Being columns of ``members``, they travel with it in a bundle.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import IdType, Member, Relation, Sex
from cscdesk.domain.privacy import mask_id_number, mask_mobile, mask_name
from cscdesk.store._codec import day, to_day
from cscdesk.store.read_ahead import Read

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

COLUMNS = (
    "id, name, id_type, id_number, birth_date, sex, mobile, employer_id, employee_no,"
    " relation, main_member_id, plan_tier, flags"
)
PINYIN_COLUMNS = "name_pinyin, name_initials"
NAME_CHARS_INDEXED = 32  # characters of a name in the index (names are far shorter)
MIN_NUMBER_FRAGMENT = 4  # three digits match a third of everyone: no use to an agent
MIN_PINYIN_LETTERS = 2  # one initial matches a tenth of everyone
MAX_PINYIN_READINGS = 20  # ways to cut the letters into syllables ("xian": xian, xi an)
_VARIANT_SEPARATOR = " 0 "  # between readings: a digit token no pinyin query holds
# Surnames read otherwise than the character usually is (pypinyin gives the common reading,
# 曾 ceng, 单 dan): agents type the surname as it is said, so both are indexed.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "区": "ou", "仇": "qiu", "解": "xie", "查": "zha", "朴": "piao",
    "乐": "yue", "覃": "qin", "种": "chong", "盖": "ge", "缪": "miao", "秘": "bi", "召": "shao",
    "翟": "zhai", "员": "yun", "洗": "xian", "折": "she", "隗": "wei", "繁": "po", "句": "gou",
}  # fmt: skip
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003ffff]")
_NUMBER_LIKE = re.compile(r"[0-9A-Za-z]+")
_NUMBER_SEPARATORS = re.compile(r"[\s\-_/.]+")


class UnknownMember(KeyError):
    """No member with that id."""


def name_pinyin(name: str) -> tuple[str, str]:
    """The name in pinyin syllables and in initials, space-separated, a surname's own reading
    after the usual one: ``'王丽华'`` → ``('wang li hua', 'w l h')``, ``'曾小贤'`` →
    ``('ceng xiao xian 0 zeng xiao xian', 'c x x 0 z x x')``. Letters and other
    characters of the name are left to the character index."""
    from pypinyin import lazy_pinyin  # only when members are written

    syllables = [p for p in lazy_pinyin(name, errors="ignore") if p.isascii() and p.isalpha()]
    if not syllables:
        return "", ""
    first_han = next(c for c in name if _HAN.match(c))
    readings = list(dict.fromkeys([syllables[0], SURNAME_READINGS.get(first_han, syllables[0])]))
    variants = [[first, *syllables[1:]] for first in readings]
    full = _VARIANT_SEPARATOR.join(" ".join(v) for v in variants)
    initials = _VARIANT_SEPARATOR.join(dict.fromkeys(" ".join(p[0] for p in v) for v in variants))
    return full, initials


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


def _insert(db: StoreDatabase, *, upsert: bool) -> tuple[str, bool]:
    """The INSERT for this file's schema, and whether it takes the pinyin spellings. A file
    not yet migrated to them (an upgrade test writing into an old file) gets the member's own
    columns; the migration spells those names when it runs."""
    spelled = any(row[1] == "name_pinyin" for row in db.execute("PRAGMA table_info(members)"))
    columns = [
        c.strip() for c in (f"{COLUMNS}, {PINYIN_COLUMNS}" if spelled else COLUMNS).split(",")
    ]
    sql = f"INSERT INTO members ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if upsert:
        sql += " ON CONFLICT(id) DO UPDATE SET " + ", ".join(
            f"{c} = excluded.{c}" for c in columns[1:]
        )
    return sql, spelled


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


def _spaced(column: str) -> str:
    """SQL that spells ``column`` one character per token: ``'王丽华'`` → ``'王 丽 华'``.

    Triggers cannot run a recursive query, so the split is unrolled to NAME_CHARS_INDEXED."""
    parts = " || ' ' || ".join(
        f"substr({column}, {i}, 1)" for i in range(1, NAME_CHARS_INDEXED + 1)
    )
    return f"trim({parts})"


def create_search_index(db: StoreDatabase) -> None:
    """Character-level name index and trigram number index, filled from the members already
    stored; replaces the word index of migration 2 (it only found names from the surname).
    PostgreSQL has its own indexes (``store.pg_search``)."""
    if db.dialect == "postgresql":
        from cscdesk.store import pg_search

        pg_search.create_member_search(db)
        return
    for trigger in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS members_fts_{trigger}")
    db.execute("DROP TABLE IF EXISTS members_fts")
    db.execute(
        "CREATE VIRTUAL TABLE members_fts_names USING fts5("
        "chars, tokenize = 'unicode61 remove_diacritics 0')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE members_fts_numbers USING fts5(mobile, id_number, employee_no,"
        " content = 'members', content_rowid = 'rowid', tokenize = 'trigram')"
    )
    spaced_new, spaced_name = _spaced("new.name"), _spaced("name")
    db.execute(
        f"INSERT INTO members_fts_names(rowid, chars) SELECT rowid, {spaced_name} FROM members"
    )
    db.execute("INSERT INTO members_fts_numbers(members_fts_numbers) VALUES ('rebuild')")
    numbers_delete = (
        "INSERT INTO members_fts_numbers(members_fts_numbers, rowid, mobile, id_number,"
        " employee_no) VALUES ('delete', old.rowid, old.mobile, old.id_number, old.employee_no);"
    )
    numbers_insert = (
        "INSERT INTO members_fts_numbers(rowid, mobile, id_number, employee_no)"
        " VALUES (new.rowid, new.mobile, new.id_number, new.employee_no);"
    )
    name_insert = f"INSERT INTO members_fts_names(rowid, chars) VALUES (new.rowid, {spaced_new});"
    name_delete = "DELETE FROM members_fts_names WHERE rowid = old.rowid;"
    db.execute(
        f"CREATE TRIGGER members_search_ai AFTER INSERT ON members BEGIN"
        f" {name_insert} {numbers_insert} END"
    )
    db.execute(
        f"CREATE TRIGGER members_search_ad AFTER DELETE ON members BEGIN"
        f" {name_delete} {numbers_delete} END"
    )
    db.execute(
        "CREATE TRIGGER members_search_au AFTER UPDATE OF name, mobile, id_number, employee_no"
        f" ON members BEGIN {name_delete} {numbers_delete} {name_insert} {numbers_insert} END"
    )


def create_pinyin_index(db: StoreDatabase) -> None:
    """The pinyin columns, filled for the members already stored, and their index."""
    db.execute("ALTER TABLE members ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE members ADD COLUMN name_initials TEXT NOT NULL DEFAULT ''")
    last = -1
    while True:
        rows = db.execute(
            "SELECT rowid, name FROM members WHERE rowid > ? ORDER BY rowid LIMIT 5000", [last]
        ).fetchall()
        if not rows:
            break
        db.executemany(
            "UPDATE members SET name_pinyin = ?, name_initials = ? WHERE rowid = ?",
            [(*name_pinyin(name), rowid) for rowid, name in rows],
        )
        last = rows[-1][0]
    if db.dialect == "postgresql":
        from cscdesk.store import pg_search

        pg_search.create_member_pinyin(db)
        return
    db.execute(
        f"CREATE VIRTUAL TABLE members_fts_pinyin USING fts5({PINYIN_COLUMNS},"
        " content = 'members', content_rowid = 'rowid', tokenize = 'unicode61')"
    )
    db.execute("INSERT INTO members_fts_pinyin(members_fts_pinyin) VALUES ('rebuild')")
    delete = (
        f"INSERT INTO members_fts_pinyin(members_fts_pinyin, rowid, {PINYIN_COLUMNS})"
        " VALUES ('delete', old.rowid, old.name_pinyin, old.name_initials);"
    )
    insert = (
        f"INSERT INTO members_fts_pinyin(rowid, {PINYIN_COLUMNS})"
        " VALUES (new.rowid, new.name_pinyin, new.name_initials);"
    )
    db.execute(f"CREATE TRIGGER members_pinyin_ai AFTER INSERT ON members BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER members_pinyin_ad AFTER DELETE ON members BEGIN {delete} END")
    db.execute(
        f"CREATE TRIGGER members_pinyin_au AFTER UPDATE OF {PINYIN_COLUMNS} ON members"
        f" BEGIN {delete} {insert} END"
    )


def _phrase(tokens: Iterable[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def name_chars(text: str) -> list[str]:
    """The letters and characters of a name fragment, one token each, as the index holds them."""
    return [c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum()]


def name_query(text: str) -> str | None:
    """The FTS5 phrase of a name fragment, one token per letter or character; None when the
    text holds nothing a name is indexed by (``"``, ``*``, ``-`` alone find nobody)."""
    chars = name_chars(text)
    return _phrase(chars) if chars else None


def number_fragment(text: str) -> str | None:
    """A mobile, ID or employee number fragment as it is searched (full-width digits and
    separators as typed on a phone are normalised); None when it is not number-like or
    shorter than MIN_NUMBER_FRAGMENT."""
    compact = _NUMBER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if len(compact) < MIN_NUMBER_FRAGMENT or not _NUMBER_LIKE.fullmatch(compact):
        return None
    if not any(c.isdigit() for c in compact):
        return None
    return compact


def number_query(text: str) -> str | None:
    """The FTS5 trigram phrase of a number fragment (``number_fragment``)."""
    compact = number_fragment(text)
    return None if compact is None else _phrase([compact])


@functools.cache
def _syllables() -> frozenset[str]:
    """Every pinyin syllable without tones, as pypinyin spells them (``lv`` for 吕)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    marked = {p for readings in pinyin_dict.values() for p in readings.split(",")}
    return frozenset(to_normal(p) for p in marked)


def _readings(letters: str) -> list[list[str]]:
    """The ways to cut ``letters`` into syllables, the last one possibly unfinished (an agent
    still typing), longest syllables first: ``'xian'`` → ``[['xian'], ['xia', 'n'], ...]``, ``'lihu'`` → ``[['li', 'hu']]``."""
    syllables = _syllables()
    out: list[list[str]] = []

    def cut(start: int, done: list[str]) -> None:
        if len(out) >= MAX_PINYIN_READINGS:
            return
        for end in range(min(start + 6, len(letters)), start, -1):  # longest syllable first
            piece = letters[start:end]
            if end == len(letters):
                if piece in syllables or any(s.startswith(piece) for s in syllables):
                    out.append([*done, piece])  # unfinished: see pinyin_query
            elif piece in syllables:
                cut(end, [*done, piece])

    cut(0, [])
    return out


def pinyin_query(text: str) -> str | None:
    """The FTS5 query of a name typed in pinyin (``lihua``, ``li hua``, ``wangli``) or as
    initials (``lh``): the initials as one phrase, or any cut of the letters into syllables
    as a phrase; a last piece that is not a syllable yet (the ``j`` of ``zhangj``) is a
    prefix, a whole one is not (``lihu`` finds 李虎, not 李华). None when the text is not
    pinyin."""
    alternatives = pinyin_alternatives(text)
    if not alternatives:
        return None
    return " OR ".join(
        f"{column} : {_phrase(words)}" + (" *" if prefix else "")
        for column, words, prefix in alternatives
    )


def pinyin_alternatives(text: str) -> list[tuple[str, list[str], bool]]:
    """(column, words, last word a prefix) of each way ``pinyin_query`` reads the text; empty
    when the text is not pinyin."""
    letters = re.sub(r"[\s']+", "", unicodedata.normalize("NFKC", text)).lower()
    if len(letters) < MIN_PINYIN_LETTERS or not letters.isascii() or not letters.isalpha():
        return []
    syllables = _syllables()
    return [
        ("name_initials", list(letters), False),
        *(("name_pinyin", r, r[-1] not in syllables) for r in _readings(letters)),
    ]


@dataclass(frozen=True, slots=True)
class MemberHit:
    """One person found, with what tells namesakes apart without showing a number whole."""

    member: Member
    employer: str
    birth_year: int
    policies: int

    @property
    def relation(self) -> Relation:
        return self.member.relation

    def masked(self) -> dict[str, str]:
        """The hit as the desk may show it: name, numbers masked."""
        m = self.member
        return {
            "name": mask_name(m.name),
            "employer": self.employer,
            "birth_year": str(self.birth_year),
            "relation": m.relation.value,
            "policies": str(self.policies),
            "mobile": mask_mobile(m.mobile) if m.mobile else "",
            "id_number": mask_id_number(m.id_number),
        }


@dataclass(frozen=True, slots=True)
class MemberSearch:
    """``total`` is the true number of matches; ``hits`` the first ``limit`` of them."""

    text: str
    total: int
    hits: list[MemberHit]


class Members:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _many(self, sql: str, params: Sequence[Any] = ()) -> list[Member]:
        with self._store.reading() as db:
            rows = db.execute(sql, params).fetchall()
        return [to_member(r) for r in rows]

    def get(self, member_id: str) -> Member:
        found = self._many(*self.get_read(member_id))
        if not found:
            raise UnknownMember(member_id)
        return found[0]

    @staticmethod
    def get_read(member_id: str) -> Read:
        """``get``'s statement, for ``Store.read_ahead``."""
        return f"SELECT {COLUMNS} FROM members WHERE id = ?", [member_id]

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

    def by_id_numbers(self, id_numbers: Sequence[str]) -> dict[str, Member]:
        """Members by ID number, many at once (bulk imports check a batch in one query)."""
        found: dict[str, Member] = {}
        for start in range(0, len(id_numbers), 500):
            chunk = list(id_numbers[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            for m in self._many(
                f"SELECT {COLUMNS} FROM members WHERE id_number IN ({marks}) ORDER BY id", chunk
            ):
                found.setdefault(m.id_number, m)
        return found

    def policy_numbers(self, member_ids: Sequence[str]) -> dict[str, set[str]]:
        """The group policy numbers each member is insured under, many members at once."""
        found: dict[str, set[str]] = {}
        for start in range(0, len(member_ids), 500):
            chunk = list(member_ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            with self._store.reading() as db:
                rows = db.execute(
                    f"SELECT member_id, policy_no FROM policies WHERE member_id IN ({marks})",
                    chunk,
                ).fetchall()
            for member_id, policy_no in rows:
                found.setdefault(str(member_id), set()).add(str(policy_no))
        return found

    def by_employer(self, employer_id: str, limit: int = 1000) -> list[Member]:
        return self._many(
            f"SELECT {COLUMNS} FROM members WHERE employer_id = ? ORDER BY id LIMIT ?",
            [employer_id, limit],
        )

    def dependants_of(self, main_member_id: str) -> list[Member]:
        return self._many(*self.dependants_read(main_member_id))

    @staticmethod
    def dependants_read(main_member_id: str) -> Read:
        """``dependants_of``'s statement, for ``Store.read_ahead``."""
        return (
            f"SELECT {COLUMNS} FROM members WHERE main_member_id = ? AND id != ? ORDER BY id",
            [main_member_id, main_member_id],
        )

    def search(self, text: str, limit: int = 50) -> list[Member]:
        """Members whose name holds ``text`` or whose mobile, ID or employee number holds it
        (four characters or more); exact names first, then names that start with it. An empty
        text lists members."""
        if not text.strip():
            return self._many(f"SELECT {COLUMNS} FROM members ORDER BY id LIMIT ?", [limit])
        return [hit.member for hit in self.lookup(text, limit).hits]

    @staticmethod
    def _matches(db: StoreDatabase, text: str) -> tuple[str, list[Any]] | None:
        """SQL selecting the rowids that match ``text``, or None when nothing can match."""
        if db.dialect == "postgresql":
            from cscdesk.store import pg_search

            return pg_search.member_matches(
                name_chars(text), number_fragment(text), pinyin_alternatives(text)
            )
        names, numbers, pinyin = name_query(text), number_query(text), pinyin_query(text)
        parts, params = [], []
        if names is not None:
            parts.append("SELECT rowid FROM members_fts_names WHERE members_fts_names MATCH ?")
            params.append(names)
        if numbers is not None:
            parts.append("SELECT rowid FROM members_fts_numbers WHERE members_fts_numbers MATCH ?")
            params.append(numbers)
        if pinyin is not None:
            parts.append("SELECT rowid FROM members_fts_pinyin WHERE members_fts_pinyin MATCH ?")
            params.append(pinyin)
        return (" UNION ".join(parts), params) if parts else None

    def lookup(self, text: str, limit: int = 50) -> MemberSearch:
        """Search for a person by any part of a name, or a fragment of a mobile, ID number or
        employee number; the true match count and the first ``limit`` hits, exact name first,
        then names starting with the text, then by member id."""
        wanted = unicodedata.normalize("NFKC", text).strip()
        columns = ", ".join("m." + c.strip() for c in COLUMNS.split(","))
        with self._store.reading() as db:
            matches = self._matches(db, text)
            if matches is None:
                return MemberSearch(text, 0, [])
            sql, params = matches
            total = int(db.execute(f"SELECT count(*) FROM ({sql}) AS found", params).fetchone()[0])
            rows = db.execute(
                f"SELECT {columns}, coalesce(e.name, m.employer_id),"
                " (SELECT count(*) FROM policies p WHERE p.member_id = m.id)"
                f" FROM members m LEFT JOIN employers e ON e.id = m.employer_id"
                f" WHERE m.rowid IN ({sql})"
                " ORDER BY m.name != ?, instr(m.name, ?) != 1, m.id LIMIT ?",
                [*params, wanted, wanted, limit],
            ).fetchall()
        hits = []
        for row in rows:
            member = to_member(row[:13])
            hits.append(MemberHit(member, str(row[13]), member.birth_date.year, int(row[14])))
        return MemberSearch(text, total, hits)

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
            row = db.execute(*self.employer_name_read(employer_id)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def employer_name_read(employer_id: str) -> Read:
        """``employer_name``'s statement, for ``Store.read_ahead``."""
        return "SELECT name FROM employers WHERE id = ?", [employer_id]

    def add_many(self, members: Iterable[Member], *, defer_links: bool = False) -> int:
        """Insert new members in one transaction (bulk: demo data, roster import).

        ``defer_links``: a dependant may come before its main insured (a large roster written
        in batches inside one transaction); the link is checked when that transaction commits."""
        return self._write(members, upsert=False, defer_links=defer_links)

    def upsert_many(self, members: Iterable[Member]) -> int:
        return self._write(members, upsert=True)

    def _write(self, members: Iterable[Member], *, upsert: bool, defer_links: bool = False) -> int:
        rows = [member_row(m) for m in members]
        spellings = [name_pinyin(row[1]) for row in rows]  # before the write lock is taken
        with self._store.transaction() as db:
            sql, spelled = _insert(db, upsert=upsert)
            if spelled:
                rows = [(*row, *spelling) for row, spelling in zip(rows, spellings, strict=True)]
            if defer_links:
                db.execute("PRAGMA defer_foreign_keys = ON")
            db.executemany(sql, rows)
        return len(rows)
