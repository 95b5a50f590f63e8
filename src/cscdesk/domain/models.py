"""The service center's entities as plain frozen dataclasses: shared vocabulary, no I/O.

Every layer (store, call system, insurer gateway, sync, desk, reports) speaks these types, so
they carry only what the business means, never how a vendor or a table spells it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class Relation(StrEnum):
    """Relation of an insured person to the main insured employee."""

    SELF = "self"  # 本人
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母


class PolicyStatus(StrEnum):
    ACTIVE = "active"  # 有效
    PENDING = "pending"  # 待生效
    LAPSED = "lapsed"  # 失效
    TERMINATED = "terminated"  # 退保/终止
    EXPIRED = "expired"  # 满期


class ClaimStage(StrEnum):
    """报案 → 受理 → 补材料 → 审核 → 结案 → 支付, plus refusal as a kind of 结案."""

    REPORTED = "reported"  # 报案
    ACCEPTED = "accepted"  # 受理/立案
    DOCUMENTS_REQUESTED = "documents_requested"  # 补材料
    UNDER_REVIEW = "under_review"  # 审核/核定
    SETTLED = "settled"  # 结案 (amount agreed)
    REFUSED = "refused"  # 结案 (拒赔)
    PAID = "paid"  # 支付


class AgentKind(StrEnum):
    BROKER = "broker"  # 经纪客服
    SECONDED = "seconded"  # 保险公司派驻客服


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallOutcome(StrEnum):
    """How a request for an agent ended (人工请求的结果)."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"  # caller hung up while queued or ringing
    TIMEOUT = "timeout"  # queue timeout / overflow without an agent
    IVR_ONLY = "ivr_only"  # never asked for an agent: not an agent request


class TicketType(StrEnum):
    ENQUIRY = "enquiry"  # 咨询
    CLAIM_ASSIST = "claim_assist"  # 理赔协助
    POLICY_CHANGE = "policy_change"  # 保全变更
    COMPLAINT = "complaint"  # 投诉
    FOLLOW_UP = "follow_up"  # 回访
    FEEDBACK = "feedback"  # 建议表扬
    URGENT = "urgent"  # 紧急


class TicketStatus(StrEnum):
    NEW = "new"  # 新建
    OPEN = "open"  # 处理中
    PENDING_CUSTOMER = "pending_customer"  # 待客户
    ESCALATED = "escalated"  # 已转保险公司
    RESOLVED = "resolved"  # 已解决
    CLOSED = "closed"  # 已关闭
    CANCELLED = "cancelled"  # 已撤销


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class SyncState(StrEnum):
    PENDING = "pending"  # local change not yet pushed
    SYNCED = "synced"
    CONFLICT = "conflict"  # remote changed the same field; the agent must choose


class Complexity(StrEnum):
    """Complaint handling tier: 15 days, 30 for complex, +30 with approval."""

    NORMAL = "normal"
    COMPLEX = "complex"
    EXTENDED = "extended"


@dataclass(frozen=True, slots=True)
class Employer:
    """投保单位: a group company or one of its subsidiaries."""

    id: str
    name: str
    parent_id: str | None = None
    credit_code: str | None = None  # 统一社会信用代码


@dataclass(frozen=True, slots=True)
class Member:
    """An insured person: an employee or a dependant of one."""

    id: str
    name: str
    id_type: IdType
    id_number: str
    birth_date: date
    sex: Sex
    mobile: str | None
    employer_id: str
    employee_no: str | None = None
    relation: Relation = Relation.SELF
    main_member_id: str | None = None  # the employee a dependant belongs to
    plan_tier: str | None = None
    flags: tuple[str, ...] = ()  # e.g. "vip", "sensitive", "complained_before"


@dataclass(frozen=True, slots=True)
class Insurer:
    id: str
    name: str
    short_name: str | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """One liability of a policy (门诊/住院/重疾…) with its money terms."""

    code: str
    name: str
    limit: Decimal
    deductible: Decimal = Decimal("0")
    ratio: Decimal = Decimal("1")  # reimbursement ratio 0..1


@dataclass(frozen=True, slots=True)
class Policy:
    """One insured person's cover under a group policy (团单号 + 分单号)."""

    policy_no: str  # 团单号
    sub_policy_no: str  # 分单号 / insured sequence
    insurer_id: str
    employer_id: str
    member_id: str
    product: str
    start: date
    end: date
    status: PolicyStatus
    coverages: tuple[Coverage, ...] = ()

    @property
    def term_days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """One 补材料 round on a claim: the notice reached the claimant, and (once back) the
    documents came. The decision clock stands still in between (保险法司法解释(二) §15)."""

    requested_at: datetime
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    claim_no: str  # 报案号 (立案号 / 赔案号 may be the same number)
    insurer_id: str
    policy_no: str
    member_id: str
    accident_date: date
    reported_at: datetime
    stage: ClaimStage
    amount_claimed: Decimal
    amount_paid: Decimal | None = None
    hospital: str | None = None
    case_no: str | None = None  # 立案号
    settlement_no: str | None = None  # 赔案号
    refusal_reason: str | None = None
    stage_changed_at: datetime | None = None
    decided_at: datetime | None = None
    paid_at: datetime | None = None
    reopened: bool = False  # 重开案件标志
    # The moments the law counts the insurer's duties from (保险法 §23–25; domain.claim_duties):
    documents_complete_at: datetime | None = None  # 资料齐全: the claim and its documents received
    agreed_at: datetime | None = None  # 达成协议: the amount agreed; the payment clock starts here
    document_requests: tuple[DocumentRequest, ...] = ()  # 补材料 rounds, oldest first


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who takes calls: a broker agent or one seconded by an insurer."""

    id: str
    name: str
    kind: AgentKind
    insurer_id: str | None = None  # set for seconded agents
    skill_groups: tuple[str, ...] = ()


class Routing(StrEnum):
    """How a skill group's calls reach the mixed team."""

    PARALLEL = "parallel"  # broker or seconded agents, whoever is free
    SERIAL = "serial"  # broker agents first; transfer / escalation to the insurer's agents


@dataclass(frozen=True, slots=True)
class SkillGroup:
    id: str
    name: str  # Chinese display name; English in ``name_en``
    name_en: str
    routing: Routing = Routing.PARALLEL
    insurer_id: str | None = None  # set for a partner insurer's own group
    wrap_up_required: bool = False


@dataclass(frozen=True, slots=True)
class Call:
    """One contact (CCC ContactId) as the indicators and the archive need it.

    Times are timezone-aware. ``queued_at`` is when the caller asked for an agent (转人工);
    it is None for calls that never left the IVR and for outbound calls.
    """

    contact_id: str
    direction: CallDirection
    caller: str  # ANI
    callee: str
    started_at: datetime
    outcome: CallOutcome
    skill_group: str | None = None
    agent_id: str | None = None
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    acw_seconds: float = 0.0  # after-call work (wrap-up)
    wrap_up_code: str | None = None
    member_id: str | None = None
    transferred_to: str | None = None
    recorded: bool = False
    satisfaction: int | None = None  # post-call survey 1..5, None when not surveyed
    resolved_first_contact: bool | None = None  # None when unknown

    @property
    def wait_seconds(self) -> float | None:
        """Queue wait until answer or hang-up; None when the call never queued."""
        if self.queued_at is None:
            return None
        end = self.answered_at or self.ended_at
        if end is None:
            return None
        return max(0.0, (end - self.queued_at).total_seconds())

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.hold_seconds + self.acw_seconds


@dataclass(frozen=True, slots=True)
class Recording:
    contact_id: str
    sha256: str
    size: int
    content_type: str
    archived_at: datetime
    keep_until: date
    legal_hold: bool = False


@dataclass(frozen=True, slots=True)
class Ticket:
    """工单. ``version`` counts local edits; ``remote_version`` the last one seen remotely."""

    id: str
    type: TicketType
    status: TicketStatus
    priority: Priority
    title: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    description: str = ""
    owner: str | None = None
    member_id: str | None = None
    contact_id: str | None = None
    policy_no: str | None = None
    claim_no: str | None = None
    insurer_id: str | None = None  # the insurer it was handed to
    complexity: Complexity = Complexity.NORMAL
    due_at: datetime | None = None
    first_response_due_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    csat: int | None = None
    remote_id: str | None = None
    version: int = 1
    remote_version: int | None = None
    sync_state: SyncState = SyncState.PENDING
    number: str | None = None  # GD-20261130-0042, given by the store when first saved
    group_id: str | None = None  # the skill group whose queue it belongs to


# How a ticket's fields are typed, in one place for every encoding of a ticket (store rows,
# the sync context): which fields are moments and which are enums.
TICKET_TIME_FIELDS = frozenset(
    {
        "created_at",
        "updated_at",
        "due_at",
        "first_response_due_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
    }
)
TICKET_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "type": TicketType,
    "status": TicketStatus,
    "priority": Priority,
    "complexity": Complexity,
    "sync_state": SyncState,
}


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One append-only line of a ticket's history."""

    ticket_id: str
    at: datetime
    actor: str
    kind: str  # created / field / status / escalated / note / task / synced / conflict
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    note: str | None = None
