"""Insurer scorecard (保险公司服务质量监督): how each partner insurer serves our members.

Per insurer: tickets escalated to it, first response and resolution times against their SLA
clocks (``domain.sla.Deadline``), breaches, its statutory claim duties (保险法 §23–25, counted by
``domain.claim_duties`` as the law counts: from documents complete, paused during 补材料,
payment from the agreement, the insurer's or contract's own terms), complaints per 10,000
members it insures, and its seconded agents' answer rate, AHT and CSAT next to the broker's.

Answer rate here is 人工接通率 of the insurer's own skill groups (calls its seconded agents are
there to take); the broker's figure is the same over the groups no insurer owns. AHT and CSAT
are over the calls each team's agents actually answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from cscdesk.config import HandoffSettings, IndicatorSettings, SlaSettings
from cscdesk.domain import indicators as formulas
from cscdesk.domain.claim_duties import ClaimMilestones, claim_duty_clocks
from cscdesk.domain.handoffs import (
    Handoff,
    ServiceTerms,
    breaches,
    resolution_time,
    response_time,
)
from cscdesk.domain.models import (
    Agent,
    AgentKind,
    Call,
    Claim,
    Insurer,
    SkillGroup,
    Ticket,
    TicketType,
)
from cscdesk.domain.sla import Deadline, SlaPolicy
from cscdesk.reports.output import Column, Report, Value

PER_MEMBERS = 10_000


@dataclass(frozen=True, slots=True)
class TeamFigures:
    answer_rate: float | None  # percent
    aht_seconds: float | None
    csat: float | None  # percent


@dataclass(frozen=True, slots=True)
class InsurerScore:
    insurer_id: str
    name: str
    escalated: int
    first_response_hours: float | None  # mean, over tickets that had one
    first_response_breaches: int
    resolution_hours: float | None  # mean, over resolved tickets
    resolution_breaches: int
    complaints: int
    members: int
    complaints_per_10k: float | None
    seconded: TeamFigures
    claim_clocks: int = 0  # statutory duty clocks that have started
    claim_breaches: int = 0
    claim_starts_unrecorded: int = 0  # clocks run from 报案 for want of a documents date
    requests: RequestFigures | None = None  # service requests handed to it (api or seconded)


@dataclass(frozen=True, slots=True)
class RequestFigures:
    """Service requests to one insurer against its agreed terms (``[handoffs.terms]``)."""

    count: int
    answered: int
    response_hours: float | None  # mean, delivery → taken up
    resolution_hours: float | None  # mean, delivery → answered
    response_breaches: int
    resolution_breaches: int


def service_terms(settings: HandoffSettings) -> Callable[[str], ServiceTerms]:
    """Each insurer's agreed terms for service requests, or the center's default terms."""

    def terms(insurer_id: str) -> ServiceTerms:
        agreed = settings.terms.get(insurer_id, settings.default_terms)
        return ServiceTerms(timedelta(hours=agreed.take_up_hours),
                            timedelta(hours=agreed.answer_hours))  # fmt: skip

    return terms


def request_figures(
    handoffs: Sequence[Handoff], terms: ServiceTerms, now: datetime
) -> RequestFigures:
    responses = [t for h in handoffs if (t := response_time(h)) is not None]
    resolutions = [t for h in handoffs if (t := resolution_time(h)) is not None]
    late = [breaches(h, terms, now) for h in handoffs]
    return RequestFigures(
        count=len(handoffs),
        answered=len(resolutions),
        response_hours=mean(t.total_seconds() / 3600 for t in responses) if responses else None,
        resolution_hours=(
            mean(t.total_seconds() / 3600 for t in resolutions) if resolutions else None
        ),
        response_breaches=sum(r for r, _ in late),
        resolution_breaches=sum(r for _, r in late),
    )


def claim_duty_figures(
    claims: Sequence[Claim], sla: SlaPolicy, now: datetime
) -> tuple[int, int, int]:
    """(started clocks, breached, started from the report for want of a documents date).

    Each claim's stored milestones (documents complete, 补材料 rounds, agreement) are the
    starts; only a claim without them falls back to 报案, and is counted as such."""
    started = breached = unrecorded = 0
    for claim in claims:
        for clock in claim_duty_clocks(claim, sla, now, ClaimMilestones.of(claim)):
            if clock.due_at is None:
                continue
            started += 1
            breached += clock.breached(now)
            unrecorded += not clock.start_recorded
    return started, breached, unrecorded


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


def _team(
    calls: Sequence[Call], answered_by: set[str], indicators: IndicatorSettings
) -> TeamFigures:
    """Answer rate over ``calls`` (the team's queues); AHT/CSAT over what its agents answered."""
    theirs = [c for c in calls if c.agent_id in answered_by]
    return TeamFigures(
        answer_rate=formulas.connect_rate(calls),
        aht_seconds=formulas.average_handle_time(theirs),
        csat=formulas.csat((c.satisfaction for c in theirs), indicators.csat_satisfied_min_score),
    )


def broker_figures(
    calls: Sequence[Call],
    agents: Iterable[Agent],
    groups: Iterable[SkillGroup],
    indicators: IndicatorSettings,
) -> TeamFigures:
    broker_groups = {g.id for g in groups if g.insurer_id is None}
    broker_agents = {a.id for a in agents if a.kind is AgentKind.BROKER}
    in_groups = [c for c in calls if c.skill_group in broker_groups]
    theirs = [c for c in calls if c.agent_id in broker_agents]
    return TeamFigures(
        answer_rate=formulas.connect_rate(in_groups),
        aht_seconds=formulas.average_handle_time(theirs),
        csat=formulas.csat((c.satisfaction for c in theirs), indicators.csat_satisfied_min_score),
    )


def insurer_scores(
    *,
    insurers: Sequence[Insurer],
    tickets: Sequence[Ticket],
    calls: Sequence[Call],
    agents: Sequence[Agent],
    groups: Sequence[SkillGroup],
    members_by_insurer: Mapping[str, int],
    indicators: IndicatorSettings,
    now: datetime,
    claims: Sequence[Claim] = (),
    sla: SlaPolicy | None = None,
    handoffs: Sequence[Handoff] = (),
    terms: Callable[[str], ServiceTerms] | None = None,
) -> list[InsurerScore]:
    policy = sla or SlaPolicy()
    scores = []
    for insurer in insurers:
        clocks, claim_breaches, unrecorded = claim_duty_figures(
            [c for c in claims if c.insurer_id == insurer.id], policy, now
        )
        escalated = [t for t in tickets if t.insurer_id == insurer.id]
        responded = [t for t in escalated if t.first_response_at is not None]
        resolved = [t for t in escalated if t.resolved_at is not None]
        first_breaches = sum(
            1
            for t in escalated
            if t.first_response_due_at is not None
            and Deadline("first_response", t.first_response_due_at, t.first_response_at).breached(
                now
            )
        )
        resolution_breaches = sum(
            1
            for t in escalated
            if t.due_at is not None
            and Deadline("resolution", t.due_at, t.resolved_at).breached(now)
        )
        complaints = sum(1 for t in escalated if t.type is TicketType.COMPLAINT)
        members = members_by_insurer.get(insurer.id, 0)
        own_groups = {g.id for g in groups if g.insurer_id == insurer.id}
        own_agents = {
            a.id for a in agents if a.kind is AgentKind.SECONDED and a.insurer_id == insurer.id
        }
        scores.append(
            InsurerScore(
                insurer_id=insurer.id,
                name=insurer.short_name or insurer.name,
                escalated=len(escalated),
                first_response_hours=(
                    mean(
                        _hours(t.created_at, t.first_response_at)
                        for t in responded
                        if t.first_response_at
                    )
                    if responded
                    else None
                ),
                first_response_breaches=first_breaches,
                resolution_hours=(
                    mean(_hours(t.created_at, t.resolved_at) for t in resolved if t.resolved_at)
                    if resolved
                    else None
                ),
                resolution_breaches=resolution_breaches,
                complaints=complaints,
                members=members,
                complaints_per_10k=complaints / members * PER_MEMBERS if members else None,
                seconded=_team(
                    [c for c in calls if c.skill_group in own_groups], own_agents, indicators
                ),
                claim_clocks=clocks,
                claim_breaches=claim_breaches,
                claim_starts_unrecorded=unrecorded,
                requests=(
                    request_figures(mine, terms(insurer.id), now)
                    if terms is not None
                    and (mine := [h for h in handoffs if h.insurer_id == insurer.id])
                    else None
                ),
            )
        )
    return scores


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


REQUEST_COLUMNS = [
    Column("requests", "service requests", "int"),
    Column("requests_answered", "requests answered", "int"),
    Column("request_response_hours", "request taken up h (mean)", "number"),
    Column("request_response_breaches", "request take-up breaches", "int"),
    Column("request_resolution_hours", "request answered h (mean)", "number"),
    Column("request_resolution_breaches", "request answer breaches", "int"),
]


def _request_row(figures: RequestFigures | None) -> dict[str, Value]:
    if figures is None:
        return {column.key: None for column in REQUEST_COLUMNS}
    return {
        "requests": figures.count,
        "requests_answered": figures.answered,
        "request_response_hours": _round(figures.response_hours),
        "request_response_breaches": figures.response_breaches,
        "request_resolution_hours": _round(figures.resolution_hours),
        "request_resolution_breaches": figures.resolution_breaches,
    }


def scorecard_report(
    scores: Sequence[InsurerScore],
    broker: TeamFigures,
    sla: SlaSettings,
    indicators: IndicatorSettings,
    *,
    start: datetime,
    end: datetime,
) -> Report:
    columns = [
        Column("insurer", "insurer"),
        Column("escalated", "tickets escalated", "int"),
        Column("first_response_hours", "first response h (mean)", "number"),
        Column("first_response_breaches", "first response breaches", "int"),
        Column("resolution_hours", "resolution h (mean)", "number"),
        Column("resolution_breaches", "resolution breaches", "int"),
        Column("complaints", "complaints", "int"),
        Column("members", "members", "int"),
        Column("complaints_per_10k", "complaints / 10,000 members", "number"),
        Column("answer_rate", "seconded answer rate", "percent"),
        Column("broker_answer_rate", "broker answer rate", "percent"),
        Column("aht_seconds", "seconded AHT", "seconds"),
        Column("broker_aht_seconds", "broker AHT", "seconds"),
        Column("csat", "seconded CSAT", "percent"),
        Column("broker_csat", "broker CSAT", "percent"),
    ]
    if any(score.claim_clocks for score in scores):  # only when the archive holds claims
        columns.insert(6, Column("claim_breaches", "claim duty breaches", "int"))
    with_requests = any(score.requests for score in scores)
    if with_requests:  # only when requests were handed to insurers in the period
        at = columns.index(next(c for c in columns if c.key == "complaints"))
        columns[at:at] = REQUEST_COLUMNS
    report = Report(
        title=f"Insurer scorecard, {start:%Y-%m-%d} – {end:%Y-%m-%d}",
        columns=columns,
        notes=[
            f"First response SLA {sla.first_response_hours:g} h; resolution against each ticket's"
            " own due time (complaints 15/30/+30 days, per-type hours otherwise).",
            "Claim duties (保险法 §23–25) of claims reported in the period: decision 30 and"
            " advance payment 60 days from claim + documents (paused during 补材料), payment 10"
            " days from the agreement, refusal notice 3 days; calendar days, a last day off"
            " moves to the next working day (民法典 §203); per-insurer/contract terms from the"
            " sla settings.",
            "Answer rate = 人工接通率 of the insurer's own skill groups; broker = groups no insurer"
            " owns. AHT and CSAT over calls each team's agents answered.",
        ],
    )
    from_report = sum(s.claim_starts_unrecorded for s in scores)
    if from_report:
        report.notes.append(
            f"{from_report} of {sum(s.claim_clocks for s in scores)} claim clocks start at the"
            " report (报案): no documents-complete date is recorded, so they may run early."
        )
    for index, score in enumerate(scores):
        report.rows.append(
            {
                "insurer": score.name,
                "escalated": score.escalated,
                "first_response_hours": _round(score.first_response_hours),
                "first_response_breaches": score.first_response_breaches,
                "resolution_hours": _round(score.resolution_hours),
                "resolution_breaches": score.resolution_breaches,
                "claim_breaches": score.claim_breaches,
                "complaints": score.complaints,
                "members": score.members,
                "complaints_per_10k": _round(score.complaints_per_10k),
                "answer_rate": _round(score.seconded.answer_rate),
                "broker_answer_rate": _round(broker.answer_rate),
                "aht_seconds": _round(score.seconded.aht_seconds, 1),
                "broker_aht_seconds": _round(broker.aht_seconds, 1),
                "csat": _round(score.seconded.csat),
                "broker_csat": _round(broker.csat),
            }
        )
        if with_requests:
            report.rows[-1].update(_request_row(score.requests))
            for key in ("request_response_breaches", "request_resolution_breaches"):
                if report.rows[-1][key]:
                    report.breaches.add((index, key))
        if score.first_response_breaches:
            report.breaches.add((index, "first_response_breaches"))
        if score.resolution_breaches:
            report.breaches.add((index, "resolution_breaches"))
        if score.claim_breaches:
            report.breaches.add((index, "claim_breaches"))
        rate = score.seconded.answer_rate
        if rate is not None and rate < indicators.connect_rate_target:
            report.breaches.add((index, "answer_rate"))
        aht = score.seconded.aht_seconds
        if aht is not None and aht > indicators.aht_max_seconds:
            report.breaches.add((index, "aht_seconds"))
        if score.seconded.csat is not None and score.seconded.csat < indicators.csat_target:
            report.breaches.add((index, "csat"))
    report.footer.append("! marks a breach of an SLA clock or a figure below its target.")
    return report
