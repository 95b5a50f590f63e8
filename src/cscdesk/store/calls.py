"""The CDR archive (通话记录): one row per CCC ContactId, written in bulk and idempotently.

``upsert_many`` is on the archive's hot path (a million CDRs when a center first syncs), so it
maps records to plain tuples and hands them to one ``executemany`` in one transaction; on
PostgreSQL they go through COPY and one upsert per chunk instead (``store.pg_call_ingest``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cscdesk.domain.models import Call, CallDirection, CallOutcome
from cscdesk.domain.privacy import mask_mobile, normalise_mobile
from cscdesk.store._codec import instant, moment, when
from cscdesk.store.audit import scrub
from cscdesk.store.call_identity import SAME_CALL, report_clashes
from cscdesk.store.id_lists import rows_for_ids
from cscdesk.store.read_ahead import Read

if TYPE_CHECKING:
    from cscdesk.store.db import Store

_COLUMNS = (
    "contact_id, direction, caller, callee, started_at, queued_at, answered_at, ended_at,"
    " skill_group, agent_id, outcome, wait_seconds, ring_seconds, talk_seconds, hold_seconds,"
    " acw_seconds, wrap_up_code, notes, member_id, transferred_to, recorded, satisfaction,"
    " resolved_first_contact, raw"
)
_NAMES = [c.strip() for c in _COLUMNS.split(",")]
_KEEP_IF_NEW_IS_NULL = {"wrap_up_code", "notes", "member_id", "resolved_first_contact"}
# The customer's full number is used once, to link the call to a member, and is not kept:
# ``caller`` and ``callee`` hold mobiles masked (PIPL: mobiles live only in ``members``). The
# customer is the caller of an inbound call and the callee of an outbound one; their normalised
# number is bound as parameter 25. Screen pop finds a number's history through that member link.
_MEMBER_OF_CALLER = (
    "(SELECT m.id FROM members m WHERE m.mobile = ?25 ORDER BY m.relation != 'self' LIMIT 1)"
)
_VALUES = ", ".join(
    "coalesce(?19, " + _MEMBER_OF_CALLER + ")" if name == "member_id" else f"?{i}"
    for i, name in enumerate(_NAMES, start=1)
)
UPSERT = (
    f"INSERT INTO calls ({_COLUMNS}) VALUES ({_VALUES}) ON CONFLICT(contact_id) DO UPDATE SET "
    + ", ".join(
        f"{n} = coalesce(excluded.{n}, calls.{n})"
        if n in _KEEP_IF_NEW_IS_NULL
        else f"{n} = excluded.{n}"
        for n in _NAMES[1:]
    )
    + " WHERE "
    + SAME_CALL.format(old="calls", new="excluded")
)


_MOBILE = re.compile(r"1[3-9]\d{9}")


class UnknownCall(KeyError):
    pass


def _caller_at_rest(number: str, normal: str) -> str:
    return mask_mobile(normal) if _MOBILE.fullmatch(normal) else number


def number_at_rest(number: str) -> str:
    """A caller or callee as stored: a mobile masked (``138****1234``), anything else as is."""
    return _caller_at_rest(number, normalise_mobile(number))


def _customer(direction: str, caller: str, callee: str) -> str:
    """The customer's normalised number: the callee when the center dialled out."""
    return normalise_mobile(callee if direction == CallDirection.OUTBOUND.value else caller)


def _raw_at_rest(raw: Any) -> str:
    return json.dumps(scrub(raw), ensure_ascii=False, default=str) if raw else "{}"


class CallRecordLike(Protocol):
    """A CDR as the call-center port delivers it (``cscdesk.callcenter.port.CallRecord``).

    Described structurally so the store does not import the call-center layer above it.
    """

    @property
    def contact_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def caller(self) -> str: ...
    @property
    def callee(self) -> str: ...
    @property
    def start_time(self) -> datetime: ...
    @property
    def established_time(self) -> datetime | None: ...
    @property
    def release_time(self) -> datetime | None: ...
    @property
    def skill_group_id(self) -> str | None: ...
    @property
    def agent_ids(self) -> tuple[str, ...]: ...
    @property
    def queue_wait_seconds(self) -> float | None: ...
    @property
    def ring_seconds(self) -> float: ...
    @property
    def talk_seconds(self) -> float: ...
    @property
    def hold_seconds(self) -> float: ...
    @property
    def work_seconds(self) -> float: ...
    @property
    def outcome(self) -> str: ...
    @property
    def recording_available(self) -> bool: ...
    @property
    def satisfaction(self) -> int | None: ...
    @property
    def transferred_to(self) -> str | None: ...
    @property
    def raw(self) -> Any: ...


# How a row holds a time: UTC text for SQLite (``when``), an aware datetime for PostgreSQL's
# binary COPY (``instant``), which stores it as timestamptz without formatting or parsing.
_Time = Callable[[datetime | None], Any]


def _record_row(r: CallRecordLike, at: _Time) -> tuple[Any, ...]:
    wait = r.queue_wait_seconds
    end_of_wait = r.established_time or r.release_time or r.start_time
    queued = None if wait is None else end_of_wait - timedelta(seconds=wait)
    caller, callee = normalise_mobile(r.caller), normalise_mobile(r.callee)  # once per number
    return (
        r.contact_id,
        r.direction,
        _caller_at_rest(r.caller, caller),
        _caller_at_rest(r.callee, callee),
        at(r.start_time),
        at(queued),
        at(r.established_time),
        at(r.release_time),
        r.skill_group_id,
        r.agent_ids[0] if r.agent_ids else None,
        r.outcome,
        wait,
        r.ring_seconds,
        r.talk_seconds,
        r.hold_seconds,
        r.work_seconds,
        None,
        None,
        None,
        r.transferred_to,
        int(r.recording_available),
        r.satisfaction,
        None,
        _raw_at_rest(r.raw),
        callee if r.direction == CallDirection.OUTBOUND.value else caller,  # the customer
    )


def _call_row(c: Call, at: _Time) -> tuple[Any, ...]:
    return (
        c.contact_id,
        c.direction.value,
        number_at_rest(c.caller),
        number_at_rest(c.callee),
        at(c.started_at),
        at(c.queued_at),
        at(c.answered_at),
        at(c.ended_at),
        c.skill_group,
        c.agent_id,
        c.outcome.value,
        c.wait_seconds,
        0.0,
        c.talk_seconds,
        c.hold_seconds,
        c.acw_seconds,
        c.wrap_up_code,
        None,
        c.member_id,
        c.transferred_to,
        int(c.recorded),
        c.satisfaction,
        None if c.resolved_first_contact is None else int(c.resolved_first_contact),
        "{}",
        _customer(c.direction.value, c.caller, c.callee),
    )


def _rows(records: Iterable[CallRecordLike | Call], at: _Time = when) -> list[tuple[Any, ...]]:
    return [_call_row(r, at) if isinstance(r, Call) else _record_row(r, at) for r in records]


def to_call(r: Sequence[Any]) -> Call:
    started = moment(r[4])
    assert started is not None
    return Call(
        contact_id=r[0],
        direction=CallDirection(r[1]),
        caller=r[2],
        callee=r[3],
        started_at=started,
        queued_at=moment(r[5]),
        answered_at=moment(r[6]),
        ended_at=moment(r[7]),
        skill_group=r[8],
        agent_id=r[9],
        outcome=CallOutcome(r[10]),
        talk_seconds=float(r[13]),
        hold_seconds=float(r[14]),
        acw_seconds=float(r[15]),
        wrap_up_code=r[16],
        member_id=r[18],
        transferred_to=r[19],
        recorded=bool(r[20]),
        satisfaction=r[21],
        resolved_first_contact=None if r[22] is None else bool(r[22]),
    )


def _clashes(db: Any, rows: Sequence[Sequence[Any]]) -> list[tuple[str, Any, Any]]:
    """(ContactId, stored start, refused start) for rows naming a stored call of another start
    or direction."""
    given = {row[0]: row for row in rows}
    stored = rows_for_ids(
        db, "SELECT contact_id, started_at, direction FROM calls WHERE contact_id IN ({marks})",
        list(given),
    )  # fmt: skip
    return [
        (contact_id, started, given[contact_id][4])
        for contact_id, started, direction in stored
        if (started, direction) != (given[contact_id][4], given[contact_id][1])
    ]


class Calls:
    def __init__(self, store: Store) -> None:
        self._store = store

    def upsert_many(self, records: Iterable[CallRecordLike | Call]) -> int:
        """Insert or refresh CDRs by ContactId; running it twice leaves the same rows.

        A caller's member is filled in from ``members`` when the record does not name one;
        wrap-up code and notes typed at the desk survive a later CDR refresh.
        """
        with self._store.transaction() as db:
            if db.dialect == "postgresql":
                from cscdesk.store.pg_call_ingest import CHUNK, upsert_calls

                given = list(records)
                chunks = (_rows(given[i : i + CHUNK], instant) for i in range(0, len(given), CHUNK))
                upsert_calls(db, _NAMES, _KEEP_IF_NEW_IS_NULL, chunks)
                return len(given)
            rows = _rows(records)
            written = db.executemany(UPSERT, rows).rowcount
            if written < len(rows):  # some were refused as another call: say which
                report_clashes(_clashes(db, rows))
        return len(rows)

    def set_wrap_up(self, contact_id: str, code: str | None, notes: str | None = None) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE calls SET wrap_up_code = ?, notes = coalesce(?, notes) WHERE contact_id = ?",
                [code, notes, contact_id],
            )

    def _many(self, sql: str, params: Sequence[Any]) -> list[Call]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM calls {sql}", params).fetchall()
        return [to_call(r) for r in rows]

    def get(self, contact_id: str) -> Call:
        found = self._many("WHERE contact_id = ?", [contact_id])
        if not found:
            raise UnknownCall(contact_id)
        return found[0]

    def history_for_caller(self, mobile: str, limit: int = 20) -> list[Call]:
        """Calls linked to the members with this mobile (the number itself is not stored)."""
        return self._many(
            "WHERE member_id IN (SELECT id FROM members WHERE mobile = ?)"
            " ORDER BY started_at DESC LIMIT ?",
            [normalise_mobile(mobile), limit],
        )

    def for_member(self, member_id: str, limit: int = 50) -> list[Call]:
        with self._store.reading() as db:
            rows = db.execute(*self.for_member_read(member_id, limit)).fetchall()
        return [to_call(r) for r in rows]

    @staticmethod
    def for_member_read(member_id: str, limit: int = 50) -> Read:
        """``for_member``'s statement, for ``Store.read_ahead``."""
        return (
            f"SELECT {_COLUMNS} FROM calls WHERE member_id = ? ORDER BY started_at DESC LIMIT ?",
            [member_id, limit],
        )

    def between(self, start: datetime, end: datetime) -> list[Call]:
        """Calls that started in [start, end), oldest first."""
        return self._many(
            "WHERE started_at >= ? AND started_at < ? ORDER BY started_at", [when(start), when(end)]
        )

    def count(self) -> int:
        with self._store.reading() as db:
            return int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
