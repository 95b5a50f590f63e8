"""Call-system failures in the agent's words: what happened and what to do next.

The vendor's own text (``User agent001 is TALKING; this operation needs CALLING``, error codes,
request ids) helps support, not the agent: it goes to the log, and the notice says in the
desk's language what the agent can do. Only the error's class decides the words.
"""

from __future__ import annotations

import logging

from cscdesk.callcenter.errors import (
    AuthError,
    CallCenterError,
    InstanceNotFoundError,
    InvalidParameterError,
    NotFoundError,
    NoVoiceDeviceError,
    ResponseFormatError,
    StateConflictError,
    ThrottledError,
    UnavailableError,
)
from cscdesk.tui.i18n import _

log = logging.getLogger("cscdesk.desk.calls")

# most specific first: the first class that matches gives the words
ADVICE: tuple[tuple[type[BaseException], str], ...] = (
    (NoVoiceDeviceError, NoVoiceDeviceError.summary),
    (StateConflictError, "The call changed before this could be done: check the call panel "
                         "and press the key again if it still applies"),
    (ThrottledError, "The call system is busy: wait a few seconds and try again"),
    (AuthError, "The call system refused this desk's credentials: ask the administrator to "
                "check the AccessKey"),
    (InstanceNotFoundError, InstanceNotFoundError.summary),
    (NotFoundError, "That call has already ended or moved: the call panel shows what is current"),
    (InvalidParameterError, "The call system refused the request: press F5 to refresh, then "
                            "try again; if it repeats, tell your team lead"),
    (ResponseFormatError, "The call system's answer could not be read: try again; the details "
                          "are in the log for support"),
    (UnavailableError, "The call system cannot be reached: wait for the link to come back"),
    (CallCenterError, "The call system could not do this: try again; the details are in the "
                      "log for support"),
)  # fmt: skip
UNEXPECTED = "Something went wrong talking to the call system: the details are in the log"


def explain(exc: BaseException, doing: str) -> str:
    """The notice for ``exc`` in the current language; the technical detail is logged.

    Logged: the operation, the error class, the vendor code, HTTP status and request id. The
    vendor's message is not: it may quote a number the caller dialled."""
    vendor = exc if isinstance(exc, CallCenterError) else None
    log.warning(
        "%s failed: %s code=%s status=%s request=%s operation=%s",
        doing,
        type(exc).__name__,
        vendor.code if vendor else None,
        vendor.http_status if vendor else None,
        vendor.request_id if vendor else None,
        vendor.action if vendor else None,
    )
    for kind, advice in ADVICE:
        if isinstance(exc, kind):
            return _(advice)
    return _(UNEXPECTED)
