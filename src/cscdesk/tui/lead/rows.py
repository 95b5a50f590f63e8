"""Cells of the wallboard tables: text and colour for one queue or one agent.

Pure functions of a snapshot row, so the in-place update can compare cells by value and the
same formatting serves the screen, the replay and the benchmark.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache

from rich.text import Text

from cscdesk.sync.wallboard import AgentRow, QueueRow
from cscdesk.tui.i18n import _, current_language
from cscdesk.tui.lead import supervision
from cscdesk.tui.lead.alerts import Alert, Severity

SEVERITY_STYLE = {
    Severity.OK: "",
    Severity.WARNING: "bold black on yellow",
    Severity.CRITICAL: "bold white on red",
}

QUEUE_COLUMNS = (
    "group",
    "waiting",
    "longest_wait",
    "service_level",
    "abandon_rate",
    "asa",
    "ready",
    "talking",
    "working",
    "on_break",
)
AGENT_COLUMNS = ("name", "team", "state", "in_state", "calls", "aht")

# Which queue column shows which alert metric.
ALERT_COLUMN = {
    "waiting_calls": "waiting",
    "longest_wait_seconds": "longest_wait",
    "service_level_percent": "service_level",
    "abandon_rate_percent": "abandon_rate",
}


def queue_headers() -> dict[str, str]:
    return {
        "group": _("Skill group"),
        "waiting": _("Waiting"),
        "longest_wait": _("Longest wait"),
        "service_level": _("SL today"),
        "abandon_rate": _("Abandon"),
        "asa": _("ASA"),
        "ready": _("Ready"),
        "talking": _("Talking"),
        "working": _("ACW"),
        "on_break": _("Break"),
    }


def agent_headers() -> dict[str, str]:
    return {
        "name": _("Agent"),
        "team": _("Broker / seconded"),
        "state": _("State"),
        "in_state": _("Time in state"),
        "calls": _("Calls today"),
        "aht": _("AHT"),
    }


def status_label(status: str) -> str:
    return _status_labels(current_language()).get(status, status)


@cache
def _status_labels(language: str) -> dict[str, str]:
    """The state names in ``language``, looked up once: every poll labels 500 agents."""
    return {
        "offline": _("Offline"),
        "ready": _("Ready"),
        "break": _("Break"),
        "ringing": _("Ringing"),
        "talking": _("Talking"),
        "holding": _("Holding"),
        "working": _("ACW"),
        "outbound": _("Outbound"),
        "unknown": _("Unknown state"),
    }


def duration(seconds: float | None) -> str:
    """m:ss below an hour, h:mm:ss above; an em dash when there is nothing to show."""
    if seconds is None:
        return "—"
    return _clock(max(0, round(seconds)))


@lru_cache(maxsize=4096)
def _clock(whole: int) -> str:
    """Kept per whole second: every poll writes 500 times in state, the same values recur poll after poll."""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _styled(text: str, severity: Severity) -> Text | str:
    style = SEVERITY_STYLE[severity]
    return _alert_text(text, style) if style else text


@lru_cache(maxsize=4096)
def _alert_text(text: str, style: str) -> Text:
    """One Text per text and colour, shared by every poll that shows it (never changed after):
    the table then finds an unchanged alert cell by identity, and a poll builds no new Text."""
    return Text(text, style=style)


def queue_cells(
    row: QueueRow,
    figures: Mapping[str, float | None],
    alerts: Mapping[tuple[str, str], Alert],
    display_name: str,
) -> tuple[Text | str, ...]:
    severity = {
        column: alerts[(row.group_id, metric)].severity
        for metric, column in ALERT_COLUMN.items()
        if (row.group_id, metric) in alerts
    }

    def cell(column: str, text: str) -> Text | str:
        return _styled(text, severity.get(column, Severity.OK))

    worst = max(severity.values(), default=Severity.OK)
    return (
        _styled(display_name, worst),
        cell("waiting", str(row.waiting)),
        cell("longest_wait", duration(row.longest_wait_seconds)),
        cell("service_level", percent(figures.get("service_level_percent"))),
        cell("abandon_rate", percent(figures.get("abandon_rate_percent"))),
        duration(figures.get("asa_seconds")),
        str(row.ready),
        str(row.talking),
        str(row.working),
        str(row.on_break),
    )


def team_label(row: AgentRow, insurer_names: Mapping[str, str]) -> str:
    if row.kind == "seconded":
        insurer = insurer_names.get(row.insurer_id or "", row.insurer_id or "?")
        return _seconded_label(current_language(), insurer)
    return _broker_label(current_language())


@cache
def _broker_label(language: str) -> str:
    return _("Broker")


@cache
def _seconded_label(language: str, insurer: str) -> str:
    return _("Seconded · {insurer}").format(insurer=insurer)


def agent_cells(row: AgentRow, now: datetime, insurer_names: Mapping[str, str],
                me: str = "") -> tuple[str, ...]:  # fmt: skip
    return AgentCells(now, insurer_names, me)(row)


class AgentCells:
    """``agent_cells`` for every agent of one poll: what the rows share (the language's labels,
    the time of the poll) is looked up once, not once per agent (a poll formats 500)."""

    def __init__(self, now: datetime, insurer_names: Mapping[str, str], me: str = "") -> None:
        language = current_language()
        self._now, self._me, self._insurer_names = now, me, insurer_names
        self._language = language
        self._labels = _status_labels(language)
        self._broker = _broker_label(language)
        self._seconded: dict[str | None, str] = {}  # insurer id → its team label

    def __call__(self, row: AgentRow) -> tuple[str, ...]:
        since, calls = row.state_since, row.calls_today
        status = row.status
        return (
            row.name,
            self._team(row.insurer_id) if row.kind == "seconded" else self._broker,
            self._labels.get(status, status)
            + (supervision.mark(row, self._me) if row.supervision else ""),
            # duration(), inline: the time in state and the AHT
            _clock(max(0, round((self._now - since).total_seconds()))) if since else "—",
            str(calls),
            _clock(max(0, round(row.handle_seconds_today / calls))) if calls else "—",
        )

    def _team(self, insurer_id: str | None) -> str:
        label = self._seconded.get(insurer_id)
        if label is None:
            insurer = self._insurer_names.get(insurer_id or "", insurer_id or "?")
            label = self._seconded[insurer_id] = _seconded_label(self._language, insurer)
        return label


def agent_matches(cells: tuple[str, ...], needle: str) -> bool:
    """The filter box matches any of name, team (insurer) or state, case-insensitively."""
    if not needle:
        return True
    lowered = needle.casefold()
    return any(lowered in cell.casefold() for cell in cells[:3])


def sort_value(cell: object) -> tuple[int, float | str]:
    """Order cells as a person expects: durations and counts by number, text by text."""
    text = cell.plain if isinstance(cell, Text) else str(cell)
    if text in ("—", ""):
        return (0, -1.0)
    parts = text.rstrip("%").split(":")
    try:
        value = 0.0
        for part in parts:
            value = value * 60 + float(part)
        return (0, value)
    except ValueError:
        return (1, text)
