"""CCC actions over records: CDRs, recordings, tickets and the directory."""

from __future__ import annotations

from typing import Any

from cscdesk.callcenter.sim import wire
from cscdesk.callcenter.sim.handlers import (
    RECENT_CDR_REACH_DAYS,
    Request,
    action,
)
from cscdesk.callcenter.sim.model import SimError
from cscdesk.callcenter.sim.records import CallRuntime

DAY_MS = 86_400_000
RECORDING_MS = 3000  # the simulator's recordings are 3 s of tone


def _window(req: Request, *, required: bool) -> tuple[int, int]:
    end = req.number("EndTime", req.now_ms, 0, 2**53)
    if required and not req.params.get("StartTime"):
        raise SimError("Parameter.Blank", "The parameter StartTime may not be null or blank.")
    start = req.number("StartTime", end - DAY_MS, 0, 2**53)
    if start > end:
        raise SimError("Parameter.Invalid", "StartTime must not be after EndTime.")
    return start, end


def _calls_between(req: Request, start: int, end: int) -> list[CallRuntime]:
    clock = req.model.clock
    calls = [c for c in req.model.records if start <= clock.epoch_ms(c.started_at) <= end]
    ids = set(req.id_list("ContactIdList"))
    if ids:
        calls = [c for c in calls if c.contact_id in ids]
    calls.sort(key=lambda c: (c.started_at, c.contact_id))
    if req.text("SortOrder", default="DESC").upper() == "DESC":
        calls.reverse()
    return calls


@action("ListCallDetailRecordsV2")
def list_cdr_v2(req: Request) -> dict[str, Any]:
    number, size = req.paging(required=True)  # 必填 on api-ccc-2020-07-01-listcalldetailrecordsv2
    start, end = _window(req, required=False)
    items = [wire.cdr(req.model, c) for c in _calls_between(req, start, end)]
    # "TotalCount 只会在查询第一页时赋值,查询其他页时返回 0" (page 65296, and this operation)
    return wire.ok(req.action, wire.page(items, number, size, total_on_first_page_only=True))


@action("ListRecentCallDetailRecords")
def list_recent_cdr(req: Request) -> dict[str, Any]:
    number, size = req.paging()
    start, end = _window(req, required=True)
    if start < req.now_ms - RECENT_CDR_REACH_DAYS * DAY_MS:
        raise SimError(
            "Parameter.Invalid",
            f"StartTime reaches back more than {RECENT_CDR_REACH_DAYS} days.",
        )
    items = [wire.cdr(req.model, c) for c in _calls_between(req, start, end)]
    return wire.ok(req.action, wire.page(items, number, size))


def _finished(req: Request) -> CallRuntime:
    call = req.model.call(req.text("ContactId", required=True))
    if call.ended_at is None:
        raise SimError("NotExists.ContactId", f"The contact {call.contact_id} has no CDR yet.", 404)
    return call


@action("GetCallDetailRecord")
def get_cdr(req: Request) -> dict[str, Any]:
    return wire.ok(req.action, wire.cdr_detail(req.model, _finished(req)))


def _recorded(req: Request) -> CallRuntime:
    call = _finished(req)
    if not call.recorded:
        raise SimError(
            "NotExists.Recording", f"The contact {call.contact_id} was not recorded.", 404
        )
    return call


@action("ListMonoRecordings")
def list_mono_recordings(req: Request) -> dict[str, Any]:
    call = _recorded(req)
    agent = call.agent_ids[0] if call.agent_ids else ""
    data = [
        {
            "ContactId": call.contact_id,
            "AgentId": agent,
            "AgentName": req.model.agents[agent].agent.name if agent else "",
            "SkillGroupId": call.skill_group or "",
            "FileName": f"{call.contact_id}.wav",
            "Duration": str(RECORDING_MS),  # milliseconds, a string (SDK: ``duration: str``)
            "StartTime": req.model.clock.epoch_ms(call.started_at),
        }
    ]
    return wire.ok(req.action, data)


@action("GetMonoRecording")
def get_mono_recording(req: Request) -> dict[str, Any]:
    call = _recorded(req)
    expire = req.number("ExpireSeconds", 3600, 1, 7 * 86400)
    model, vault = req.model, req.vault
    if not vault.available(call.contact_id, call.started_at, model.now):
        # UNVERIFIED: GetMonoRecording documents only Parameter.* and NotExists.InstanceId; how
        # the real service reports an archived file is not published.
        raise SimError(
            "Forbidden.ArchivedRecording",
            "The recording is archived; call RestoreArchivedRecordings and retry when restored.",
            403,
        )
    token = vault.grant(call.contact_id, model.now, expire)
    data = {
        "FileName": f"{call.contact_id}.wav",
        "FileUrl": f"{req.base_url}/recordings/{token}.wav",
        "Duration": RECORDING_MS,  # milliseconds (SDK doc comment)
    }
    return wire.ok(req.action, data)


@action("RestoreArchivedRecordings")
def restore_archived_recordings(req: Request) -> dict[str, Any]:
    ids = req.id_list("ContactIds")
    if not ids:
        raise SimError("Parameter.Blank", "The parameter ContactIds may not be null or blank.")
    if len(ids) > 100:
        raise SimError("Parameter.Invalid", "ContactIds takes at most 100 ids.")
    model, vault = req.model, req.vault
    data = []
    for cid in ids:
        call = model.by_contact.get(cid)
        if call is None or not call.recorded or call.ended_at is None:
            # UNVERIFIED: what Status a missing recording carries is not documented
            data.append({"ContactId": cid, "Exists": False, "Status": ""})
            continue
        archived = vault.is_archived(call.started_at, model.now)
        if archived:
            vault.restore(cid, model.now)
        restoring = vault.restore_status(cid, call.started_at, model.now) == "Restoring"
        # the restored state is "Completed or Progressing" (SDK doc comment of Data[].Status);
        # StorageType values are not documented: UNVERIFIED "Standard"/"Archive"
        data.append(
            {
                "ContactId": cid,
                "Exists": True,
                "Status": "Progressing" if restoring else "Completed",
                "StorageType": "Archive" if archived else "Standard",
            }
        )
    return wire.ok(req.action, data)


# ----------------------------------------------------------------- tickets
@action("CreateTicket")
def create_ticket(req: Request) -> dict[str, Any]:
    ticket = req.tickets.create(
        template_id=req.text("TemplateId"),
        title=req.text("Title", required=True),
        context=req.text("Context"),
        customer_id=req.text("CustomerId"),
        contact_id=req.text("ContactId"),
        source=req.text("Source"),
        creator=req.text("Creator", default="api"),
        now_ms=req.now_ms,
    )
    return wire.ok(req.action, ticket.ticket_id)


@action("UpdateTicket")
def update_ticket(req: Request) -> dict[str, Any]:
    changes = {
        "title": req.params.get("Title"),
        "context": req.params.get("Context"),
        "customer_id": req.params.get("CustomerId"),
    }
    ticket = req.tickets.update(req.text("TicketId", required=True), changes, req.now_ms)
    return wire.ok(req.action, ticket.ticket_id, req.params)


@action("GetTicket")
def get_ticket(req: Request) -> dict[str, Any]:
    ticket = req.tickets.get(req.text("TicketId", required=True))
    return wire.ok(req.action, wire.ticket(ticket, req.model.instance_id), req.params)


@action("ListTickets")
def list_tickets(req: Request) -> dict[str, Any]:
    """Filtered on UpdatedTime (StartTime..EndTime, ms) and sorted by it, for incremental pulls."""
    number, size = req.paging()
    start = req.number("StartTime", 0, 0, 2**53)
    end = req.number("EndTime", 2**53, 0, 2**53)
    state, customer = req.text("State"), req.text("CustomerId")
    found = [
        t
        for t in req.tickets.tickets.values()
        if start <= t.updated_ms <= end
        and (not state or t.state == state)
        and (not customer or t.customer_id == customer)
    ]
    found.sort(key=lambda t: (t.updated_ms, t.ticket_id))
    items = [wire.ticket(t, req.model.instance_id) for t in found]
    return wire.ok(req.action, wire.page(items, number, size))


@action("ListTicketTemplates")
def list_ticket_templates(req: Request) -> dict[str, Any]:
    number, size = req.paging()
    return wire.ok(
        req.action, wire.page(wire.templates(req.model.instance_id), number, size), req.params
    )


@action("AddTicketTask")
def add_ticket_task(req: Request) -> dict[str, Any]:
    """加签: add a signer to the current task (api-ccc-2020-07-01-addtickettask). TicketId,
    TaskId, Assignee and Comment are required; Position is Before or After; Data is empty."""
    position = req.text("Position", default="After")
    if position not in ("Before", "After"):
        raise SimError("Parameter.Invalid", "Position must be Before or After.")
    req.tickets.add_task(
        req.text("TicketId", required=True),
        req.text("Assignee", required=True),
        req.text("Comment", required=True),
        req.now_ms,
        task_id=req.text("TaskId", required=True),
    )
    return wire.ok(req.action, None, req.params)


@action("FinishTicketTask")
def finish_ticket_task(req: Request) -> dict[str, Any]:
    ticket = req.tickets.finish_task(
        req.text("TicketId", required=True),
        req.text("TaskId") or None,
        req.text("Comment"),
        req.now_ms,
    )
    return wire.ok(req.action, ticket.state, req.params)


@action("TransferTicketTask")
def transfer_ticket_task(req: Request) -> dict[str, Any]:
    ticket = req.tickets.transfer_task(
        req.text("TicketId", required=True),
        req.text("TaskId") or None,
        req.text("Assignee"),
        req.text("Comment"),
        req.now_ms,
    )
    return wire.ok(req.action, ticket.assignee, req.params)


@action("TerminateTicket")
def terminate_ticket(req: Request) -> dict[str, Any]:
    ticket = req.tickets.terminate(
        req.text("TicketId", required=True), req.text("Comment"), req.now_ms
    )
    return wire.ok(req.action, ticket.state, req.params)


# --------------------------------------------------------------- directory
def _user(req: Request, user_id: str) -> dict[str, Any]:
    model = req.model
    lead = user_id in model.supervisors
    rt = model.agent(user_id)
    groups = rt.agent.skill_groups
    name = rt.agent.name
    return {
        "UserId": user_id,
        "InstanceId": model.instance_id,
        "LoginName": user_id.split("@")[0],
        "DisplayName": name,
        "Nickname": name,
        "DisplayId": user_id.split("@")[0],
        "Email": f"{user_id.split('@')[0]}@example.invalid",
        "Extension": wire._extension(model, rt),
        "Mobile": "",
        "RoleId": "Admin" if lead else "Agent",
        "RoleName": "Admin" if lead else "Agent",
        "WorkMode": rt.work_mode,
        "DeviceId": rt.device_id,
        "DeviceState": "ONLINE" if rt.device_online else "OFFLINE",
        "SkillLevelList": [
            {"SkillGroupId": g, "SkillGroupName": model.groups[g].name, "SkillLevel": 5}
            for g in groups
            if g in model.groups
        ],
        "PersonalOutboundNumberList": [],
    }


@action("ListUsers")
def list_users(req: Request) -> dict[str, Any]:
    number, size = req.paging()
    group, pattern = req.text("SkillGroupId"), req.text("SearchPattern")
    users = [_user(req, uid) for uid in (*sorted(req.model.agents), *sorted(req.model.supervisors))]
    if group:
        users = [u for u in users if any(s["SkillGroupId"] == group for s in u["SkillLevelList"])]
    if pattern:
        users = [u for u in users if pattern in u["LoginName"] or pattern in u["DisplayName"]]
    return wire.ok(req.action, wire.page(users, number, size), req.params)


@action("GetUser")
def get_user(req: Request) -> dict[str, Any]:
    return wire.ok(req.action, _user(req, req.text("UserId", required=True)), req.params)


@action("ListSkillGroups")
def list_skill_groups(req: Request) -> dict[str, Any]:
    number, size = req.paging()
    model = req.model
    items = [
        {
            "SkillGroupId": g.id,
            "SkillGroupName": g.name,
            "DisplayName": g.name,
            "Description": g.name_en,
            "InstanceId": model.instance_id,
            "MediaType": "VOICE",
            "PhoneNumberCount": 1,
            "UserCount": sum(1 for a in model.agents.values() if g.id in a.agent.skill_groups),
        }
        for g in model.groups.values()
    ]
    return wire.ok(req.action, wire.page(items, number, size))


@action("ListInstances")
def list_instances(req: Request) -> dict[str, Any]:
    number, size = req.paging()
    model = req.model
    item = {
        "Id": model.instance_id,
        "Name": model.instance_id,
        "Description": "cscdesk simulator",
        "DomainName": model.instance_id,
        "ConsoleUrl": req.base_url,
        "Status": "RUNNING",
        "AliyunUid": "0",
        "CreateTime": model.clock.epoch_ms(0),
        "NumberList": [{"Number": "4008001234"}],
        "AdminList": [],
    }
    return wire.ok(req.action, wire.page([item], number, size))
