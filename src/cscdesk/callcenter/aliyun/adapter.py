"""``CallCenterPort`` over Alibaba Cloud CCC 2020-07-01.

Operations used (all RPC, ``POST /`` unless noted):

* agent state: ``SignInGroup``, ``SignOutGroup``, ``ReadyForService``, ``TakeBreak``,
  ``PollUserStatus`` (screen pop);
* call control: ``AnswerCall``, ``ReleaseCall``, ``HoldCall``, ``RetrieveCall``, ``BlindTransfer``,
  ``InitiateAttendedTransfer``, ``CompleteAttendedTransfer``, ``CancelAttendedTransfer``, ``MakeCall``;
* team lead: ``ListRealtimeSkillGroupStates``, ``ListRealtimeAgentStates``,
  ``GetRealtimeInstanceStates``, ``ListHistoricalSkillGroupReport`` and
  ``ListHistoricalAgentReport`` (since midnight: no StartTime, the documented default is today
  0:00, so the vendor's clock and zone decide; the ``*SummaryReportsSinceMidnight`` operations are
  deprecated and "仅对特定用户开放", pages 92432/92442), ``ListIntervalSkillGroupReport``, ``MonitorCall``,
  ``CoachCall``, ``BargeInCall``, ``ResetAgentState``;
* tickets: ``CreateTicket``, ``UpdateTicket``, ``GetTicket``, ``ListTickets``, ``ListTicketTemplates``,
  ``AddTicketTask``, ``FinishTicketTask``, ``TransferTicketTask``, ``TerminateTicket``;
* archive: ``ListCallDetailRecordsV2``, ``GetCallDetailRecord``, ``ListMonoRecordings``,
  ``GetMonoRecording``, ``RestoreArchivedRecordings``; directory: ``ListUsers``, ``GetUser``,
  ``ListSkillGroups``, ``ListInstances`` (health and ``doctor``).

Not used: ``GetLoginDetails`` and ``GetTurnCredentials`` serve Alibaba's browser workbench and its
WebRTC audio. The terminal carries no audio: it controls the call, and the voice goes through the
device the agent signed in with (SIP desk phone, softphone, or the mobile in off-site mode).

Retries: reads are ``retry_safe`` (throttling, 5xx, resets and timeouts are retried with backoff);
so are ``UpdateTicket`` and ``RestoreArchivedRecordings``, which set state and are idempotent.
Everything else — all call control and agent state changes, ``MakeCall``, ``CreateTicket``,
``AddTicketTask``, ``FinishTicketTask``, ``TransferTicketTask``, ``TerminateTicket`` and the
supervisor actions — is retried only after throttling or a failed connect (not applied), never after
a lost response: answering a call twice or creating a ticket twice is worse than one clear error.

Paging: the vendor serves ``PageNumber`` 1–100 × ``PageSize`` ≤ 100. A listing ends on a page shorter
than the page size, never on ``TotalCount``: ``ListCallDetailRecords``,
``ListRecentCallDetailRecords`` and ``ListCallDetailRecordsV2`` fill it only on page 1 and send 0
afterwards (page 65296; the V2 page says the same), so stopping on it silently dropped CDRs. Our cursors are opaque base64
JSON holding the page number and, for CDRs, the time window. CDRs are read oldest first; when a
window holds more than 100 full pages, the next cursor restarts at page 1 from the newest start
time seen, so callers may see a few rows twice and must de-duplicate on ``contact_id`` (the archive
does). The vendor has no time-range recording listing, so ``list_recordings`` pages CDRs and asks
``ListMonoRecordings`` for each call whose recording is ready.

Coach and barge-in need the call's JobId, which only the supervisor's own session knows once they
monitor it, so ``coach``/``barge_in`` read it from ``PollUserStatus`` of the supervisor's device
(monitoring first when the supervisor is on no call); ``stop_supervising`` releases that leg.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from cscdesk.callcenter.aliyun import mapping
from cscdesk.callcenter.aliyun.client import AliyunRpcClient, error_class_for
from cscdesk.callcenter.errors import (
    CallCenterError,
    InvalidParameterError,
    NotFoundError,
    UnavailableError,
)
from cscdesk.callcenter.port import (
    AgentSession,
    AgentState,
    CallCenterPort,
    CallRecord,
    Capabilities,
    Health,
    Page,
    QueueState,
    RealtimeMetrics,
    RecordingLocator,
    RemoteTicket,
    SkillGroupInfo,
    SummaryReport,
    TicketDraft,
    TicketTemplate,
    UserInfo,
)
from cscdesk.config import CallCenterSettings

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 100
CDR_LOOKBACK_DAYS = 180
DOWNLOAD_CHUNK = 64 * 1024

# neutral transfer target kinds → CCC TransfereeType
TRANSFEREE_TYPES = {
    "agent": "AGENT",
    "skill_group": "SKILL_GROUP",
    "ivr": "IVR",
    "number": "EXTERNAL_NUMBER",
    "external_number": "EXTERNAL_NUMBER",
}
INTERVALS = {60: "Hourly", 1440: "Daily"}


def _ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("call-center times must be timezone-aware")
    return int(when.timestamp() * 1000)


def encode_cursor(state: Mapping[str, int]) -> str:
    return base64.urlsafe_b64encode(
        json.dumps(dict(state), separators=(",", ":")).encode()
    ).decode()


def decode_cursor(cursor: str | None, **defaults: int) -> dict[str, int]:
    """Decode a cursor made by ``encode_cursor``; None gives ``defaults``."""
    if cursor is None:
        return dict(defaults)
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidParameterError("this paging cursor is not one we issued") from None
    if not isinstance(state, dict) or not all(
        isinstance(state.get(k), int) and not isinstance(state.get(k), bool) for k in defaults
    ):
        raise InvalidParameterError("this paging cursor is not one we issued")
    page = state["p"]
    if not 1 <= page <= MAX_PAGE_NUMBER:
        raise InvalidParameterError(f"page {page} is outside 1..{MAX_PAGE_NUMBER}")
    return {k: state[k] for k in defaults}


class AliyunCallCenter:
    """The real adapter: one CCC instance through one signed RPC client."""

    def __init__(self, client: AliyunRpcClient, instance_id: str, *, page_size: int = 100) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        self._client = client
        self.instance_id = instance_id
        self.page_size = page_size
        self._status_seen: dict[str, tuple[str, datetime]] = {}

    # --- plumbing ----------------------------------------------------------------------------

    async def _read(
        self,
        action: str,
        method: str = "POST",
        form: Mapping[str, object] | None = None,
        **params: object,
    ) -> dict[str, Any]:
        return await self._client.call(
            action,
            {"InstanceId": self.instance_id, **params},
            method=method,
            retry_safe=True,
            form=form,
        )

    async def _write(
        self, action: str, *, idempotent: bool = False, **params: object
    ) -> dict[str, Any]:
        return await self._client.call(
            action, {"InstanceId": self.instance_id, **params}, retry_safe=idempotent
        )

    async def _all_pages(
        self,
        action: str,
        mapper: Any,
        method: str = "POST",
        form: Mapping[str, object] | None = None,
        **params: object,
    ) -> list[Any]:
        """Every page of a directory-sized listing (at most 100 × page size rows)."""
        items: list[Any] = []
        for page in range(1, MAX_PAGE_NUMBER + 1):
            payload = await self._read(
                action, method, form, PageNumber=page, PageSize=self.page_size, **params
            )
            rows, _total = mapper(action, payload)
            items.extend(rows)
            if len(rows) < self.page_size:
                break
        return items

    # --- port: meta --------------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        return Capabilities(
            push_events=False,
            max_page_size=MAX_PAGE_SIZE,
            max_page_number=MAX_PAGE_NUMBER,
            cdr_lookback_days=CDR_LOOKBACK_DAYS,
            recording_url_ttl_seconds=3600,
            tickets=True,
            supervisor_actions=True,
        )

    async def health(self) -> Health:
        started = time.perf_counter()
        try:
            await self._client.call(
                "GetRealtimeInstanceStates", {"InstanceId": self.instance_id}, retry_safe=False
            )
        except CallCenterError as error:
            return Health(False, (time.perf_counter() - started) * 1000, str(error))
        return Health(True, (time.perf_counter() - started) * 1000, self._client.endpoint)

    async def list_instances(self) -> list[tuple[str, str]]:
        """(id, name) of every instance this AccessKey can see, for ``cscdesk doctor``."""
        items: list[tuple[str, str]] = []
        for page in range(1, MAX_PAGE_NUMBER + 1):
            payload = await self._client.call(
                "ListInstances", {"PageNumber": page, "PageSize": self.page_size}, retry_safe=True
            )
            rows, _total = mapping.instances("ListInstances", payload)
            items.extend(rows)
            if len(rows) < self.page_size:
                break
        return items

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- directory ---------------------------------------------------------------------------

    async def list_skill_groups(self) -> list[SkillGroupInfo]:
        return await self._all_pages("ListSkillGroups", mapping.skill_groups)

    async def list_users(self) -> list[UserInfo]:
        return await self._all_pages("ListUsers", mapping.users)

    async def get_user(self, user_id: str) -> UserInfo:
        return mapping.user("GetUser", await self._read("GetUser", UserId=user_id))

    # --- agent state and screen pop ------------------------------------------------------------

    async def sign_in(
        self, agent_id: str, skill_groups: Sequence[str], device_id: str
    ) -> AgentSession:
        """``SignInGroup``: ``DeviceId`` is required and names the voice device (page 439627);
        the reply says which device and work mode the agent is now on."""
        payload = await self._write(
            "SignInGroup",
            UserId=agent_id,
            DeviceId=device_id,
            SignedSkillGroupIdList=list(skill_groups),
        )
        session = mapping.signed_in("SignInGroup", payload, agent_id)
        return replace(session, state_since=self._first_seen(agent_id, session.status.value))

    async def sign_out(self, agent_id: str, device_id: str) -> None:
        await self._write("SignOutGroup", UserId=agent_id, DeviceId=device_id)

    async def ready(self, agent_id: str, device_id: str) -> None:
        await self._write("ReadyForService", UserId=agent_id, DeviceId=device_id)

    async def take_break(self, agent_id: str, device_id: str, code: str) -> None:
        await self._write("TakeBreak", UserId=agent_id, DeviceId=device_id, Code=code)

    async def poll_agent_session(self, agent_id: str, device_id: str) -> AgentSession:
        payload = await self._read("PollUserStatus", UserId=agent_id, DeviceId=device_id)
        session = mapping.agent_session("PollUserStatus", payload, agent_id)
        return replace(session, state_since=self._first_seen(agent_id, session.status.value))

    def _first_seen(self, agent_id: str, status: str) -> datetime:
        """When this client first saw ``agent_id`` in ``status`` (the poll has no state time)."""
        seen = self._status_seen.get(agent_id)
        if seen is None or seen[0] != status:
            seen = (status, datetime.now(UTC))
            self._status_seen[agent_id] = seen
        return seen[1]

    # --- call control ------------------------------------------------------------------------

    async def _control(
        self, action: str, agent_id: str, device_id: str, job_id: str, **extra: object
    ) -> None:
        params = {"UserId": agent_id, "DeviceId": device_id, "JobId": job_id, **extra}
        await self._client.call(
            action, {"InstanceId": self.instance_id, **params}, retry_safe=False
        )

    async def answer(self, agent_id: str, device_id: str, job_id: str) -> None:
        await self._control("AnswerCall", agent_id, device_id, job_id)

    async def release(self, agent_id: str, device_id: str, job_id: str) -> None:
        await self._control("ReleaseCall", agent_id, device_id, job_id)

    async def hold(self, agent_id: str, device_id: str, job_id: str, leg_id: str) -> None:
        """``HoldCall`` (api-ccc-2020-07-01-holdcall): ChannelId, the channel to hold, is required."""
        await self._control("HoldCall", agent_id, device_id, job_id, ChannelId=leg_id)

    async def retrieve(self, agent_id: str, device_id: str, job_id: str, leg_id: str) -> None:
        """``RetrieveCall`` (api-ccc-2020-07-01-retrievecall): ChannelId is required."""
        await self._control("RetrieveCall", agent_id, device_id, job_id, ChannelId=leg_id)

    async def blind_transfer(
        self, agent_id: str, device_id: str, job_id: str, target: str, target_type: str
    ) -> None:
        await self._control(
            "BlindTransfer",
            agent_id,
            device_id,
            job_id,
            Transferee=target,
            TransfereeType=_transferee_type(target_type),
        )

    async def start_attended_transfer(
        self, agent_id: str, device_id: str, job_id: str, target: str, target_type: str
    ) -> None:
        await self._control(
            "InitiateAttendedTransfer",
            agent_id,
            device_id,
            job_id,
            Transferee=target,
            TransfereeType=_transferee_type(target_type),
        )

    async def complete_attended_transfer(self, agent_id: str, device_id: str, job_id: str) -> None:
        await self._control("CompleteAttendedTransfer", agent_id, device_id, job_id)

    async def cancel_attended_transfer(self, agent_id: str, device_id: str, job_id: str) -> None:
        await self._control("CancelAttendedTransfer", agent_id, device_id, job_id)

    async def mute(self, agent_id: str, device_id: str, job_id: str) -> None:
        """``MuteCall`` (api-ccc-2020-07-01-mutecall): no ChannelId mutes the agent's own."""
        await self._control("MuteCall", agent_id, device_id, job_id)

    async def unmute(self, agent_id: str, device_id: str, job_id: str) -> None:
        await self._control("UnmuteCall", agent_id, device_id, job_id)

    async def send_dtmf(
        self, agent_id: str, device_id: str, job_id: str, leg_id: str, digits: str
    ) -> None:
        """``SendDtmfSignaling`` (page 439626): ChannelId and Dtmf (0-9, *, #) are required."""
        await self._control(
            "SendDtmfSignaling", agent_id, device_id, job_id, ChannelId=leg_id, Dtmf=digits
        )

    async def start_conference(self, agent_id: str, device_id: str, job_id: str) -> None:
        """``SwitchToConference`` (SDK SwitchToConferenceRequest: InstanceId, JobId, UserId)."""
        await self._control("SwitchToConference", agent_id, device_id, job_id)

    async def leave_conference(self, agent_id: str, device_id: str, job_id: str) -> None:
        """``EndConference`` takes no DeviceId (SDK EndConferenceRequest): the agent leaves."""
        await self._client.call(
            "EndConference",
            {"InstanceId": self.instance_id, "UserId": agent_id, "JobId": job_id},
            retry_safe=False,
        )

    async def make_call(self, agent_id: str, device_id: str, callee: str) -> str:
        payload = await self._write("MakeCall", UserId=agent_id, DeviceId=device_id, Callee=callee)
        return mapping.made_call_job_id("MakeCall", payload)

    # --- team lead ---------------------------------------------------------------------------

    async def list_queue_states(
        self, skill_group_ids: Sequence[str] | None = None
    ) -> list[QueueState]:
        form = {"SkillGroupIdList": list(skill_group_ids)} if skill_group_ids else None
        return await self._all_pages(
            "ListRealtimeSkillGroupStates", mapping.queue_states, form=form
        )

    async def list_agent_states(self, skill_group_id: str | None = None) -> list[AgentState]:
        return await self._all_pages(
            "ListRealtimeAgentStates", mapping.agent_states, SkillGroupId=skill_group_id
        )

    async def get_realtime_metrics(self) -> RealtimeMetrics:
        payload = await self._read("GetRealtimeInstanceStates")
        return mapping.realtime_metrics("GetRealtimeInstanceStates", payload)

    async def skill_group_reports_since_midnight(self) -> list[SummaryReport]:
        return await self._all_pages(
            "ListHistoricalSkillGroupReport", mapping.historical_skill_group_reports
        )

    async def agent_reports_since_midnight(self) -> list[SummaryReport]:
        return await self._all_pages("ListHistoricalAgentReport", mapping.historical_agent_reports)

    async def skill_group_interval_reports(
        self, skill_group_id: str, start: datetime, end: datetime, interval_minutes: int
    ) -> list[SummaryReport]:
        interval = INTERVALS.get(interval_minutes)
        if interval is None:
            raise InvalidParameterError(
                f"the call system reports per hour (60) or per day (1440), not per {interval_minutes} min",
                action="ListIntervalSkillGroupReport",
            )
        payload = await self._read(
            "ListIntervalSkillGroupReport",
            SkillGroupId=skill_group_id,
            StartTime=_ms(start),
            EndTime=_ms(end),
            Interval=interval,
        )
        return mapping.interval_reports(
            "ListIntervalSkillGroupReport", payload, skill_group_id, skill_group_id
        )

    async def monitor(self, supervisor_id: str, device_id: str, agent_id: str) -> None:
        await self._write(
            "MonitorCall", UserId=supervisor_id, DeviceId=device_id, MonitoredUserId=agent_id
        )

    async def _supervised_job(self, supervisor_id: str, device_id: str, agent_id: str) -> str:
        """The JobId coaching and barging need: the call the supervisor is on, or (not on one
        yet) the call ``MonitorCall`` puts them on (its reply's CallContext, page 439615)."""
        session = await self.poll_agent_session(supervisor_id, device_id)
        if session.call is not None:
            return session.call.job_id
        payload = await self._write(
            "MonitorCall", UserId=supervisor_id, DeviceId=device_id, MonitoredUserId=agent_id
        )
        return mapping.supervised_job("MonitorCall", payload)

    async def stop_supervising(self, supervisor_id: str, device_id: str) -> None:
        """``ReleaseCall`` of the supervisor's own leg (page 439620: without ``ChannelId`` the
        channel of ``UserId``): agent and customer talk on."""
        session = await self.poll_agent_session(supervisor_id, device_id)
        if session.call is None:
            raise InvalidParameterError(
                "not monitoring, coaching or barging in on any call", action="ReleaseCall"
            )
        await self._control("ReleaseCall", supervisor_id, device_id, session.call.job_id)

    async def coach(self, supervisor_id: str, device_id: str, agent_id: str) -> None:
        job_id = await self._supervised_job(supervisor_id, device_id, agent_id)
        await self._write(
            "CoachCall",
            UserId=supervisor_id,
            DeviceId=device_id,
            CoachedUserId=agent_id,
            JobId=job_id,
        )

    async def barge_in(self, supervisor_id: str, device_id: str, agent_id: str) -> None:
        job_id = await self._supervised_job(supervisor_id, device_id, agent_id)
        await self._write(
            "BargeInCall",
            UserId=supervisor_id,
            DeviceId=device_id,
            BargedUserId=agent_id,
            JobId=job_id,
        )

    async def reset_agent_state(self, agent_id: str) -> None:
        await self._write("ResetAgentState", UserId=agent_id)

    # --- tickets -----------------------------------------------------------------------------

    async def list_ticket_templates(self) -> list[TicketTemplate]:
        return await self._all_pages("ListTicketTemplates", mapping.ticket_templates)

    async def create_ticket(self, draft: TicketDraft) -> RemoteTicket:
        payload = await self._write(
            "CreateTicket",
            Title=draft.title,
            Context=dict(draft.context),
            TemplateId=draft.template_id,
            CustomerId=draft.customer_id,
            ContactId=draft.contact_id,
            Source=draft.source,
        )
        ticket_id = mapping.data_text("CreateTicket", payload)
        try:
            return await self.get_ticket(ticket_id)
        except CallCenterError:
            # The ticket exists; reporting failure here would invite a duplicate create.
            return RemoteTicket(
                ticket_id=ticket_id,
                title=draft.title,
                state="",
                context=dict(draft.context),
                customer_id=draft.customer_id,
                contact_id=draft.contact_id,
                template_id=draft.template_id,
                creator_id=None,
                created_at=None,
                updated_at=None,
            )

    async def update_ticket(
        self, ticket_id: str, *, title: str | None, context: Mapping[str, Any] | None
    ) -> None:
        await self._write(
            "UpdateTicket",
            idempotent=True,
            TicketId=ticket_id,
            Title=title,
            Context=None if context is None else dict(context),
        )

    async def get_ticket(self, ticket_id: str) -> RemoteTicket:
        return mapping.ticket_detail("GetTicket", await self._read("GetTicket", TicketId=ticket_id))

    async def list_tickets(
        self, *, updated_since: datetime | None, cursor: str | None = None
    ) -> Page[RemoteTicket]:
        """Tickets page by page; the vendor filters on creation time (``StartTime``), so a
        caller pulling changes passes a generous ``updated_since`` and compares ``updated_at``."""
        state = decode_cursor(cursor, p=1)
        payload = await self._read(
            "ListTickets",
            PageNumber=state["p"],
            PageSize=self.page_size,
            StartTime=None if updated_since is None else _ms(updated_since),
        )
        rows, total = mapping.tickets("ListTickets", payload)
        return Page(rows, self._next_page(state["p"], len(rows), total), total)

    def _next_page(self, page: int, count: int, total: int | None) -> str | None:
        if count < self.page_size or page >= MAX_PAGE_NUMBER:
            return None
        return encode_cursor({"p": page + 1})

    async def add_ticket_task(
        self, ticket_id: str, assignee: str, note: str, task_id: str | None = None
    ) -> str:
        """Add ``assignee`` as a signer (加签) after us on the ticket's current task.

        ``AddTicketTask`` requires ``TaskId`` and does not create a task (page
        api-ccc-2020-07-01-addtickettask; its ``Data`` is empty). Without ``task_id`` the current
        task is read from ``GetTicket``. Returns the task id the signer was added to.
        """
        if task_id is None:
            detail = await self._read("GetTicket", TicketId=ticket_id)
            task_id = mapping.current_task_id("GetTicket", detail)
        await self._write(
            "AddTicketTask",
            TicketId=ticket_id,
            TaskId=task_id,
            Assignee=assignee,
            Comment=note,
            Position="After",
        )
        return task_id

    async def finish_ticket_task(self, ticket_id: str, task_id: str, note: str) -> None:
        await self._write("FinishTicketTask", TicketId=ticket_id, TaskId=task_id, Comment=note)

    async def transfer_ticket_task(self, ticket_id: str, task_id: str, assignee: str) -> None:
        await self._write(
            "TransferTicketTask", TicketId=ticket_id, TaskId=task_id, Assignee=assignee
        )

    async def terminate_ticket(self, ticket_id: str, reason: str) -> None:
        await self._write("TerminateTicket", TicketId=ticket_id, Comment=reason)

    # --- archive -----------------------------------------------------------------------------

    async def list_call_records(
        self, start: datetime, end: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Page[CallRecord]:
        size = min(max(page_size, 1), MAX_PAGE_SIZE)
        state = decode_cursor(cursor, p=1, s=_ms(start), e=_ms(end))
        payload = await self._read(
            "ListCallDetailRecordsV2",
            StartTime=state["s"],
            EndTime=state["e"],
            PageNumber=state["p"],
            PageSize=size,
            SortOrder="ASC",
        )
        rows, total = mapping.call_records("ListCallDetailRecordsV2", payload)
        return Page(rows, self._next_cdr_cursor(state, rows, size), total)

    @staticmethod
    def _next_cdr_cursor(state: Mapping[str, int], rows: list[CallRecord], size: int) -> str | None:
        page = state["p"]
        if len(rows) < size:  # never TotalCount: 0 after page 1 on the v1/recent operations
            return None
        if page < MAX_PAGE_NUMBER:
            return encode_cursor({**state, "p": page + 1})
        newest = max(_ms(r.start_time) for r in rows)
        if newest <= state["s"]:  # a whole window at one instant: cannot narrow further
            return None
        return encode_cursor({"p": 1, "s": newest, "e": state["e"]})

    async def update_subscription(self, access_point: str, events: Sequence[str]) -> None:
        """Subscribe a webhook to ``events`` (api-ccc-2020-07-01-updatesubscription: for a webhook
        ``MqType=webhook``, ``ProducerId=PID_Webhook``, ``DefaultTopic=Topic_Webhook``; the
        ``AccessPoint`` is the webhook's URL, ``EventSubscriptionsJson`` a list of
        ``{"Name", "Disabled"}``). Setting the whole list again is idempotent."""
        import json

        await self._write(
            "UpdateSubscription",
            idempotent=True,
            AccessPoint=access_point,
            MqType="webhook",
            ProducerId="PID_Webhook",
            DefaultTopic="Topic_Webhook",
            EventSubscriptionsJson=json.dumps([{"Name": e, "Disabled": False} for e in events]),
        )

    async def get_call_record(self, contact_id: str) -> CallRecord:
        payload = await self._read("GetCallDetailRecord", ContactId=contact_id)
        return mapping.call_record_detail("GetCallDetailRecord", payload)

    async def get_recording(self, contact_id: str, expire_seconds: int) -> RecordingLocator:
        expires_at = datetime.now(UTC) + timedelta(seconds=expire_seconds)
        payload = await self._read(
            "GetMonoRecording", ContactId=contact_id, ExpireSeconds=expire_seconds
        )
        return mapping.recording("GetMonoRecording", payload, contact_id, expires_at)

    async def list_recordings(
        self, start: datetime, end: datetime, cursor: str | None = None
    ) -> Page[RecordingLocator]:
        records = await self.list_call_records(start, end, cursor, self.page_size)
        found: list[RecordingLocator] = []
        for record in records.items:
            if not record.recording_available:
                continue
            payload = await self._read("ListMonoRecordings", ContactId=record.contact_id)
            found.extend(mapping.recordings("ListMonoRecordings", payload, None))
        return Page(found, records.next_cursor)

    async def restore_recordings(self, contact_ids: Sequence[str]) -> None:
        if contact_ids:
            await self._write(
                "RestoreArchivedRecordings", idempotent=True, ContactIds=list(contact_ids)
            )

    async def download(self, locator: RecordingLocator) -> AsyncIterator[bytes]:
        """Stream a recording from its pre-signed URL (never logged: it grants access)."""
        if locator.url is None:
            raise NotFoundError(
                f"recording of {locator.contact_id} is archived; restore it first",
                action="GetMonoRecording",
            )
        try:
            async with self._client.http.stream("GET", locator.url) as response:
                if response.status_code >= 400:
                    cls = error_class_for(None, response.status_code)
                    raise cls(
                        f"recording download of {locator.contact_id} failed (HTTP {response.status_code})",
                        http_status=response.status_code,
                        action="download",
                    )
                async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                    yield chunk
        except httpx.TransportError as exc:
            raise UnavailableError(
                f"recording download of {locator.contact_id} broke off ({type(exc).__name__})",
                action="download",
            ) from exc


def _transferee_type(target_type: str) -> str:
    return TRANSFEREE_TYPES.get(target_type.lower(), target_type)


def build_aliyun_call_center(
    settings: CallCenterSettings, *, access_key_id: str, access_key_secret: str
) -> AliyunCallCenter:
    """The adapter for a configured instance; the caller resolves the AccessKey from the keyring."""
    endpoint = settings.endpoint
    scheme = "http" if endpoint.startswith("http://") else "https"
    client = AliyunRpcClient(
        endpoint,
        access_key_id,
        access_key_secret,
        scheme=scheme,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        verify=settings.verify_tls,
    )
    return AliyunCallCenter(client, settings.instance_id)


if TYPE_CHECKING:  # mypy proves the adapter satisfies the port

    def _conforms(adapter: AliyunCallCenter) -> CallCenterPort:
        return adapter
