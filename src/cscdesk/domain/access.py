"""Who may do what, and how much of another insurer's data a seconded agent sees.

等保二级 asks for named users, least privilege and separated admin duties; PIPL asks that each
person sees only the personal information their work needs. Both are decided here, as pure rules,
so that screens, reports and exports ask the same question and get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.models import Claim, Policy


class Role(StrEnum):
    AGENT = "agent"  # broker agent (经纪客服)
    SECONDED_AGENT = "seconded_agent"  # seconded by an insurer (保险公司派驻客服)
    LEAD = "lead"
    AUDITOR = "auditor"
    ADMIN = "admin"
    BUSINESS_STAFF = "business_staff"  # account managers, claims and underwriting staff (业务人员)


class Permission(StrEnum):
    TAKE_CALLS = "take_calls"
    VIEW_CUSTOMER = "view_customer"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    EDIT_TICKETS = "edit_tickets"
    PLAY_RECORDINGS = "play_recordings"
    VIEW_WALLBOARD = "view_wallboard"
    SUPERVISE_CALLS = "supervise_calls"  # monitor / coach / barge in / reset agent state
    VIEW_REPORTS = "view_reports"
    EXPORT_ARCHIVE = "export_archive"
    IMPORT_ARCHIVE = "import_archive"  # load a bundle into a new store (restore, host move)
    PURGE_ARCHIVE = "purge_archive"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    MANAGE_USERS = "manage_users"
    CHANGE_CONFIG = "change_config"
    WORK_TASKS = "work_tasks"  # the task inbox: hand-offs routed to them (taken, answered)


_DESK = frozenset(
    {
        Permission.TAKE_CALLS,
        Permission.VIEW_CUSTOMER,
        Permission.EDIT_TICKETS,
        Permission.PLAY_RECORDINGS,
        Permission.WORK_TASKS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: _DESK | {Permission.REVEAL_PERSONAL_DATA},
    Role.SECONDED_AGENT: _DESK,
    Role.LEAD: _DESK
    | {
        Permission.REVEAL_PERSONAL_DATA,
        Permission.VIEW_WALLBOARD,
        Permission.SUPERVISE_CALLS,
        Permission.VIEW_REPORTS,
    },
    # Business staff answer what the center hands them; they take no calls.
    Role.BUSINESS_STAFF: frozenset({Permission.VIEW_CUSTOMER, Permission.WORK_TASKS}),
    # The auditor reads; the admin manages users and config but does not read customers:
    # separation of duties (三员分立 in spirit).
    Role.AUDITOR: frozenset(
        {Permission.VIEW_REPORTS, Permission.VIEW_AUDIT, Permission.EXPORT_AUDIT}
    ),
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.CHANGE_CONFIG,
            Permission.EXPORT_ARCHIVE,
            Permission.IMPORT_ARCHIVE,
            Permission.PURGE_ARCHIVE,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class User:
    """A named login. ``insurer_id`` is set for seconded agents and decides their data scope."""

    id: str
    name: str
    role: Role
    insurer_id: str | None = None
    ccc_user_id: str | None = None  # the call-system user this login maps to
    disabled: bool = False


class AccessDenied(PermissionError):
    def __init__(self, user: User, permission: Permission) -> None:
        self.user_id = user.id
        self.permission = permission
        super().__init__(f"user {user.id} ({user.role}) lacks permission {permission}")


def can(user: User, permission: Permission) -> bool:
    return not user.disabled and permission in ROLE_PERMISSIONS[user.role]


def require(user: User, permission: Permission) -> None:
    if not can(user, permission):
        raise AccessDenied(user, permission)


class Scope(StrEnum):
    FULL = "full"
    ROUTING = "routing"  # enough to route the caller: insurer, numbers, status
    NONE = "none"


def insurer_scope(user: User, insurer_id: str, others: Scope = Scope.ROUTING) -> Scope:
    """How much of one insurer's policies and claims this user sees.

    A seconded agent sees their own insurer in full and of the others only ``others``
    (configurable: routing or none); broker agents and leads see all insurers in full.
    """
    if user.disabled or not can(user, Permission.VIEW_CUSTOMER):
        return Scope.NONE
    if user.role is Role.SECONDED_AGENT and insurer_id != user.insurer_id:
        return others
    return Scope.FULL


def scoped_claim(user: User, claim: Claim, others: Scope = Scope.ROUTING) -> Claim | None:
    """The claim as this user may see it: None when out of scope, details stripped for routing."""
    scope = insurer_scope(user, claim.insurer_id, others)
    if scope is Scope.NONE:
        return None
    if scope is Scope.FULL:
        return claim
    return replace(
        claim,
        amount_claimed=claim.amount_claimed * 0,
        amount_paid=None,
        hospital=None,
        refusal_reason=None,
        case_no=None,
        settlement_no=None,
        accident_date=claim.reported_at.date(),
    )


def scoped_policy(user: User, policy: Policy, others: Scope = Scope.ROUTING) -> Policy | None:
    scope = insurer_scope(user, policy.insurer_id, others)
    if scope is Scope.NONE:
        return None
    if scope is Scope.FULL:
        return policy
    return replace(policy, coverages=())


@dataclass(frozen=True, slots=True)
class LockoutRule:
    attempts: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginState:
    """Failed attempts since the last success, and until when the account is locked."""

    failures: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def after_failure(state: LoginState, now: datetime, rule: LockoutRule) -> LoginState:
    failures = state.failures + 1
    if failures >= rule.attempts:
        return LoginState(failures=0, locked_until=now + rule.lock_for)
    return LoginState(failures=failures, locked_until=state.locked_until)


def after_success() -> LoginState:
    return LoginState()


@dataclass(frozen=True, slots=True)
class Reveal:
    """One unmasked field, shown for a short time after a typed reason."""

    user_id: str
    target_type: str  # member / claim / ...
    target_id: str
    field: str
    reason: str
    until: datetime

    def active(self, now: datetime) -> bool:
        return now < self.until


MIN_REASON_LENGTH = 4


def grant_reveal(
    user: User,
    *,
    target_type: str,
    target_id: str,
    field: str,
    reason: str,
    now: datetime,
    duration: timedelta,
) -> Reveal:
    """Allow one field to be shown unmasked; the caller must write the audit event."""
    require(user, Permission.REVEAL_PERSONAL_DATA)
    cleaned = reason.strip()
    if len(cleaned) < MIN_REASON_LENGTH:
        raise ValueError(
            f"a reason of at least {MIN_REASON_LENGTH} characters is needed to reveal {field}"
        )
    return Reveal(user.id, target_type, target_id, field, cleaned, now + duration)
