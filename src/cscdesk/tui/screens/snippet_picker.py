"""Choose a canned note or call script (话术) to insert: the ones for this ticket type and skill
group first (★), narrowed as the agent types, the text shown before it goes in."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cscdesk.knowledge import CallerContext, Entry, Hit, Kind, KnowledgeBase
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize
from cscdesk.tui.screens.dialogs import DIALOG_CSS


class SnippetPicker(ModalScreen[Entry | None]):
    DEFAULT_CSS = (
        "SnippetPicker { align: center middle; }"
        + DIALOG_CSS
        + """
    SnippetPicker .dialog { width: 76; }
    SnippetPicker #snippets { height: auto; max-height: 10; }
    SnippetPicker #snippet-text { height: auto; max-height: 6; color: $text-muted; margin-top: 1; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snippet-cancel"),
        Binding("down", "to_list", show=False, id="snippet-down"),
    ]

    def __init__(self, knowledge: KnowledgeBase, context: CallerContext, *, target: str) -> None:
        super().__init__()
        localize(self)
        self.knowledge = knowledge
        self.context = context
        self.target = target  # where the text will go, said in the title
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Canned notes and scripts") + f" → {self.target}", classes="title")
            yield Input(placeholder=_("Filter: 材料, 投诉, clcl…"), id="snippet-filter")
            yield OptionList(id="snippets")
            yield Static("", id="snippet-text")

    def on_mount(self) -> None:
        self._search("")
        self.query_one("#snippet-filter", Input).focus()

    def _search(self, query: str) -> None:
        self.hits = self.knowledge.snippets(query, self.context)
        options = [Option(self._line(hit), id=hit.entry.path) for hit in self.hits]
        if not options:
            options = [Option(_("Nothing matches"), disabled=True)]
        listing = self.query_one("#snippets", OptionList)
        listing.set_options(options)
        listing.highlighted = 0 if self.hits else None
        self._preview(self.hits[0].entry if self.hits else None)

    def _line(self, hit: Hit) -> Text:
        line = Text("★ " if hit.for_caller else "  ", "bold yellow")
        kind = _("Script") if hit.entry.kind is Kind.SCRIPT else _("Note")
        line.append(f"[{kind}] ", "dim")
        line.append(hit.entry.title)
        return line

    def _preview(self, entry: Entry | None) -> None:
        self.query_one("#snippet-text", Static).update(Text(entry.body if entry else ""))

    @on(Input.Changed, "#snippet-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#snippet-filter")
    def _take_first(self) -> None:
        if self.hits:
            self.dismiss(self.hits[0].entry)

    def action_to_list(self) -> None:
        self.query_one("#snippets", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#snippets")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(self.knowledge.entry(event.option.id or ""))

    @on(OptionList.OptionSelected, "#snippets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.knowledge.entry(event.option.id or ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
