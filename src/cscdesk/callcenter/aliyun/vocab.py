"""The CCC 2020-07-01 enumeration words, as documented, and what each means to cscdesk.

Each table cites the help.aliyun.com page that lists the values. A word that is not in a table
never fails a listing or a poll: ``lookup`` returns the table's unknown value and logs the word
once per process (a new vendor word is news for the developers, not an outage for the desk).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeVar

from cscdesk.callcenter.port import AgentStatus, CallState

_log = logging.getLogger(__name__)
_seen: set[tuple[str, str]] = set()

V = TypeVar("V")

# PollUserStatus → Data.UserContext.UserState (api-ccc-2020-07-01-polluserstatus, page 439618).
USER_STATE: Mapping[str, AgentStatus] = {
    "READY": AgentStatus.READY,
    "WORKING": AgentStatus.WORKING,  # after-call work
    "DIALING": AgentStatus.OUTBOUND,
    "BREAK": AgentStatus.BREAK,
    "OFFLINE": AgentStatus.OFFLINE,
    "TALKING": AgentStatus.TALKING,
    "RINGING": AgentStatus.RINGING,
}

# ListRealtimeAgentStates → Data.List[].State (api-ccc-2020-07-01-listrealtimeagentstates,
# page 439676; the example shows "State": "ACW"). The same words filter ``StateList``.
REALTIME_AGENT_STATE: Mapping[str, AgentStatus] = {
    "Ready": AgentStatus.READY,
    "Talking": AgentStatus.TALKING,
    "ACW": AgentStatus.WORKING,
    "Break": AgentStatus.BREAK,
    "Ringing": AgentStatus.RINGING,
    "Offline": AgentStatus.OFFLINE,
    "Dialing": AgentStatus.OUTBOUND,
}

# ChannelContexts[].ChannelState (page 439618). ``NONE`` is the initial state (it appears in the
# MakeCall example, page 439614), ``EARLY_MEDIA`` the far end's ring-back. Whether a not-yet-
# answered channel is an offer or our own dialling depends on the call type: see mapping.
CHANNEL_STATE: Mapping[str, CallState] = {
    "NONE": CallState.DIALING,
    "CREATED": CallState.DIALING,
    "EARLY_MEDIA": CallState.DIALING,
    "RINGING": CallState.OFFERED,
    "ANSWERED": CallState.TALKING,
    "RELEASED": CallState.ENDED,
    "RETIRED": CallState.ENDED,
}
NOT_ANSWERED_YET = frozenset({"NONE", "CREATED", "EARLY_MEDIA", "RINGING"})
GONE = frozenset({"RELEASED", "RETIRED"})

# ChannelContexts[].ChannelFlags (page 439618): hold is a flag, the state stays ANSWERED.
CHANNEL_FLAGS = frozenset({"COACHING", "MONITORING", "MONITORED", "COACHED", "HOLD", "MUTED"})

# CallContext.CallType (page 439618). A consult leg is CONSULTANT; there is no consult flag.
CALL_TYPES = frozenset(
    {
        "INBOUND",
        "BARGE",
        "CONSULTANT",
        "CONFERENCE",
        "MONITOR",
        "INTERNAL",
        "OUTBOUND",
        "INTERCEPT",
        "BACK2BACK",
        "PREDICTIVE",
        "COACH",
    }
)
OUR_OWN_DIALLING = frozenset({"OUTBOUND", "BACK2BACK", "PREDICTIVE", "INTERNAL"})

# CDR ContactType (api-ccc-2020-07-01-getcalldetailrecord; ListCallDetailRecords page 65296 takes
# the capitalised forms as a filter). Read case-insensitively. "inbound"/"outbound" is the port's
# direction; an internal call or a conference is neither, and is archived as outbound (an agent
# placed it) -- the domain has only the two directions.
CONTACT_TYPE: Mapping[str, str] = {
    "INBOUND": "inbound",
    "OUTBOUND": "outbound",
    "BACK2BACK": "outbound",
    "PREDICTIVE": "outbound",
    "PRIVACY_DIAL": "outbound",
    "PRIVACYDIAL": "outbound",
    "INTERNAL": "outbound",
    "CONFERENCE": "outbound",
}

# CDR ContactDisposition (page 65296 and api-ccc-2020-07-01-getcalldetailrecord) → the domain's
# CallOutcome, or None where the word alone does not say (Success also ends IVR-only calls, a
# forward to an outside number may or may not have asked for an agent): then the record decides.
CONTACT_DISPOSITION: Mapping[str, str | None] = {
    "Success": None,
    "AbandonedInQueue": "abandoned",
    "AbandonedInRing": "abandoned",
    "AbandonedInIVR": "ivr_only",
    "AbandonedInVoiceNavigator": "ivr_only",
    "IVRException": "ivr_only",
    "QueuingTimeout": "timeout",
    "QueuingOverflow": "timeout",
    "QueuingFailed": "timeout",
    "Voicemail": "timeout",
    "NoAnswer": "timeout",  # an outbound call the customer did not answer
    "Reject": "timeout",  # the customer rejected an outbound call
    "ForwardToOutsideNumber": None,
}

# Ticket fields (api-ccc-2020-07-01-getticket).
TICKET_STATES = frozenset({"Processing", "Withdrawal", "Rejected", "Closed"})
TICKET_CLOSE_CODES = frozenset({"Completed", "Terminated"})
TICKET_SOURCES = frozenset({"AUDIO", "CHAT", "Console"})

# Work modes (ListRealtimeAgentStates WorkModeList, page 439676).
WORK_MODES = frozenset({"ON_SITE", "OFF_SITE", "OFFICE_PHONE"})


def note_unknown(field: str, word: str) -> None:
    """Log a word the documentation does not list, once per field and word."""
    key = (field, word[:40])
    if key not in _seen:
        _seen.add(key)
        _log.warning("call system sent an undocumented %s %r; shown as unknown", field, key[1])


def lookup(table: Mapping[str, V], word: str, unknown: V, field: str) -> V:
    """``table[word]``, or ``unknown`` (logged once) when the word is not documented."""
    if word in table:
        return table[word]
    note_unknown(field, word)
    return unknown
