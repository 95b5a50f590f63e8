"""Reference data: employers (投保单位), insurers, skill groups and agents."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cscdesk.domain.models import (
    Agent,
    AgentKind,
    Employer,
    Insurer,
    Routing,
    SkillGroup,
)

if TYPE_CHECKING:
    from cscdesk.store.db import Store


class UnknownEmployer(KeyError):
    pass


class Employers:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put_many(self, employers: Iterable[Employer]) -> None:
        rows = [(e.id, e.name, e.parent_id, e.credit_code) for e in employers]
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO employers (id, name, parent_id, credit_code) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                " parent_id = excluded.parent_id, credit_code = excluded.credit_code",
                rows,
            )

    def get(self, employer_id: str) -> Employer:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT id, name, parent_id, credit_code FROM employers WHERE id = ?",
                [employer_id],
            ).fetchone()
        if row is None:
            raise UnknownEmployer(employer_id)
        return Employer(*row)

    def all(self) -> list[Employer]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT id, name, parent_id, credit_code FROM employers ORDER BY id"
            ).fetchall()
        return [Employer(*r) for r in rows]


class Insurers:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put_many(self, insurers: Iterable[Insurer]) -> None:
        rows = [(i.id, i.name, i.short_name) for i in insurers]
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO insurers (id, name, short_name) VALUES (?, ?, ?) ON CONFLICT(id)"
                " DO UPDATE SET name = excluded.name, short_name = excluded.short_name",
                rows,
            )

    def all(self) -> list[Insurer]:
        with self._store.reading() as db:
            rows = db.execute("SELECT id, name, short_name FROM insurers ORDER BY id").fetchall()
        return [Insurer(*r) for r in rows]


class SkillGroups:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put_many(self, groups: Iterable[SkillGroup]) -> None:
        rows = [
            (g.id, g.name, g.name_en, g.routing.value, g.insurer_id, int(g.wrap_up_required))
            for g in groups
        ]
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO skill_groups"
                " (id, name, name_en, routing, insurer_id, wrap_up_required)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def all(self) -> list[SkillGroup]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT id, name, name_en, routing, insurer_id, wrap_up_required"
                " FROM skill_groups ORDER BY id"
            ).fetchall()
        return [SkillGroup(r[0], r[1], r[2], Routing(r[3]), r[4], bool(r[5])) for r in rows]


class Agents:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put_many(self, agents: Iterable[Agent]) -> None:
        rows = [
            (a.id, a.name, a.kind.value, a.insurer_id, json.dumps(list(a.skill_groups)))
            for a in agents
        ]
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO agents (id, name, kind, insurer_id, skill_groups)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def all(self) -> list[Agent]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT id, name, kind, insurer_id, skill_groups FROM agents ORDER BY id"
            ).fetchall()
        return [Agent(r[0], r[1], AgentKind(r[2]), r[3], tuple(json.loads(r[4]))) for r in rows]
