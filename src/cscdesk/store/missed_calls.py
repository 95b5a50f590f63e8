"""The missed calls worklist (漏话回拨): one entry per number per day, claimed by one agent.

Numbers are kept as the calls table keeps them: masked (``138****1234``), with the member link
when the number is a member's; the desk fetches the full number from the CDR when it dials.
Every lost call is remembered by its ContactId in ``missed_callback_calls``, so taking the same
CDR in twice adds nothing. A claim is one conditional ``UPDATE … WHERE state = 'open'``: of two
desks claiming at once, exactly one changes the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cscdesk.domain.missed_calls import (
    CallbackEntry,
    CallbackOutcome,
    CallbackState,
    MissedCall,
    MissedStage,
    WorklistSize,
)
from cscdesk.store._codec import moment, required, when
from cscdesk.store.id_lists import rows_for_ids

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

SCHEMA = """
CREATE TABLE missed_callbacks (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    number_masked TEXT NOT NULL,
    member_id TEXT,
    skill_group TEXT,
    first_missed_at TEXT NOT NULL,
    last_missed_at TEXT NOT NULL,
    last_contact_id TEXT NOT NULL,
    last_stage TEXT NOT NULL,
    misses INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'open',
    claimed_by TEXT,
    claimed_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    outcome TEXT,
    closed_by TEXT,
    closed_at TEXT
);
CREATE INDEX missed_callbacks_number ON missed_callbacks (day, number_masked);
CREATE INDEX missed_callbacks_waiting ON missed_callbacks (state, first_missed_at);
CREATE TABLE missed_callback_calls (
    contact_id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES missed_callbacks(id),
    missed_at TEXT NOT NULL,
    stage TEXT NOT NULL
);
CREATE INDEX missed_callback_calls_entry ON missed_callback_calls (entry_id);
"""

_COLUMNS = (
    "id, day, number_masked, member_id, skill_group, first_missed_at, last_missed_at,"
    " last_contact_id, last_stage, misses, state, claimed_by, attempts, outcome"
)


def create(db: StoreDatabase) -> None:
    """DDL for the migration (``store.migrations``)."""
    from cscdesk.store.migrations import _script

    _script(db, SCHEMA)


def _entry(r: Sequence[Any]) -> CallbackEntry:
    return CallbackEntry(
        id=r[0],
        day=date.fromisoformat(r[1]),
        number_masked=r[2],
        member_id=r[3],
        skill_group=r[4],
        first_missed_at=required(moment(r[5]), "first_missed_at"),
        last_missed_at=required(moment(r[6]), "last_missed_at"),
        last_contact_id=r[7],
        last_stage=MissedStage(r[8]),
        misses=int(r[9]),
        state=CallbackState(r[10]),
        claimed_by=r[11],
        attempts=int(r[12]),
        outcome=CallbackOutcome(r[13]) if r[13] else None,
    )


class NotYours(Exception):
    """The entry is not claimed by this agent (someone else has it, or it was closed)."""


class MissedCalls:
    def __init__(self, store: Store) -> None:
        self._store = store

    # --- taking misses in ------------------------------------------------------------------
    def known(self, contact_ids: Iterable[str]) -> set[str]:
        """Which of these calls the worklist has already taken in."""
        ids = list(dict.fromkeys(contact_ids))
        with self._store.reading() as db:
            rows = rows_for_ids(
                db,
                "SELECT contact_id FROM missed_callback_calls WHERE contact_id IN ({marks})",
                ids,
            )
        return {str(r[0]) for r in rows}

    def same_day(self, day: date, number_masked: str) -> list[CallbackEntry]:
        """The day's entries whose number looks the same once masked (the caller decides which,
        if any, is the same number)."""
        return self._many(
            "WHERE day = ? AND number_masked = ? ORDER BY first_missed_at",
            [day.isoformat(), number_masked],
        )

    def add(self, miss: MissedCall, day: date, entry_id: str | None) -> str | None:
        """Take one miss in: a new entry (``entry_id`` None) or one more miss on ``entry_id``.

        Returns the entry's id, or None when this call was taken in before (nothing changes).
        A miss on a closed entry reopens it: the customer tried again after it was closed.
        """
        with self._store.transaction() as db:
            seen = db.execute(
                "SELECT 1 FROM missed_callback_calls WHERE contact_id = ?", [miss.contact_id]
            ).fetchone()
            if seen:
                return None
            at = when(miss.missed_at)
            if entry_id is None:
                entry_id = f"{day.isoformat()}:{miss.contact_id}"
                db.execute(
                    "INSERT INTO missed_callbacks (id, day, number_masked, member_id, skill_group,"
                    " first_missed_at, last_missed_at, last_contact_id, last_stage)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [entry_id, day.isoformat(), miss.number_masked, miss.member_id,
                     miss.skill_group, at, at, miss.contact_id, miss.stage.value],
                )  # fmt: skip
            else:
                db.execute(
                    "UPDATE missed_callbacks SET misses = misses + 1,"
                    " first_missed_at = min(first_missed_at, ?1),"
                    " last_contact_id = CASE WHEN ?1 >= last_missed_at THEN ?2"
                    "   ELSE last_contact_id END,"
                    " last_stage = CASE WHEN ?1 >= last_missed_at THEN ?3 ELSE last_stage END,"
                    " last_missed_at = max(last_missed_at, ?1),"
                    " skill_group = coalesce(skill_group, ?4),"
                    " member_id = coalesce(member_id, ?5),"
                    " state = CASE WHEN state = 'closed' THEN 'open' ELSE state END,"
                    " outcome = CASE WHEN state = 'closed' THEN NULL ELSE outcome END,"
                    " claimed_by = CASE WHEN state = 'closed' THEN NULL ELSE claimed_by END"
                    " WHERE id = ?6",
                    [at, miss.contact_id, miss.stage.value, miss.skill_group, miss.member_id,
                     entry_id],
                )  # fmt: skip
            db.execute(
                "INSERT INTO missed_callback_calls (contact_id, entry_id, missed_at, stage)"
                " VALUES (?, ?, ?, ?)",
                [miss.contact_id, entry_id, at, miss.stage.value],
            )
        return entry_id

    # --- working the list --------------------------------------------------------------------
    def claim(self, entry_id: str, agent_id: str, at: datetime) -> bool:
        """Take an open entry; False when another agent has it or it is closed."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE missed_callbacks SET state = 'claimed', claimed_by = ?, claimed_at = ?"
                " WHERE id = ? AND state = 'open'",
                [agent_id, when(at), entry_id],
            )
            return cursor.rowcount == 1

    def release(self, entry_id: str, agent_id: str) -> None:
        """Give a claimed entry back to the list."""
        self._mine(entry_id, agent_id, "state = 'open', claimed_by = NULL, claimed_at = NULL", [])

    def dialled(self, entry_id: str, agent_id: str, at: datetime) -> None:
        """Count a callback attempt (the desk dialled the customer)."""
        self._mine(entry_id, agent_id, "attempts = attempts + 1, last_attempt_at = ?", [when(at)])

    def close(self, entry_id: str, agent_id: str, outcome: CallbackOutcome, at: datetime) -> None:
        """End a callback. No answer puts the entry back on the list for a later retry."""
        if outcome.closes:
            sets = "state = 'closed', outcome = ?, closed_by = ?, closed_at = ?"
            params: list[Any] = [outcome.value, agent_id, when(at)]
        else:
            sets = "state = 'open', outcome = ?, claimed_by = NULL, claimed_at = NULL"
            params = [outcome.value]
        self._mine(entry_id, agent_id, sets, params)

    def answered_later(self, entry_id: str, contact_id: str, at: datetime) -> bool:
        """Close a waiting entry because the customer called again at ``at`` and was answered
        (call ``contact_id``); False when it is being worked, closed, or missed again since."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE missed_callbacks SET state = 'closed', outcome = ?, closed_by = ?,"
                " closed_at = ? WHERE id = ? AND state = 'open' AND last_missed_at < ?",
                [CallbackOutcome.CALLED_IN.value, f"call {contact_id}", when(at), entry_id,
                 when(at)],
            )  # fmt: skip
            return cursor.rowcount == 1

    def _mine(self, entry_id: str, agent_id: str, sets: str, params: list[Any]) -> None:
        with self._store.transaction() as db:
            cursor = db.execute(
                f"UPDATE missed_callbacks SET {sets}"
                " WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                [*params, entry_id, agent_id],
            )
            if cursor.rowcount != 1:
                raise NotYours(entry_id)

    # --- reading -----------------------------------------------------------------------------
    def _many(self, sql: str, params: Sequence[Any]) -> list[CallbackEntry]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM missed_callbacks {sql}", params).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: str) -> CallbackEntry | None:
        found = self._many("WHERE id = ?", [entry_id])
        return found[0] if found else None

    def waiting(self, groups: Sequence[str] | None = None, limit: int = 500) -> list[CallbackEntry]:
        """Entries not closed, oldest miss first. With ``groups``: those groups' entries and the
        ones lost in the IVR (no group yet), which any agent may take."""
        if groups is None:
            return self._many("WHERE state != 'closed' ORDER BY first_missed_at LIMIT ?", [limit])
        marks = ", ".join("?" for _ in groups) or "NULL"
        return self._many(
            f"WHERE state != 'closed' AND (skill_group IS NULL OR skill_group IN ({marks}))"
            " ORDER BY first_missed_at LIMIT ?",
            [*groups, limit],
        )

    def of_day(self, day: date) -> list[CallbackEntry]:
        """Every entry of a day, closed ones included, oldest miss first."""
        return self._many("WHERE day = ? ORDER BY first_missed_at, id", [day.isoformat()])

    def contacts_of(self, entry_id: str) -> list[tuple[str, datetime, MissedStage]]:
        """The lost calls of one entry, oldest first: (ContactId, when, stage)."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT contact_id, missed_at, stage FROM missed_callback_calls"
                " WHERE entry_id = ? ORDER BY missed_at",
                [entry_id],
            ).fetchall()
        return [(r[0], required(moment(r[1]), "missed_at"), MissedStage(r[2])) for r in rows]

    def sizes(self) -> list[WorklistSize]:
        """Per group: entries waiting (open), taken (claimed), and the oldest miss still open."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT skill_group, sum(state = 'open'), sum(state = 'claimed'),"
                " min(CASE WHEN state = 'open' THEN first_missed_at END)"
                " FROM missed_callbacks WHERE state != 'closed'"
                " GROUP BY skill_group ORDER BY skill_group"
            ).fetchall()
        return [WorklistSize(r[0], int(r[1]), int(r[2]), moment(r[3])) for r in rows]
