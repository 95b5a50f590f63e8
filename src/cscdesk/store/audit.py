"""The tamper-evident audit log (审计日志): a keyed hash chain, anchored outside the database.

Every record carries the MAC of the one before it::

    hash = "hmac-sha256:" + HMAC-SHA256(key, prev_hash + canonical JSON of the record)

the record including its id, so an edited, deleted or reordered row breaks the chain and
``verify`` names where. The key lives in the OS keyring (service ``cscdesk``, default name
``audit-key``; ``cscdesk audit init-key`` creates it), never in the store, so someone who can
write the database file cannot rehash an edited chain.

A chain inside the database cannot show that it was wiped, cut short or replaced by an older
copy. So after every record (and every purge, export and import) a *signed head* — the last
record's id and hash, the record count, the purge anchor, the time, and an HMAC over all of
them — is appended to a head file outside the database (``<store>.audit-head``, created 0600 and
only ever opened ``O_APPEND``). ``verify`` holds the database against every signed head it
finds: a head whose record is gone shows a wipe or a cut tail (whatever ``sqlite_sequence``
says), a head whose record differs shows a rewrite, and a purge anchor that no signed head
vouches for is a forgery.

Key states: ``keyed`` (a key from the keyring); ``demo`` (the embedded demo without a key: a
public key from this file, which *protects nothing* and is reported as such); ``unkeyed`` (a
deployment without its key: ``append`` and ``purge`` refuse, ``verify`` says so). Records written
before the keyed chain existed are plain SHA-256 (``hash = sha256(prev_hash + JSON)``); they
verify as *legacy* and are pinned by the first keyed record after them.

Details are scrubbed before hashing: anything that looks like a mainland mobile or a resident ID
number is masked, so the log never holds one whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cscdesk.domain.privacy import mask_id_number, mask_mobile
from cscdesk.store._codec import as_json, moment, when
from cscdesk.store.group_commit import GroupCommit

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

log = logging.getLogger(__name__)

GENESIS = "0" * 64
SUCCESS, FAILURE = "success", "failure"
KEYED_PREFIX = "hmac-sha256:"
DEFAULT_KEY_NAME = "audit-key"
HEAD_SUFFIX = ".audit-head"
HEAD_FORMAT = 1
AUDIT_LOCK = "audit"  # Store.transaction(lock=...): appends queue on this, not on every writer
# Public on purpose: the embedded demo signs with it so that it runs without a keyring. It
# protects nothing (anyone can read it here), and a deployment never uses it.
DEMO_KEY = b"cscdesk DEMO audit key - public, protects nothing"
KeyState = Literal["keyed", "demo", "unkeyed"]
Heads = list[tuple[str, dict[str, Any]]]
Damaged = list[str]

_COLUMNS = "id, at, actor, action, target_type, target_id, outcome, detail, prev_hash, hash"
# the chain's end in one statement (an append reads it while holding the chain's lock): the
# last record, the high-water mark (a record removed at the tail is told from one never
# written) and the purge anchor, each NULL when absent
_CHAIN_END = """
SELECT last.id, last.hash, mark.seq, anchor.hash, anchor.through_id
FROM (SELECT 1 AS one) AS here
LEFT JOIN (SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1) AS last ON 1 = 1
LEFT JOIN sqlite_sequence AS mark ON mark.name = 'audit'
LEFT JOIN audit_anchor AS anchor ON anchor.id = 1
"""
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_HEAD_DOMAIN = "cscdesk-audit-head\n"
_ANCHOR_DOMAIN = "cscdesk-audit-anchor\n"
_MAX_LISTED = 5  # rewritten records named one by one; the rest are counted


class AuditUnkeyed(RuntimeError):
    """A deployment without its audit key: records are refused rather than written unprotected."""


def scrub(value: Any) -> Any:
    """Mask mobiles and ID numbers anywhere inside a JSON-like value."""
    if isinstance(value, str):
        value = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), value)
        return _MOBILE.sub(lambda m: mask_mobile(m.group(0)), value)
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    outcome: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def id(self) -> int:
        return self.seq

    @property
    def subject(self) -> str:
        return ":".join(p for p in (self.target_type, self.target_id) if p)

    @property
    def success(self) -> bool:
        return self.outcome == SUCCESS


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The key the chain is signed with, and how it was found."""

    state: KeyState
    name: str
    secret: bytes | None = field(default=None, repr=False)

    def mac(self, text: str) -> str:
        assert self.secret is not None
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def describe(self) -> str:
        if self.state == "keyed":
            return f"keyed (HMAC-SHA256, key {self.name!r} in the keyring)"
        if self.state == "demo":
            return (
                "DEMO key: the embedded demo signs with a public key that protects nothing;"
                f" a deployment creates its own with `cscdesk audit init-key` ({self.name!r})"
            )
        return f"UNKEYED: the audit key {self.name!r} is not in the keyring"


@dataclass
class AuditReport:
    checked: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_state: KeyState = "keyed"
    legacy: int = 0  # plain SHA-256 records from before the keyed chain
    heads: int = 0  # signed heads held against the database

    @property
    def ok(self) -> bool:
        return not self.problems


def record_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    """The legacy (pre-key) link: plain SHA-256, which anyone can recompute."""
    return hashlib.sha256((prev_hash + as_json(record)).encode("utf-8")).hexdigest()


def keyed_hash(key: AuditKey, prev_hash: str, record: Mapping[str, Any]) -> str:
    return KEYED_PREFIX + key.mac(prev_hash + as_json(record))


def head_mac(key: AuditKey, head: Mapping[str, Any]) -> str:
    return key.mac(_HEAD_DOMAIN + as_json({k: v for k, v in head.items() if k != "mac"}))


def anchor_mac(key: AuditKey, digest: str, through: int, purged_at: str) -> str:
    return key.mac(_ANCHOR_DOMAIN + as_json([digest, through, purged_at]))


def key_from_secret(value: str) -> bytes:
    """A keyring value as key bytes: 64 hex digits are a raw 256-bit key, anything else text."""
    return bytes.fromhex(value) if _HEX_KEY.match(value) else value.encode("utf-8")


def no_key(_name: str) -> str | None:
    """The key lookup of a log nobody configured: no keyring (the demo key, or unkeyed)."""
    return None


def _record(row: Sequence[Any]) -> dict[str, Any]:
    """The hashed part of a row: everything but the two hashes."""
    keys = ("id", "at", "actor", "action", "target_type", "target_id", "outcome", "detail")
    return dict(zip(keys, row[:8], strict=True))


def _entry(r: Sequence[Any]) -> AuditEntry:
    at = moment(r[1])
    assert at is not None
    return AuditEntry(int(r[0]), at, r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9])


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}..{last}"


class AuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._key_name = DEFAULT_KEY_NAME
        self._demo_allowed = True  # the composition root turns this off for a deployment
        self._explicit: bytes | None = None
        self._key_lookup: Callable[[str], str | None] = no_key
        self._key: AuditKey | None = None
        self.head_file = Path(f"{store.path}{HEAD_SUFFIX}")
        self._together: GroupCommit[dict[str, Any], AuditEntry] = GroupCommit(self._write)

    # ------------------------------------------------------------------ key and head file
    def configure(
        self,
        *,
        key_name: str | None = None,
        demo_allowed: bool | None = None,
        head_file: Path | None = None,
        key: bytes | None = None,
        key_lookup: Callable[[str], str | None] | None = None,
    ) -> None:
        """Set by the composition root: which keyring secret, demo or deployment, where heads go."""
        if key_name:
            self._key_name = key_name
        if demo_allowed is not None:
            self._demo_allowed = demo_allowed
        if head_file is not None:
            self.head_file = Path(head_file)
        if key is not None:
            self._explicit = key
        if key_lookup is not None:
            self._key_lookup = key_lookup
        self._key = None

    def key(self) -> AuditKey:
        """The signing key, looked up in the keyring once per log."""
        if self._key is None:
            if self._explicit is not None:
                self._key = AuditKey("keyed", self._key_name, self._explicit)
            else:
                value = self._key_lookup(self._key_name)
                if value:
                    self._key = AuditKey("keyed", self._key_name, key_from_secret(value))
                elif self._demo_allowed:
                    self._key = AuditKey("demo", self._key_name, DEMO_KEY)
                else:
                    self._key = AuditKey("unkeyed", self._key_name)
        return self._key

    def _signing_key(self) -> AuditKey:
        key = self.key()
        if key.secret is None:
            raise AuditUnkeyed(
                f"refusing to write audit records: the audit key {key.name!r} is not in the"
                " keyring; the deployment's admin creates it with `cscdesk audit init-key`"
            )
        return key

    def _anchor(self, db: StoreDatabase) -> tuple[str, int]:
        row = db.execute("SELECT hash, through_id FROM audit_anchor WHERE id = 1").fetchone()
        return (GENESIS, 0) if row is None else (str(row[0]), int(row[1]))

    def _head(self, key: AuditKey, db: StoreDatabase, event: str) -> dict[str, Any]:
        anchor_hash, anchor_id = self._anchor(db)
        last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        seq, digest = (int(last[0]), str(last[1])) if last else (anchor_id, anchor_hash)
        head: dict[str, Any] = {
            "v": HEAD_FORMAT, "event": event, "seq": seq, "head": digest,
            "count": seq - anchor_id, "anchor_through": anchor_id, "anchor": anchor_hash,
            "at": when(datetime.now(UTC)), "key": key.state,
        }  # fmt: skip
        return head

    def _write_head(self, key: AuditKey, head: dict[str, Any], *, chained: bool) -> None:
        """Sign ``head`` and append it to the head file (0600, O_APPEND only).

        ``chained``: keyed records came before the one this head names. A head file that is
        empty then was deleted or emptied since it was begun (``_begin_head_file``), so the
        line says so (``restarted``)
        and verify reports it. A failure to write is logged, not raised: the record is already
        committed, and verify notes records after the last head.
        """
        try:
            self.head_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.head_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if chained and os.fstat(fd).st_size == 0:
                    head["restarted"] = True
                head["mac"] = head_mac(key, head)
                os.write(fd, (as_json(head) + "\n").encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("audit head not written to %s: %s", self.head_file, exc)
        head.setdefault("mac", head_mac(key, head))

    def _begin_head_file(self, key: AuditKey, db: StoreDatabase) -> None:
        """Under the chain's lock, before records commit: an empty head file gets a first line
        now, a signed head of the chain as committed so far (``event`` ``begin``).

        Heads of records are appended after their commit, outside the lock, so writers may
        append them in any order: the head of record 2 may land before that of record 1. Were
        the file first written by whichever head came first, the head of record 2 could find it
        empty and call it restarted. Begun here instead, the file is never empty once a keyed
        record is committed: a writer (thread or process) that finds it empty under the lock
        while keyed records exist knows it was deleted or emptied, and that begin line says so.
        """
        try:
            empty = self.head_file.stat().st_size == 0
        except FileNotFoundError:
            empty = True
        except OSError as exc:
            log.warning("audit head file %s cannot be read: %s", self.head_file, exc)
            return
        if empty:
            head = self._head(key, db, "begin")
            self._write_head(key, head, chained=str(head["head"]).startswith(KEYED_PREFIX))

    def signed_head(self, event: str = "export") -> dict[str, Any]:
        """The current head, signed, also appended to the head file (for exports)."""
        key = self._signing_key()
        with self._store.reading() as db:
            head = self._head(key, db, event)
        chained = event != "import" and str(head["head"]).startswith(KEYED_PREFIX)
        self._write_head(key, head, chained=chained)
        return head

    # ------------------------------------------------------------------ writing
    def append(
        self,
        actor: str,
        action: str,
        target_type: str = "",
        target_id: str = "",
        outcome: str = SUCCESS,
        detail: Mapping[str, Any] | None = None,
        *,
        subject: str | None = None,
        success: bool | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Write one record. ``subject``/``success`` are the short spelling some callers use."""
        if subject is not None and not target_type and not target_id:
            target_type, _, target_id = subject.partition(":")
            if not target_id:
                target_type, target_id = "", subject
        if success is not None:
            outcome = SUCCESS if success else FAILURE
        if outcome not in (SUCCESS, FAILURE):
            raise ValueError(f"audit outcome must be success or failure, not {outcome!r}")
        self._signing_key()  # an unkeyed log refuses here, before anything is queued
        record = {
            "id": 0, "at": when(at or datetime.now(UTC)), "actor": actor, "action": action,
            "target_type": target_type, "target_id": target_id, "outcome": outcome,
            "detail": as_json(scrub(dict(detail or {}))),
        }  # fmt: skip
        if self._store.shares_commits():
            return self._together.submit(record)
        (entry,) = self._write([record])
        return entry

    def _write(self, records: Sequence[dict[str, Any]]) -> list[AuditEntry]:
        """Chain ``records`` (their ids still 0) onto the end of the log, in order."""
        key = self._signing_key()
        rows: list[list[Any]] = []
        heads: list[tuple[dict[str, Any], bool]] = []
        with self._store.transaction(lock=AUDIT_LOCK) as db:
            # the first statement: on PostgreSQL it takes the chain's lock (PgStore._begin)
            last_id, last_hash, seq, anchor_hash, anchor_id = db.execute(_CHAIN_END).fetchone()
            self._begin_head_file(key, db)
            anchor_hash, anchor_id = str(anchor_hash or GENESIS), int(anchor_id or 0)
            prev_hash = anchor_hash if last_id is None else str(last_hash)
            next_id = max(int(seq or 0), anchor_id)
            for unnumbered in records:
                next_id += 1
                record = {**unnumbered, "id": next_id}
                digest = keyed_hash(key, prev_hash, record)
                rows.append([*record.values(), prev_hash, digest])
                head: dict[str, Any] = {
                    "v": HEAD_FORMAT, "event": "append", "seq": next_id, "head": digest,
                    "count": next_id - anchor_id, "anchor_through": anchor_id,
                    "anchor": anchor_hash, "at": when(datetime.now(UTC)), "key": key.state,
                }  # fmt: skip
                heads.append((head, prev_hash.startswith(KEYED_PREFIX)))
                prev_hash = digest
            insert = f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            if len(rows) == 1:
                db.execute_last(insert, rows[0])  # on PostgreSQL sent with the commit
            else:
                db.executemany(insert, rows)
            # after the outermost commit (a caller's transaction may hold this one): a head
            # never names a record that is not there, even when that caller rolls back
            self._store.after_commit(lambda: self._write_heads(key, heads))
        return [_entry(row) for row in rows]

    def _write_heads(self, key: AuditKey, heads: Sequence[tuple[dict[str, Any], bool]]) -> None:
        for head, chained in heads:
            self._write_head(key, head, chained=chained)

    def list(
        self, start: datetime | None = None, end: datetime | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Records with ``start <= at < end``, in chain order."""
        bounds = [("at >= ?", start), ("at < ?", end)]  # no text sentinels: a time column
        where = " AND ".join(test for test, bound in bounds if bound is not None) or "TRUE"
        sql = f"SELECT {_COLUMNS} FROM audit WHERE {where} ORDER BY id"
        params: list[Any] = [when(bound) for _, bound in bounds if bound is not None]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._store.reading() as db:
            rows = db.execute(sql, params).fetchall()
        return [_entry(r) for r in rows]

    # ------------------------------------------------------------------ checking
    def read_heads(self) -> tuple[Heads, Damaged]:
        """(label, head) for every line of the head file, and the lines that are not heads."""
        heads: Heads = []
        damaged: Damaged = []
        try:
            text = self.head_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return heads, damaged
        except (OSError, UnicodeDecodeError) as exc:
            return heads, [f"head file {self.head_file}: cannot be read ({exc})"]
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                head = json.loads(line)
                if not isinstance(head, dict) or not isinstance(head.get("seq"), int):
                    raise ValueError("not a head")
            except ValueError:
                damaged.append(f"head file line {number}: not a signed head (damaged or edited)")
                continue
            heads.append((f"head file line {number}", head))
        return heads, damaged

    def verify(self, extra_heads: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> AuditReport:
        """Recompute the chain from the anchor and hold it against every signed head.

        ``extra_heads`` are (label, head) pairs from elsewhere, e.g. an export's manifest.
        Every break is named by record id; wipes, cut tails, rewrites and forged purge anchors
        by what the signed heads say the database should hold.
        """
        key = self.key()
        report = AuditReport(key_state=key.state)
        if key.state == "unkeyed":
            report.problems.append(
                f"{key.describe()}: keyed records and signed heads cannot be checked"
            )
        elif key.state == "demo":
            report.notes.append(key.describe())
        demo = AuditKey("demo", "demo", DEMO_KEY)
        keyed_seen = False
        first_keyed: bool | None = None
        legacy_span: list[int] = []
        with self._store.reading() as db:
            anchor_hash, anchor_id = self._anchor(db)
            expected_prev, last_id = anchor_hash, anchor_id
            seq_row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
            for row in db.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY id"):
                rid, prev, digest = int(row[0]), str(row[8]), str(row[9])
                if rid != last_id + 1:
                    report.problems.append(
                        f"record(s) {last_id + 1}..{rid - 1} missing before record {rid}"
                    )
                if prev != expected_prev:
                    report.problems.append(
                        f"record {rid}: previous-hash link broken (removed or reordered records)"
                    )
                record = _record(row)
                if first_keyed is None:
                    first_keyed = digest.startswith(KEYED_PREFIX)
                if digest.startswith(KEYED_PREFIX):
                    keyed_seen = True
                    if key.secret is not None and digest != keyed_hash(key, prev, record):
                        if key.state == "keyed" and digest == keyed_hash(demo, prev, record):
                            report.problems.append(
                                f"record {rid}: signed with the public demo key, not the"
                                " deployment's audit key (written by a process without the key)"
                            )
                        else:
                            report.problems.append(
                                f"record {rid}: HMAC does not match: edited and rehashed without"
                                " the audit key (or signed with another key)"
                            )
                elif record_hash(prev, record) != digest:
                    report.problems.append(
                        f"record {rid}: content does not match its hash (edited)"
                    )
                elif keyed_seen:
                    report.problems.append(
                        f"record {rid}: plain SHA-256 inside the keyed chain: rewritten by"
                        " someone without the audit key"
                    )
                else:
                    report.legacy += 1
                    legacy_span = [legacy_span[0] if legacy_span else rid, rid]
                expected_prev, last_id = digest, rid
                report.checked += 1
            newest = int(seq_row[0]) if seq_row else 0
            if newest > last_id:
                report.problems.append(f"record(s) {last_id + 1}..{newest} missing at the end")
            report.head = expected_prev
            self._check_anchor(db, key, report, first_keyed)
            heads, damaged = self.read_heads()
            report.problems.extend(damaged)
            self._check_heads(db, key, report, [*heads, *extra_heads], (anchor_hash, anchor_id),
                              last_id, keyed_seen)  # fmt: skip
        if legacy_span:
            pinned = (
                "pinned by the keyed record after them"
                if keyed_seen
                else "no keyed record follows them yet, so they are not protected"
            )
            report.notes.append(
                f"legacy: {_span(*legacy_span)} are plain SHA-256 from before the keyed chain"
                f" ({pinned})"
            )
        return report

    def _check_heads(
        self,
        db: StoreDatabase,
        key: AuditKey,
        report: AuditReport,
        heads: Sequence[tuple[str, Mapping[str, Any]]],
        anchor: tuple[str, int],
        last_id: int,
        keyed_seen: bool,
    ) -> None:
        if key.secret is None:
            return  # unkeyed: already reported; an unsigned head proves nothing
        valid: list[tuple[str, Mapping[str, Any]]] = []
        for label, head in heads:
            mac = head.get("mac")
            if not isinstance(mac, str) or not hmac.compare_digest(mac, head_mac(key, head)):
                report.problems.append(
                    f"{label}: signature does not match (forged, edited, or another key)"
                )
            else:
                valid.append((label, head))
        report.heads = len(valid)
        for label, head in valid:
            if head.get("restarted"):
                report.problems.append(
                    f"HEAD FILE RESTARTED: {label} ({head.get('at')}) began a new head file at"
                    f" record {head.get('seq')} although keyed records came before it: the"
                    " earlier head file was deleted or emptied, so a cut or wipe before then"
                    " cannot be ruled out"
                )
        if not valid:
            if keyed_seen:
                report.problems.append(
                    f"HEAD FILE MISSING: the database holds keyed records but {self.head_file}"
                    " has no signed head (deleted or emptied)"
                )
            return
        anchor_id = anchor[1]
        latest = max(valid, key=lambda lh: int(lh[1]["seq"]))[1]
        by_seq: dict[int, list[tuple[str, Mapping[str, Any]]]] = {}
        for label, head in valid:
            if int(head["seq"]) > anchor_id:  # heads of purged records: the anchor covers them
                by_seq.setdefault(int(head["seq"]), []).append((label, head))
        matched: list[int] = []
        gone: list[int] = []
        rewritten: list[tuple[int, str]] = []
        for seq in sorted(by_seq):
            row = db.execute("SELECT hash FROM audit WHERE id = ?", [seq]).fetchone()
            if row is None:
                gone.append(seq)
                continue
            differ = [(lb, h) for lb, h in by_seq[seq] if h.get("head") != row[0]]
            if differ:  # two signed heads for one record that disagree: it was replaced
                label, head = differ[0]
                rewritten.append((seq, f"the signed head of {head.get('at')} ({label})"))
            else:
                matched.append(seq)
        covered = int(latest["seq"]) - max(anchor_id, int(latest.get("anchor_through", 0)))
        if not matched and gone:
            report.problems.append(
                f"WIPED: the signed head of {latest.get('at')} vouches for {covered} record(s)"
                f" through record {latest['seq']}; none of them is in the database as signed"
                f" (it holds {report.checked} record(s))"
            )
            return
        if not matched and rewritten:
            report.problems.append(
                f"REWRITTEN: none of the {len(rewritten)} record(s) the signed heads vouch for"
                " is in the database as it was signed (the chain was replaced)"
            )
            return
        last_good = max(matched, default=anchor_id)
        cut = [seq for seq in gone if seq > last_good]
        if cut:
            report.problems.append(
                f"CUT TAIL: the signed head of {latest.get('at')} reaches record {cut[-1]}, but"
                f" the database's chain now ends at record {last_id} (whatever sqlite_sequence"
                f" says): {_span(cut[0], cut[-1])} removed from the end"
            )
        for seq, what in rewritten[:_MAX_LISTED]:
            report.problems.append(f"record {seq}: not the record {what} vouched for (rewritten)")
        if len(rewritten) > _MAX_LISTED:
            report.problems.append(
                f"... and {len(rewritten) - _MAX_LISTED} more records differ from signed heads"
            )
        if last_id > int(latest["seq"]):
            report.notes.append(
                f"{_span(int(latest['seq']) + 1, last_id)} came after the last signed head"
                " (its write failed or the process stopped before it)"
            )

    def _check_anchor(
        self, db: StoreDatabase, key: AuditKey, report: AuditReport, first_keyed: bool | None
    ) -> None:
        """A purge anchor carries the MAC the purge signed it with; one without a MAC is
        accepted only before legacy records (a purge from before the keyed chain)."""
        row = db.execute(
            "SELECT hash, through_id, purged_at, mac FROM audit_anchor WHERE id = 1"
        ).fetchone()
        if row is None or key.secret is None:
            return
        digest, through, purged_at, mac = str(row[0]), int(row[1]), str(row[2]), row[3]
        if mac is None:
            if first_keyed is False:
                report.notes.append(
                    f"legacy purge anchor (records up to {through}, {purged_at}): unsigned,"
                    " from before the keyed chain"
                )
                return
            report.problems.append(
                f"FORGED PURGE ANCHOR: the database says records up to {through} were purged,"
                " but the anchor carries no signature (a purge since the keyed chain signs it)"
            )
        elif not hmac.compare_digest(str(mac), anchor_mac(key, digest, through, purged_at)):
            report.problems.append(
                f"FORGED PURGE ANCHOR: the database says records up to {through} were purged"
                f" ({purged_at}), but the anchor's signature does not match"
            )

    # ------------------------------------------------------------------ retention
    def purge_before(self, cutoff: datetime) -> int:
        """Remove the oldest records written before ``cutoff``; the chain stays verifiable, and a
        signed head records the new anchor (a purge no head records is a forgery)."""
        key = self._signing_key()
        with self._store.transaction(lock=AUDIT_LOCK) as db:
            # the first statement: on PostgreSQL it takes the chain's lock (PgStore._begin)
            first_kept = db.execute(
                "SELECT min(id) FROM audit WHERE at >= ?", [when(cutoff)]
            ).fetchone()[0]
            self._begin_head_file(key, db)
            bound = db.execute(
                "SELECT max(id) FROM audit" + ("" if first_kept is None else " WHERE id < ?"),
                [] if first_kept is None else [first_kept],
            ).fetchone()[0]
            if bound is None:
                return 0
            last_hash = db.execute("SELECT hash FROM audit WHERE id = ?", [bound]).fetchone()[0]
            cursor = db.execute("DELETE FROM audit WHERE id <= ?", [bound])
            purged_at = when(datetime.now(UTC)) or ""
            db.execute(
                "INSERT INTO audit_anchor (id, hash, through_id, purged_at, mac)"
                " VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash,"
                " through_id = excluded.through_id, purged_at = excluded.purged_at,"
                " mac = excluded.mac",
                [last_hash, bound, purged_at, anchor_mac(key, last_hash, bound, purged_at)],
            )
            head = self._head(key, db, "purge")
        self._write_head(key, head, chained=True)
        return int(cursor.rowcount)

    def purge_older_than(self, days: int, now: datetime | None = None) -> int:
        from datetime import timedelta

        return self.purge_before((now or datetime.now(UTC)) - timedelta(days=days))
