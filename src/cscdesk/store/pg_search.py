"""People and ticket search on PostgreSQL, finding exactly what the FTS5 indexes find on SQLite.

``to_tsvector`` cannot split Chinese, and ``pg_trgm`` needs three characters, while agents type
one or two (华, 丽华, 理赔). So the search keeps SQLite's idea, tokens with positions, in a
``tsvector`` built without any text parser: a name is one lexeme per letter or character in
order (``cscdesk_chars``, an index expression), a pinyin spelling one lexeme per syllable
(``cscdesk_words``), and a ticket's text the bigram tokens ``store.ticket_search`` makes in
Python, title then body with a gap so that no phrase spans both. A query is a ``tsquery`` phrase
(``'丽' <-> '华'``, a last piece ``:*`` for a prefix), the same phrase FTS5 is given. Mobile,
ID and employee number fragments (four characters or more) use ``pg_trgm`` and ``ILIKE``, as
FTS5's trigram index does. ``store.postgres.check_ctype`` refuses a database whose LC_CTYPE
would not call a Han character a letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any

INDEX_COMMENT = "search index"
_NO_ROWID = 2**63 - 1  # above every rowid: an empty window leaves every match to the word index
RECENT_SHARE = 50  # a ticket search reads the newest 1/50 of the index first (ticket_candidates)  # sqlite_master on PostgreSQL calls such a table virtual

_MEMBER_FUNCTIONS = (
    # one lexeme per letter or character of the first 32, positions in order
    "CREATE OR REPLACE FUNCTION cscdesk_chars(value text) RETURNS tsvector LANGUAGE sql"
    " IMMUTABLE PARALLEL SAFE AS $fn$"
    " SELECT coalesce(string_agg('''' || c || ''':' || n, ' ' ORDER BY n), '')::tsvector"
    " FROM (SELECT c, row_number() OVER (ORDER BY p) AS n"
    " FROM unnest(regexp_split_to_array(lower(left(coalesce(value, ''), 32)), ''))"
    " WITH ORDINALITY AS u(c, p) WHERE c ~ '[[:alnum:]]') AS kept $fn$",
    # one lexeme per space-separated word (pinyin syllables, initials)
    "CREATE OR REPLACE FUNCTION cscdesk_words(value text) RETURNS tsvector LANGUAGE sql"
    " IMMUTABLE PARALLEL SAFE AS $fn$"
    " SELECT coalesce(string_agg('''' || replace(w, '''', '''''') || ''':' || n, ' '"
    " ORDER BY n), '')::tsvector"
    " FROM (SELECT w, row_number() OVER (ORDER BY p) AS n"
    " FROM unnest(string_to_array(coalesce(value, ''), ' ')) WITH ORDINALITY AS u(w, p)"
    " WHERE w != '') AS kept $fn$",
)


_LAST = 16383  # the highest position a tsvector holds
_ENTRY = "'{}':{}".format


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def phrase(words: Sequence[str], prefix: bool = False) -> str:
    """A tsquery phrase: each word right after the one before; the last a prefix if asked."""
    body = " <-> ".join(_lexeme(w) for w in words)
    return body + (":*" if prefix else "")


def vector(*parts: Sequence[str]) -> str:
    """tsvector text of token lists, positions in order, a gap between lists (no phrase may
    span two of them, as FTS5 columns). Built by C-level ``map`` calls: a copied center's
    million tickets are tens of millions of tokens."""
    out: list[str] = []
    position = 1
    for tokens in parts:
        end = position + len(tokens)
        words = tokens
        joined = "".join(tokens)
        if "\\" in joined or "'" in joined:
            words = [w.replace("\\", "\\\\").replace("'", "''") for w in tokens]
        spots = range(position, end)
        out.extend(map(_ENTRY, words, spots if end <= _LAST else map(min, spots, repeat(_LAST))))
        position = end + 1
    return " ".join(out)


def create_member_search(db: Any) -> None:
    """The character index of names and trigram indexes of the numbers (migration 9)."""
    db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in _MEMBER_FUNCTIONS:
        db.execute(statement)
    db.execute("CREATE INDEX members_name_chars ON members USING gin (cscdesk_chars(name))")
    for column in ("mobile", "id_number", "employee_no"):
        db.execute(
            f"CREATE INDEX members_{column}_trgm ON members USING gin ({column} gin_trgm_ops)"
        )


def create_member_pinyin(db: Any) -> None:
    """Indexes of the pinyin spellings (migration 15; the columns are made for both engines)."""
    for column in ("name_pinyin", "name_initials"):
        db.execute(
            f"CREATE INDEX members_{column}_words ON members USING gin (cscdesk_words({column}))"
        )


def member_matches(
    chars: Sequence[str],
    number: str | None,
    pinyin: Sequence[tuple[str, Sequence[str], bool]],
) -> tuple[str, list[Any]] | None:
    """SQL selecting the rowids of members matching, as ``Members._matches`` does on SQLite."""
    parts: list[str] = []
    params: list[Any] = []
    if chars:
        parts.append("cscdesk_chars(name) @@ CAST(? AS tsquery)")
        params.append(phrase(chars))
    if number is not None:
        parts.append("(mobile ILIKE ? OR id_number ILIKE ? OR employee_no ILIKE ?)")
        params += [f"%{number}%"] * 3
    for column, words, prefix in pinyin:
        parts.append(f"cscdesk_words({column}) @@ CAST(? AS tsquery)")
        params.append(phrase(words, prefix))
    if not parts:
        return None
    return "SELECT rowid FROM members WHERE " + " OR ".join(parts), params


def create_ticket_index(db: Any, table: str) -> None:
    """The bigram index of tickets (migration 10): one tsvector per ticket."""
    db.execute(f"CREATE TABLE {table} (rowid BIGINT PRIMARY KEY, doc tsvector NOT NULL)")
    db.execute(f"COMMENT ON TABLE {table} IS '{INDEX_COMMENT}'")
    db.execute(f"CREATE INDEX {table}_doc ON {table} USING gin (doc)")


def add_ticket(db: Any, table: str, rowid: int, title: list[str], body: list[str]) -> None:
    db.execute(
        f"INSERT INTO {table} (rowid, doc) VALUES (?, CAST(? AS tsvector))"
        " ON CONFLICT (rowid) DO UPDATE SET doc = excluded.doc",
        [rowid, vector(title, body)],
    )


def remove_ticket(db: Any, table: str, rowid: int) -> None:
    db.execute(f"DELETE FROM {table} WHERE rowid = ?", [rowid])


def ticket_query(terms: Sequence[tuple[Sequence[str], bool]]) -> str:
    """Every term's phrase, ANDed (the FTS5 expression of ``ticket_search.match_expression``)."""
    return " & ".join(f"({phrase(words, prefix)})" for words, prefix in terms)


def _names_a_number(words: Sequence[str]) -> bool:
    """A word of five characters or more with a digit in it: a report, claim or policy number,
    which a handful of tickets hold at most."""
    return any(len(w) >= 5 and any(c.isdigit() for c in w) for w in words)


def ticket_candidates(
    table: str, terms: Sequence[tuple[Sequence[str], bool]], limit: int
) -> tuple[str, list[Any]]:
    """SQL selecting the rowids of the newest ``limit`` tickets matching every term: the same
    rows as ``... WHERE doc @@ query ORDER BY rowid DESC LIMIT limit``, in a plan that does not
    hang on the planner's guess of how many tickets match (EXPLAIN ANALYZE, 1,000,000 tickets).

    A term naming a number (``'r000123':*``) matches a handful of tickets, but the planner
    guesses thousands and walks the tickets newest first, filtering, through all of them
    (0.9 s): it goes through the word index alone (``OFFSET 0`` keeps the walk out).

    A phrase's bigrams occur together far more often than the planner's product of their
    frequencies, so for 理赔进度 it takes the word index, whose hits are rechecked for order
    one by one (77,000 of them, 0.85 s), when the newest 7,000 tickets already hold 500. So the
    newest fiftieth of the tickets is read first, newest first, and the word index is asked
    only for what is older than that and only when those did not hold ``limit`` matches (the
    share is counted from the rowids, which need no statistics: right after a bulk load
    too)."""
    query = ticket_query(terms)
    if any(_names_a_number(words) for words, _prefix in terms):
        return (
            f"SELECT rowid FROM (SELECT rowid FROM {table} WHERE doc @@ CAST(? AS tsquery)"
            " OFFSET 0) AS found ORDER BY rowid DESC LIMIT ?",
            [query, limit],
        )
    newest = (
        f"SELECT rowid, doc FROM {table} ORDER BY rowid DESC"
        f" LIMIT (SELECT (max(rowid) - min(rowid)) / {RECENT_SHARE} FROM {table})"
    )
    return (
        f"WITH recent AS (SELECT rowid FROM ({newest}) AS newest"
        " WHERE doc @@ CAST(? AS tsquery) ORDER BY rowid DESC LIMIT ?)"
        " SELECT rowid FROM recent UNION ALL"
        f" (SELECT rowid FROM (SELECT rowid FROM {table} WHERE doc @@ CAST(? AS tsquery)"
        " OFFSET 0) AS older"
        " WHERE (SELECT count(*) FROM recent) < ?"
        f" AND rowid < coalesce((SELECT min(rowid) FROM ({newest}) AS newest), {_NO_ROWID})"
        " ORDER BY rowid DESC LIMIT ? - (SELECT count(*) FROM recent))",
        [query, limit, query, limit, limit],
    )
