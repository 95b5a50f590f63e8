"""Typed, vendor-neutral errors of the cloud call system.

The desk shows ``str(error)`` as a notice, so every message says what failed in words an agent or a
lead can act on; the vendor's ``code`` and ``request_id`` ride along for support tickets. Callers
branch on the class (retry later, fix the setting, re-sign in), never on vendor codes.
"""

from __future__ import annotations


class CallCenterError(Exception):
    """A call to the cloud call system failed."""

    summary = "The call system reported an error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        action: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.action = action
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.summary} ({self.action})" if self.action else self.summary
        text = f"{head}: {self.message}" if self.message else head
        details = [part for part in (self.code, self._request_part()) if part]
        return f"{text} [{', '.join(details)}]" if details else text

    def _request_part(self) -> str | None:
        return f"request {self.request_id}" if self.request_id else None


class AuthError(CallCenterError):
    """The AccessKey is wrong, disabled or lacks permission, or the signature was refused."""

    summary = "The call system refused our credentials; check the AccessKey in the keyring"


class ThrottledError(CallCenterError):
    """The vendor asked us to slow down; the request was not applied."""

    summary = "The call system is busy (rate limited); try again shortly"


class InvalidParameterError(CallCenterError):
    """The request was refused because a parameter is wrong (a bug or a stale id)."""

    summary = "The call system rejected a parameter"


class NotFoundError(CallCenterError):
    """The thing asked for (user, call, ticket, recording…) does not exist."""

    summary = "The call system does not know this item"


class StateConflictError(InvalidParameterError):
    """The action is not possible in the agent's or the call's current state.

    CCC answers ``InvalidOperation.UserState`` / ``InvalidOperation.ChannelState`` with HTTP 400
    (e.g. ReadyForService during a call). A subclass of ``InvalidParameterError`` so that callers
    which caught that before keep working.
    """

    summary = "The call system refused this in the current agent or call state"


class NoVoiceDeviceError(StateConflictError):
    """No voice device is registered for the agent, so a call cannot be answered or placed.

    The terminal only controls the call; the voice goes through the agent's SIP desk phone,
    softphone, or mobile in off-site mode. UNVERIFIED vendor code: ``InvalidOperation.DeviceState``
    is our reading of the console's "设备状态(OFFLINE)与期望状态(ONLINE)不符"; no API page lists it.
    """

    summary = (
        "No phone is registered for this agent: answering is impossible until the desk phone "
        "or softphone is online"
    )


class InstanceNotFoundError(NotFoundError):
    """``NotExists.InstanceId`` (HTTP 404): the configured instance id is wrong."""

    summary = (
        "The configured call-center instance does not exist; check instance_id in the "
        "[callcenter] settings"
    )


class UnavailableError(CallCenterError):
    """The service is down, the connection broke or the call timed out."""

    summary = "The call system is unreachable or failing"
    not_sent = False  # True when the request never left this host (connect failed): safe to retry


class ResponseFormatError(CallCenterError):
    """A response could not be understood: it names the operation and the field."""

    summary = "The call system sent a response we could not read"

    def __init__(
        self,
        action: str,
        field: str,
        problem: str,
        *,
        request_id: str | None = None,
    ) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"field {field}: {problem}", action=action, request_id=request_id)
