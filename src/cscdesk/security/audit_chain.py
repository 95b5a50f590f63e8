"""The tamper-evident chain of the audit log (等保二级 安全审计: records safe from alteration).

Each record's hash covers its sequence number, its content and the hash of the record before
it, so editing a record breaks its own hash, removing one breaks the sequence and the link of
the next, and moving one breaks the links around it. With a key (from the keyring) the hash is
an HMAC, so someone who can write the database still cannot forge a consistent chain.

Purging old records keeps the chain checkable: the purge leaves an anchor (the last removed
sequence number and hash) and verification starts from it. A cut-off tail cannot be seen
from inside the log; ``head`` (count and last hash) is what an auditor writes down or exports,
and the next check compares against it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One audit record as stored: content, its link to the previous record, its hash."""

    seq: int
    at: str  # ISO 8601 with offset
    actor: str
    action: str
    subject: str
    success: bool
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the retained chain starts after a purge: the last removed record."""

    seq: int = 0
    hash: str = GENESIS


def canonical(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    success: bool,
    detail: Mapping[str, Any],
) -> bytes:
    """The exact bytes hashed: field order fixed, keys sorted, no whitespace, UTF-8."""
    # Tolerates wrong types (a hand-edited row): it then simply no longer matches its hash.
    plain = dict(detail) if isinstance(detail, Mapping) else detail
    outcome = bool(success) if isinstance(success, int) else success  # SQLite gives 0/1
    body = [seq, at, actor, action, subject, outcome, plain]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")  # fmt: skip


def link(prev_hash: str, content: bytes, key: bytes | None = None) -> str:
    message = str(prev_hash).encode("utf-8", "surrogatepass") + b"\n" + content
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def entry_hash(entry: ChainEntry, key: bytes | None = None) -> str:
    content = canonical(entry.seq, entry.at, entry.actor, entry.action, entry.subject,
                        entry.success, entry.detail)  # fmt: skip
    return link(entry.prev_hash, content, key)


@dataclass
class VerifyReport:
    checked: int = 0
    head_seq: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    entries: Iterable[ChainEntry], *, anchor: Anchor = Anchor(), key: bytes | None = None
) -> VerifyReport:
    """Walk the records in sequence order and name every break in the chain."""
    report = VerifyReport(head_seq=anchor.seq, head=anchor.hash)
    expected_seq, expected_prev = anchor.seq + 1, anchor.hash
    for entry in entries:
        report.checked += 1
        if entry.seq > expected_seq:
            missing = (f"record {expected_seq}" if entry.seq == expected_seq + 1
                       else f"records {expected_seq}–{entry.seq - 1}")  # fmt: skip
            report.problems.append(f"{missing} removed (sequence jumps to {entry.seq})")
        elif entry.seq < expected_seq:
            report.problems.append(f"record {entry.seq} appears out of order or twice")
        if entry_hash(entry, key) != entry.hash:
            report.problems.append(
                f"record {entry.seq} ({entry.at}, {entry.actor}, {entry.action}) was changed:"
                " its content no longer matches its hash"
            )
        elif entry.prev_hash != expected_prev and entry.seq == expected_seq:
            report.problems.append(
                f"record {entry.seq} does not follow record {entry.seq - 1}:"
                " records were removed, replaced or reordered"
            )
        expected_seq, expected_prev = entry.seq + 1, entry.hash
        report.head_seq, report.head = entry.seq, entry.hash
    return report
