"""Small modal dialogs of the call flow: pick one, sign in to groups, transfer, wrap up.

Each returns its answer through ``dismiss``; Escape cancels with None. Nothing here talks to the
call system: the agent screen acts on the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
)
from textual.widgets.option_list import Option

from cscdesk.tui.format import clock as clock_text
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.widgets.marks import MarkedCheckbox, MarkedRadioButton, MarkedSelectionList
from cscdesk.tui.widgets.steady_select import SteadySelect

DIALOG_CSS = """
.dialog { width: 70; max-width: 95%; height: auto; max-height: 90%; border: thick $primary;
          background: $surface; padding: 1 2; }
.dialog .title { text-style: bold; margin-bottom: 1; }
/* A label as wide as its text puts a widget edge mid-line, and a dropdown list opened over it
   loses the Chinese character that edge cuts (华盈演示 drawn as "  盈演示"): full width. */
.dialog > Label, .dialog > Static { width: 100%; }
.dialog .buttons { height: auto; margin-top: 1; align-horizontal: right; }
.dialog .buttons Button { margin-left: 1; }
.dialog .error { color: $error; }
.dialog .required { color: $warning; text-style: bold; }
.dialog OptionList > .option-list--option-highlighted { text-style: bold reverse; }
SelectOverlay > .option-list--option-highlighted { text-style: bold reverse; }
.keypad { width: 34; }
.wrap-row { height: auto; }
.wrap-row > * { width: 1fr; }
.wrap-row #countdown { text-align: right; }
.keypad-row { height: 3; width: auto; }
.keypad-key { min-width: 7; width: 7; margin: 0 1 0 0; }
"""


T = TypeVar("T")


class _Dialog(ModalScreen[T | None], Generic[T]):
    DEFAULT_CSS = "_Dialog { align: center middle; }" + DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self) -> None:
        super().__init__()
        localize(self)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def buttons(self, ok: str) -> Horizontal:
        return Horizontal(
            Button(_("Cancel"), id="cancel"),
            Button(_(ok), id="ok", variant="primary"),
            classes="buttons",
        )

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


class ChooserDialog(_Dialog[str]):
    """Choose one of several options (break reason, which member is calling...)."""

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield OptionList(*(Option(label, id=key) for key, label in self.options))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SignInDialog(_Dialog[list[str]]):
    """Tick the skill groups to take calls from."""

    def __init__(self, groups: list[tuple[str, str]], selected: set[str]) -> None:
        super().__init__()
        self.groups = groups
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Sign in to skill groups"), classes="title")
            yield MarkedSelectionList(
                *((label, key, key in self.selected) for key, label in self.groups)
            )
            yield Label("", id="error", classes="error")
            yield self.buttons("Sign in to groups")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one("#error", Label).update(_("Choose at least one skill group"))
            return
        self.dismiss(chosen)


@dataclass(frozen=True, slots=True)
class TransferRequest:
    target: str
    target_type: str  # "skillgroup" / "agent"
    attended: bool


class TransferDialog(_Dialog[TransferRequest]):
    """Blind or attended transfer to a skill group (e.g. an insurer's team) or a colleague."""

    def __init__(self, groups: list[tuple[str, str]], agents: list[tuple[str, str]]) -> None:
        super().__init__()
        self.targets = [(f"skillgroup:{k}", _("Group") + f": {v}") for k, v in groups] + [
            (f"agent:{k}", _("Agent") + f": {v}") for k, v in agents
        ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Transfer the call"), classes="title")
            yield Select([(label, key) for key, label in self.targets], prompt=_("Transfer to"))
            with RadioSet(id="mode"):
                yield MarkedRadioButton(_("Blind transfer"), value=True, id="blind")
                yield MarkedRadioButton(_("Attended (consult first)"), id="attended")
            yield Label("", id="error", classes="error")
            yield self.buttons("Transfer")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one(Select).value
        if not isinstance(value, str):
            self.query_one("#error", Label).update(_("Choose where to transfer the call"))
            return
        kind, target = value.split(":", 1)
        attended = self.query_one("#attended", RadioButton).value
        self.dismiss(TransferRequest(target, kind, attended))


KEYPAD_ROWS = ("1 2 3", "4 5 6", "7 8 9", "* 0 #")


class KeypadDialog(_Dialog[str]):
    """The phone's keypad (an IVR asks the caller, or the agent, to press a key): every key
    typed or clicked is sent at once through ``send``; Escape or Enter closes."""

    BINDINGS = [Binding("enter", "cancel", "Close", id="keypad-close")]

    def __init__(self, send: Callable[[str], None]) -> None:
        super().__init__()
        self.send = send
        self.sent = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog keypad"):
            yield Label(_("Keypad: type 0-9, * or #; Escape closes"), classes="title")
            for row in KEYPAD_ROWS:
                with Horizontal(classes="keypad-row"):
                    for key in row.split():
                        yield Button(key, id=f"key-{KEY_IDS[key]}", classes="keypad-key")
            yield Label("", id="sent")

    def press(self, key: str) -> None:
        self.send(key)
        self.sent = (self.sent + key)[-24:]
        self.query_one("#sent", Label).update(_("Keys sent") + f": {self.sent}")

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character in KEY_IDS:
            event.stop()
            self.press(event.character)

    @on(Button.Pressed, ".keypad-key")
    def _clicked(self, event: Button.Pressed) -> None:
        self.press(str(event.button.label))


KEY_IDS = {**{str(d): str(d) for d in range(10)}, "*": "star", "#": "hash"}


@dataclass(frozen=True, slots=True)
class WrapUp:
    code: str | None
    notes: str
    create_ticket: bool
    then_break: str | None = None  # None: Ready for the next call; else stay not ready (a break)


READY_NEXT = "__ready__"


class WrapUpDialog(_Dialog[WrapUp]):
    """After-call work: wrap-up code (required where the skill group says so), notes, and what
    comes next: Ready, or not ready with a break reason. ``deadline`` is when the call system
    ends after-call work by itself; the dialog counts down to it on the desk's ``clock``."""

    def __init__(self, codes: list[tuple[str, str]], required: bool, suggest_ticket: bool, *,
                 breaks: list[tuple[str, str]] | None = None, deadline: datetime | None = None,
                 clock: Callable[[], datetime] | None = None,
                 existing_ticket: str | None = None) -> None:  # fmt: skip
        super().__init__()
        self.codes = codes
        self.required = required
        self.suggest_ticket = suggest_ticket and existing_ticket is None
        self.existing_ticket = existing_ticket  # the number of the call's ticket, if it has one
        self.breaks = breaks or []
        self.deadline = deadline
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with Horizontal(classes="wrap-row"):  # 80×24: everything down to Finish must fit
                yield Label(_("Wrap up the call"), classes="title")
                yield Label("", id="countdown")
            if self.required:
                yield Label("* " + _("A wrap-up code is required for this skill group"),
                            id="required", classes="required")  # fmt: skip
            else:
                yield Label(_("Wrap-up code optional"), id="required")
            prompt = _("Wrap-up code (required)") if self.required else _("Wrap-up code")
            yield SteadySelect(
                [(label, key) for key, label in self.codes], prompt=prompt, id="code"
            )
            yield Input(placeholder=_("Notes"), id="notes")
            if self.existing_ticket is not None:
                yield Label(_("This call has a ticket already:") + f" {self.existing_ticket}",
                            id="existing")  # fmt: skip
            then = [(_("Then: Ready"), READY_NEXT)] + [
                (_("Then: not ready") + f" ({label})", key) for key, label in self.breaks
            ]
            # The dropdown opens over the buttons, which sit right: on the left its Chinese is
            # clear of their edges (on the right 休息 was drawn "  息", as .dialog > Label says).
            with Horizontal(classes="wrap-row"):
                yield SteadySelect(then, value=READY_NEXT, allow_blank=False, id="then")
                yield MarkedCheckbox(_("Open a ticket for this call"), self.suggest_ticket,
                                     id="ticket")  # fmt: skip
            yield Label("", id="error", classes="error")
            yield self.buttons("Finish")

    def on_mount(self) -> None:
        if self.deadline is not None and self.clock is not None:
            self._count_down()
            self.set_interval(1.0, self._count_down)

    def _count_down(self) -> None:
        if self.deadline is None or self.clock is None:
            return
        left = (self.deadline - self.clock()).total_seconds()
        label = self.query_one("#countdown", Label)
        if left > 0:
            label.update(_("After-call work ends in") + f" {clock_text(left)}")
        else:
            label.update(_("After-call work time is up: the call system may end it any moment"))
        label.set_class(left <= 60, "error")

    @on(Input.Submitted, "#notes")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#code", Select).value
        code = value if isinstance(value, str) else None
        if self.required and code is None:
            self.query_one("#error", Label).update(_("This skill group requires a wrap-up code"))
            return
        notes = self.query_one("#notes", Input).value.strip()
        then = self.query_one("#then", Select).value
        then_break = then if isinstance(then, str) and then != READY_NEXT else None
        ticket = self.query_one("#ticket", Checkbox).value
        self.dismiss(WrapUp(code, notes, ticket, then_break))
