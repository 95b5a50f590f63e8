"""The desk's missed calls worklist (漏话回拨): take a lost caller, call them back, say how it went.

The list shows the agent's groups' entries and the calls lost in the IVR, oldest first, the
number masked. Claiming is a store-level race that exactly one desk wins; dialling claims first
when the agent has not, reads the number from the call records (the store keeps it masked) and
places the outbound call through the call-center port, as the desk's other callbacks do.
Store work runs in thread workers, the call in an async worker; both answer with a message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from cscdesk.domain.missed_calls import CallbackEntry, CallbackOutcome, CallbackState, MissedStage
from cscdesk.store.missed_calls import MissedCalls, NotYours
from cscdesk.sync.missed_calls import callback_number
from cscdesk.tui.format import clock, local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import ChooserDialog
from cscdesk.tui.services import DeskServices

REFRESH_SECONDS = 5.0
STAGE_LABELS = {
    MissedStage.IVR: "In the IVR",
    MissedStage.QUEUE: "In the queue",
    MissedStage.RING: "While ringing",
    MissedStage.VOICEMAIL: "Voicemail",
}
OUTCOME_LABELS = {
    CallbackOutcome.REACHED: "Reached",
    CallbackOutcome.NO_ANSWER: "No answer, retry later",
    CallbackOutcome.WRONG_NUMBER: "Wrong number",
    CallbackOutcome.OTHER_CHANNEL: "Resolved by another channel",
}
COLUMNS = (("number", "Number"), ("group", "Group"), ("misses", "Misses"),
           ("first", "First missed"), ("waiting", "Waiting"), ("stage", "Lost"),
           ("taken", "Taken by"), ("attempts", "Attempts"))  # fmt: skip


class WorklistLoaded(Message):
    def __init__(self, entries: list[CallbackEntry], error: str | None = None) -> None:
        super().__init__()
        self.entries = entries
        self.error = error


class WorklistDone(Message):
    """A claim, release, dial or close finished: ``error`` says why not, else ``text`` what."""

    def __init__(self, text: str, error: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class MissedCallsScreen(Screen[None]):
    DEFAULT_CSS = """
    MissedCallsScreen #missed-title { height: 1; padding: 0 1; background: $boost; }
    MissedCallsScreen #missed-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_screen", "Back", id="missed-back"),
        Binding("c", "claim", "Claim", id="missed-claim"),
        Binding("d", "dial", "Call back", id="missed-dial"),
        Binding("o", "outcome", "Outcome", id="missed-outcome"),
        Binding("u", "release", "Give back", id="missed-release"),
        Binding("f5", "refresh", "Refresh", id="missed-refresh"),
    ]

    def __init__(self, services: DeskServices, *, groups: list[str] | None,
                 group_name: Callable[[str | None], str], zone: tzinfo,
                 now: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__()
        localize(self)
        self.services = services
        self.worklist = MissedCalls(services.store)
        self.groups = groups
        self.group_name = group_name
        self.zone = zone
        self.now = now
        self.entries: dict[str, CallbackEntry] = {}

    @property
    def agent_id(self) -> str:
        return self.services.user_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Missed calls to call back"), id="missed-title")
            table: DataTable[str] = DataTable(cursor_type="row", id="missed-table")
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#missed-table", DataTable)
        for key, label in COLUMNS:
            table.add_column(_(label), key=key)
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)  # other desks claim and close too

    # --- reading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="missed-load", exit_on_error=False)
    def load(self) -> None:
        try:
            entries = self.worklist.waiting(self.groups)
        except Exception as exc:  # a store failure is one line on the title, never a crash
            self.post_message(WorklistLoaded([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(WorklistLoaded(entries))

    @on(WorklistLoaded)
    def _loaded(self, message: WorklistLoaded) -> None:
        title = self.query_one("#missed-title", Label)
        if message.error:
            title.update(_("Missed calls not readable: {error}").format(error=message.error))
            return
        self.entries = {e.id: e for e in message.entries}
        table = self.query_one("#missed-table", DataTable)
        selected = self._selected()
        table.clear()
        now = self.now()
        for entry in message.entries:
            table.add_row(*self._cells(entry, now), key=entry.id)
        if selected is not None and selected.id in self.entries:
            table.move_cursor(row=table.get_row_index(selected.id))
        waiting = sum(1 for e in message.entries if e.state is CallbackState.OPEN)
        title.update(
            _("Missed calls to call back: {waiting} waiting, {taken} taken").format(
                waiting=waiting, taken=len(message.entries) - waiting
            )
        )

    def _cells(self, entry: CallbackEntry, now: datetime) -> tuple[str, ...]:
        if entry.claimed_by is None:
            taken = "—"
        else:
            taken = _("me") if entry.claimed_by == self.agent_id else entry.claimed_by
        return (
            entry.number_masked,
            self.group_name(entry.skill_group) if entry.skill_group else _("IVR (no group)"),
            str(entry.misses),
            local_time(entry.first_missed_at, self.zone, "%m-%d %H:%M"),
            clock(entry.waiting(now)),
            _(STAGE_LABELS[entry.last_stage]),
            taken,
            str(entry.attempts),
        )

    def _selected(self) -> CallbackEntry | None:
        table = self.query_one("#missed-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.entries.get(str(key))

    def _chosen(self) -> CallbackEntry | None:
        entry = self._selected()
        if entry is None:
            self.notify(_("No missed call selected"), severity="warning")
        return entry

    # --- actions ---------------------------------------------------------------------------
    def action_close_screen(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.load()

    def action_claim(self) -> None:
        if (entry := self._chosen()) is not None:
            self.claim(entry.id)

    def action_release(self) -> None:
        if (entry := self._chosen()) is not None:
            self.release(entry.id)

    def action_dial(self) -> None:
        if (entry := self._chosen()) is not None:
            self.dial(entry)

    def action_outcome(self) -> None:
        entry = self._chosen()
        if entry is None:
            return
        if entry.claimed_by != self.agent_id:
            self.notify(_("Claim the missed call first"), severity="warning")
            return
        options = [(o.value, _(label)) for o, label in OUTCOME_LABELS.items()]

        def chosen(outcome: str | None) -> None:
            if outcome:
                self.close_entry(entry.id, CallbackOutcome(outcome))

        self.app.push_screen(ChooserDialog(_("How did the callback go?"), options), chosen)

    @work(thread=True, group="missed-write", exit_on_error=False)
    def claim(self, entry_id: str) -> None:
        try:
            won = self.worklist.claim(entry_id, self.agent_id, self.now())
        except Exception as exc:
            self.post_message(WorklistDone("", f"{type(exc).__name__}: {exc}"))
            return
        if won:
            self.post_message(WorklistDone(_("Missed call claimed: it is yours to call back")))
        else:
            self.post_message(WorklistDone("", _("Another agent has this missed call already")))

    def release(self, entry_id: str) -> None:
        self.write(lambda: self.worklist.release(entry_id, self.agent_id),
                   _("Missed call given back to the list"))  # fmt: skip

    def close_entry(self, entry_id: str, outcome: CallbackOutcome) -> None:
        done = _("Missed call closed") if outcome.closes else _("Back on the list for a retry")
        self.write(lambda: self.worklist.close(entry_id, self.agent_id, outcome, self.now()), done)

    @work(thread=True, group="missed-write", exit_on_error=False)
    def write(self, change: Callable[[], object], done: str) -> None:
        """One change to an entry this agent holds; the answer comes back as ``WorklistDone``."""
        try:
            change()
        except NotYours:
            self.post_message(WorklistDone("", _("This missed call is not claimed by you")))
            return
        except Exception as exc:  # a store failure is one line, never a crash
            self.post_message(WorklistDone("", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(WorklistDone(done))

    @work(group="missed-dial", exclusive=True, exit_on_error=False)
    async def dial(self, entry: CallbackEntry) -> None:
        services = self.services
        try:
            if entry.claimed_by != self.agent_id:
                won = await asyncio.to_thread(
                    self.worklist.claim, entry.id, self.agent_id, self.now()
                )
                if not won:
                    self.post_message(
                        WorklistDone("", _("Another agent has this missed call already"))
                    )
                    return
            number = await callback_number(services.call_center, entry.last_contact_id)
            await services.call_center.make_call(self.agent_id, services.device_id, number)
            await asyncio.to_thread(self.worklist.dialled, entry.id, self.agent_id, self.now())
        except Exception as exc:  # the call system or the store said no: one line, no traceback
            self.post_message(WorklistDone("", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(
            WorklistDone(_("Calling {number} back").format(number=entry.number_masked))
        )

    @on(WorklistDone)
    def _done(self, message: WorklistDone) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify(message.text)
        self.load()
