"""Missed calls worklist (漏话回拨): which calls a center owes a callback, and how one is closed.

A customer who hung up in the IVR, in the queue or while an agent's phone rang, or who was sent to
voicemail, is owed a call back. The CDR says where the call was lost in ``ContactDisposition``
(GetCallDetailRecord, help.aliyun.com/zh/ccs/developer-reference/api-ccc-2020-07-01-
getcalldetailrecord; the same words on ListCallDetailRecords, document 65296):
``AbandonedInQueue``, ``QueuingTimeout``, ``QueuingOverflow``, ``QueuingFailed`` → queue;
``AbandonedInRing`` → ring; ``AbandonedInIVR``, ``AbandonedInVoiceNavigator``, ``IVRException`` →
ivr; ``Voicemail`` → voicemail. The page notes that a center which configured no hang-up-reason
node sees its queue and voicemail losses reported as ``AbandonedInIVR``; those still land here, as
IVR misses. ``NoAnswer`` and ``Reject`` are outbound calls the customer did not take: not a miss.

One entry per number per (center-local) day: a number that misses three times before lunch is
one callback with three misses, not three callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum


class MissedStage(StrEnum):
    """Where the caller was lost."""

    IVR = "ivr"
    QUEUE = "queue"
    RING = "ring"
    VOICEMAIL = "voicemail"


# ContactDisposition words (see the module docstring for the page) → the stage they name.
DISPOSITION_STAGES: dict[str, MissedStage] = {
    "AbandonedInQueue": MissedStage.QUEUE,
    "QueuingTimeout": MissedStage.QUEUE,
    "QueuingOverflow": MissedStage.QUEUE,
    "QueuingFailed": MissedStage.QUEUE,
    "AbandonedInRing": MissedStage.RING,
    "AbandonedInIVR": MissedStage.IVR,
    "AbandonedInVoiceNavigator": MissedStage.IVR,
    "IVRException": MissedStage.IVR,
    "Voicemail": MissedStage.VOICEMAIL,
}

# When the CDR names no disposition: the neutral outcome (``CallOutcome`` values) says enough.
_OUTCOME_STAGES = {"abandoned": MissedStage.QUEUE, "timeout": MissedStage.QUEUE,
                   "ivr_only": MissedStage.IVR}  # fmt: skip


def missed_stage(direction: str, outcome: str, stage: str | None) -> MissedStage | None:
    """The stage an inbound call was lost at, or None when it is not owed a callback."""
    if direction != "inbound" or outcome == "answered":
        return None
    if stage:
        return MissedStage(stage)
    return _OUTCOME_STAGES.get(outcome)


class CallbackState(StrEnum):
    OPEN = "open"  # waiting for an agent to take it
    CLAIMED = "claimed"  # one agent has it
    CLOSED = "closed"


class CallbackOutcome(StrEnum):
    """How a callback ended. ``NO_ANSWER`` puts the entry back on the list for a later retry."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    OTHER_CHANNEL = "other_channel"  # resolved by SMS, a ticket…
    CALLED_IN = "called_in"  # the customer called again and was answered: no callback needed

    @property
    def closes(self) -> bool:
        return self is not CallbackOutcome.NO_ANSWER


@dataclass(frozen=True, slots=True)
class MissedCall:
    """One lost inbound call, as the worklist takes it in. ``number_masked`` is what is stored
    and shown; the full number is never kept (the desk fetches it from the CDR to dial)."""

    contact_id: str
    missed_at: datetime
    number_masked: str
    member_id: str | None
    skill_group: str | None  # None: lost in the IVR, before any queue
    stage: MissedStage


@dataclass(frozen=True, slots=True)
class CallbackEntry:
    id: str
    day: date
    number_masked: str
    member_id: str | None
    skill_group: str | None
    first_missed_at: datetime
    last_missed_at: datetime
    last_contact_id: str
    last_stage: MissedStage
    misses: int
    state: CallbackState
    claimed_by: str | None
    attempts: int
    outcome: CallbackOutcome | None

    def waiting(self, now: datetime) -> float:
        """Seconds since the first miss: how long the customer has been owed the call."""
        return max(0.0, (now - self.first_missed_at).total_seconds())


@dataclass(frozen=True, slots=True)
class WorklistSize:
    """What the lead's wallboard shows per group: entries not closed, and the oldest waiting."""

    skill_group: str | None
    open: int
    claimed: int
    oldest_missed_at: datetime | None

    def oldest_seconds(self, now: datetime) -> float | None:
        if self.oldest_missed_at is None:
            return None
        return max(0.0, (now - self.oldest_missed_at).total_seconds())


def worklist_day(moment: datetime, zone: tzinfo) -> date:
    """The center-local day a miss belongs to (entries are per number per day)."""
    return moment.astimezone(zone).date()
