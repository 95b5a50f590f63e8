"""What the wallboard reads once: roster and names (the center directory), today's plan; audit.

Runs in a worker thread (SQLite stays off the event loop). Names come from the services'
``CenterDirectory``, which wiring loads from the deployment; only the embedded demo fills it with
its fictional center, so a real wallboard never shows a demo agent or insurer.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cscdesk.domain.models import Agent
from cscdesk.reports.staffing import (
    StaffingPlan,
    forecast_from_history,
    plan_staffing,
    read_forecast,
)
from cscdesk.tui.i18n import current_language
from cscdesk.tui.lead.recorder import SnapshotRecorder
from cscdesk.tui.services import DeskServices

HISTORY_DAYS = 28
# Snapshots older than this are dropped when a wallboard opens: five weeks covers the staffing
# forecast's four and a week of replay, and bounds a table that grows by one row per poll.
SNAPSHOT_KEEP_DAYS = 35
DEFAULT_AHT_SECONDS = 300.0  # used only when a forecast file gives no AHT column


def roster(services: DeskServices) -> dict[str, Agent]:
    return {a.id: a for a in services.directory.agents}


def group_names(services: DeskServices) -> dict[str, str]:
    english = current_language() == "en"
    return {g.id: (g.name_en if english else g.name) for g in services.directory.skill_groups}


def insurer_names(services: DeskServices) -> dict[str, str]:
    return {i.id: services.directory.insurer_name(i.id) for i in services.directory.insurers}


def snapshot_repository(store: Any) -> SnapshotRecorder | None:
    """The recorder over the desk's store; None only when the desk runs without one."""
    if store is None:
        return None
    from cscdesk.store.wallboard import WallboardSnapshots

    return SnapshotRecorder(WallboardSnapshots(store))


def todays_plan(services: DeskServices, now: datetime) -> StaffingPlan | None:
    """From the configured forecast file, else from the last four weeks in the archive."""
    settings = services.settings
    tz = ZoneInfo(settings.indicators.default.timezone)
    today = now.astimezone(tz).date()
    forecast_file = settings.staffing.forecast_file
    if forecast_file is not None:
        forecast = read_forecast(
            forecast_file, default_aht_seconds=DEFAULT_AHT_SECONDS, day=today, tz=tz
        )
    else:
        if services.store is None:
            return None
        midnight = datetime.combine(today, time(0, 0), tzinfo=tz)
        history = services.store.calls.between(midnight - timedelta(days=HISTORY_DAYS), midnight)
        forecast = forecast_from_history(
            history, day=today, interval_minutes=settings.staffing.interval_minutes, tz=tz
        )
    if not forecast:
        return None
    return plan_staffing(forecast, settings.staffing, settings.indicators.default)


def audit_lead_action(services: DeskServices, kind: str, agent_id: str, *, ok: bool) -> None:
    """Monitor / coach / barge in / reset are supervisory acts: each attempt is audited."""
    if services.store is None:
        return
    services.store.audit.append(
        actor=services.user_id,
        action=f"lead.{kind}",
        target_type="agent",
        target_id=agent_id,
        success=ok,
    )
