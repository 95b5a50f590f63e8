"""The ticket word index: every Chinese two-character sequence of a ticket's text as one token.

Agents search tickets by two-character words (理赔, 进度, 材料), which a trigram index cannot
match and a ``LIKE`` scan of a million tickets finds too slowly. ``tickets_fts_bigrams`` is an
FTS5 table (unicode61 over tokens made here) where each run of Chinese text is written as its
overlapping bigrams in order, then its last character: ``理赔进度`` → ``理赔 赔进 进度 度``. A
search term is then one phrase of its own bigrams (consecutive positions, so exactly the texts
holding the term), a one-character term a prefix token, and Latin words and numbers whole words
matched from their start (a report number, a prefix of it). Whitespace-separated terms are ANDed.

The index is contentless (the text stays in ``tickets`` and ``ticket_events``), keyed by the
tickets' rowid, and kept by ``cscdesk.store.tickets`` when it writes a ticket or a note: the
tokens are made in Python, which triggers cannot call.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

TABLE = "tickets_fts_bigrams"
CANDIDATES = 500  # newest matches ranked for the desk; older ones need more words
_ALNUM_RUN = re.compile(r"[^\W_]+")
_CJK_SPLIT = re.compile(r"([\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+)")


class _Executes(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def _segments(text: str) -> Iterator[tuple[bool, str]]:
    """(is Chinese, segment) of each alphanumeric run, Chinese and other scripts apart."""
    for run in _ALNUM_RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        for piece in _CJK_SPLIT.split(run):
            if piece:
                yield bool(_CJK_SPLIT.fullmatch(piece)), piece


def _bigrams(segment: str) -> list[str]:
    return [segment[i : i + 2] for i in range(len(segment) - 1)]


def tokens(text: str) -> str:
    """The indexed form of ``text``: Chinese runs as bigrams plus the last character, other
    words whole."""
    out: list[str] = []
    for chinese, piece in _segments(text):
        out.extend([*_bigrams(piece), piece[-1]] if chinese else [piece])
    return " ".join(out)


def _term(term: str) -> tuple[list[str], bool] | None:
    """One search term as the phrase (words, last one a prefix) that matches exactly the texts
    containing it (a Latin word or number at the term's start must be whole)."""
    pieces = list(_segments(term))
    if not pieces:
        return None
    words: list[str] = []
    prefix = False
    for k, (chinese, piece) in enumerate(pieces):
        last = k == len(pieces) - 1
        if not chinese:
            words.append(piece)
            prefix = last
        elif len(piece) == 1:
            words.append(piece)  # a one-character run: its own last-character token
            prefix = last  # ... or the first character of a longer run
        else:
            words.extend(_bigrams(piece) if last else [*_bigrams(piece), piece[-1]])
            prefix = False
    return words, prefix


def match_terms(text: str) -> list[tuple[list[str], bool]]:
    """The phrase of each whitespace-separated term that holds a letter or digit."""
    return [p for p in (_term(t) for t in text.split()) if p is not None]


def match_expression(text: str) -> str | None:
    """Whitespace-separated terms ANDed as FTS5 phrases; None when no term holds a letter or
    digit."""
    phrases = [
        '"' + " ".join(words) + '"' + ("*" if prefix else "") for words, prefix in match_terms(text)
    ]
    return " AND ".join(phrases) if phrases else None


def candidates(db: _Executes, text: str) -> tuple[str, list[Any]] | None:
    """SQL selecting the rowids of the newest ``CANDIDATES`` tickets matching ``text``, on
    either engine; None when no term holds a letter or digit."""
    if getattr(db, "dialect", "sqlite") == "postgresql":
        from cscdesk.store import pg_search

        terms = match_terms(text)
        if not terms:
            return None
        return pg_search.ticket_candidates(TABLE, terms, CANDIDATES)
    expression = match_expression(text)
    if expression is None:
        return None
    return (
        f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?",
        [expression, CANDIDATES],
    )


def title_terms(text: str) -> list[str]:
    """The terms as they are compared with titles for ranking (normalised, lower case)."""
    return [unicodedata.normalize("NFKC", t).lower() for t in text.split() if t]


def create(db: _Executes) -> None:
    """The index table, replacing migration 2's trigram table (two-character words never
    matched it; its note trigger scanned the whole table on every note)."""
    for trigger in ("ai", "au", "note"):
        db.execute(f"DROP TRIGGER IF EXISTS tickets_fts_{trigger}")
    db.execute("DROP TABLE IF EXISTS tickets_fts")
    if getattr(db, "dialect", "sqlite") == "postgresql":
        from cscdesk.store import pg_search

        pg_search.create_ticket_index(db, TABLE)
        return
    db.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, body, content = '',"
        " tokenize = 'unicode61 remove_diacritics 0')"
    )


_TEXTS = (
    "SELECT t.rowid, t.title, t.description, (SELECT group_concat(note, ' ') FROM"
    " (SELECT e.note FROM ticket_events e WHERE e.ticket_id = t.id"
    " AND e.note IS NOT NULL ORDER BY e.id) AS notes) FROM tickets t"
)


def _rows_after(db: _Executes, last: int, batch: int) -> list[Any]:
    return list(
        db.execute(f"{_TEXTS} WHERE t.rowid > ? ORDER BY t.rowid LIMIT ?", [last, batch]).fetchall()
    )


def index_all(db: _Executes, batch: int = 20_000) -> int:
    """Index every ticket already stored into the empty index (migration, bulk loads);
    returns how many."""
    if getattr(db, "dialect", "sqlite") == "postgresql":
        return _index_all_postgres(db, batch)
    last, count = 0, 0
    while rows := _rows_after(db, last, batch):
        for rowid, title, description, notes in rows:
            add(db, rowid, title, body(description, [notes]))
        last, count = rows[-1][0], count + len(rows)
    return count


def _index_all_postgres(db: Any, batch: int) -> int:
    """All tickets read by one server-side cursor and their documents written by COPY: one
    statement and one row lookup per ticket cost a copied center of a million tickets more
    than an hour."""
    from cscdesk.store import pg_search

    if not _present(db):
        return 0
    count = 0
    with contextlib.closing(db.stream(f"{_TEXTS} ORDER BY t.rowid", (), batch)) as chunks:
        for rows in chunks:
            documents = [
                (rowid, pg_search.vector(tokens(title).split(),
                                         tokens(body(description, [notes])).split()))
                for rowid, title, description, notes in rows
            ]  # fmt: skip
            db.copy_rows(TABLE, ["rowid", "doc"], documents)
            count += len(rows)
    return count


def body(description: str | None, notes: Iterable[str | None]) -> str:
    """The indexed body of a ticket: its description and every note."""
    return " ".join([description or "", *(n for n in notes if n)])


def _present(db: _Executes) -> bool:
    """Whether the index exists: a store opened below migration 10 (the upgrade tests write
    through today's code there) gets its tickets indexed by the migration instead."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [TABLE]).fetchone()
    return found is not None


def add(db: _Executes, rowid: int, title: str, body_text: str) -> None:
    if not _present(db):
        return
    if getattr(db, "dialect", "sqlite") == "postgresql":
        from cscdesk.store import pg_search

        pg_search.add_ticket(db, TABLE, rowid, tokens(title).split(), tokens(body_text).split())
        return
    db.execute(
        f"INSERT INTO {TABLE}(rowid, title, body) VALUES (?, ?, ?)",
        [rowid, tokens(title), tokens(body_text)],
    )


def remove(db: _Executes, rowid: int, title: str, body_text: str) -> None:
    """A contentless index forgets a row only when told the tokens it indexed."""
    if not _present(db):
        return
    if getattr(db, "dialect", "sqlite") == "postgresql":
        from cscdesk.store import pg_search

        pg_search.remove_ticket(db, TABLE, rowid)
        return
    db.execute(
        f"INSERT INTO {TABLE}({TABLE}, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [rowid, tokens(title), tokens(body_text)],
    )
