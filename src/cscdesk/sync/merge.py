"""Three-way field merge of a ticket: the last agreed state, our edits, the remote's edits.

A field only one side changed takes that side's value; a field both sides set to the same value
is fine; a field both sides set differently is a conflict, and the agent decides. Nothing is
ever silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class MergeResult:
    fields: dict[str, Any]
    conflicts: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


def changed(base: Mapping[str, Any], side: Mapping[str, Any]) -> set[str]:
    return {name for name in side.keys() | base.keys() if side.get(name) != base.get(name)}


def merge3(
    base: Mapping[str, Any], local: Mapping[str, Any], remote: Mapping[str, Any]
) -> MergeResult:
    ours = changed(base, local)
    theirs = changed(base, remote)
    merged = dict(remote)
    conflicts = []
    for name in sorted(ours):
        if name in theirs and local.get(name) != remote.get(name):
            conflicts.append(name)
        else:
            merged[name] = local.get(name)
    return MergeResult(fields=merged, conflicts=tuple(conflicts))


def resolve(
    base: Mapping[str, Any],
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    choose: str | Mapping[str, str],
) -> dict[str, Any]:
    """The agent's choice: "local", "remote", or per conflicting field {"status": "local", …}.

    Both sides' non-conflicting edits are kept either way; only the conflicting fields follow
    the choice."""
    outcome = merge3(base, local, remote)
    if isinstance(choose, str):
        per_field = dict.fromkeys(outcome.conflicts, choose)
    else:
        per_field = dict(choose)
        missing = [name for name in outcome.conflicts if name not in per_field]
        if missing:
            raise ValueError(f"no choice given for conflicting field(s): {', '.join(missing)}")
    bad = {side for side in per_field.values() if side not in ("local", "remote")}
    if bad:
        raise ValueError(f"choose 'local' or 'remote', not {', '.join(sorted(bad))}")
    result = dict(outcome.fields)
    for name in outcome.conflicts:
        result[name] = (local if per_field[name] == "local" else remote).get(name)
    return result
