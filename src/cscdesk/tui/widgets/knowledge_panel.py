"""The knowledge panel beside the call: a search box, the matching articles (the caller's first,
marked ★) and the chosen article rendered from Markdown.

Searching runs on the UI thread: the whole folder is in memory and a search over a few hundred
articles takes well under a millisecond (``bench/bench_knowledge.py``), less than a worker's
own overhead. The panel reads the knowledge base and the caller's context it is handed; it
changes nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from cscdesk.knowledge import CallerContext, Entry, Hit, KnowledgeBase, LoadProblem
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import localize

MAX_SHOWN_PROBLEMS = 3


class KnowledgePanel(Vertical):
    DEFAULT_CSS = """
    KnowledgePanel { border-left: solid $primary; padding: 0 0 0 1; }
    KnowledgePanel #kb-title { height: 1; }
    KnowledgePanel #kb-problems { height: auto; max-height: 4; color: $warning; display: none; }
    KnowledgePanel #kb-problems.-shown { display: block; }
    KnowledgePanel #kb-query { height: 3; }
    KnowledgePanel #kb-results { height: 8; min-height: 3; }
    KnowledgePanel #kb-article { height: 1fr; }
    KnowledgePanel #kb-article Markdown { margin: 0; padding: 0 1 0 0; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="knowledge-close")]

    class Closed(Message):
        """The agent left the panel (Escape)."""

    def __init__(self, knowledge: KnowledgeBase, context: CallerContext,
                 pinned: Entry | None = None, *, id: str | None = None) -> None:  # fmt: skip
        super().__init__(id=id)
        localize(self)
        self.knowledge = knowledge
        self.context = context
        self.pinned = pinned  # shown at the next search instead of the first hit
        self.hits: list[Hit] = []
        self.shown: str | None = None  # the path of the entry on show
        self._composed = False

    def compose(self) -> ComposeResult:
        title = Text(_("Knowledge"), "bold")
        title.append("  " + _("F3 puts a canned note or script into a note · Esc closes"), "dim")
        yield Static(title, id="kb-title")
        yield Static("", id="kb-problems")
        yield Input(placeholder=_("Search: 等待期, 材料, 住院, ddq…"), id="kb-query")
        yield OptionList(id="kb-results")
        with VerticalScroll(id="kb-article"):
            yield Markdown("", id="kb-markdown")

    def on_mount(self) -> None:
        self._composed = True
        self.refresh_results()
        self.focus_search()

    @property
    def query_text(self) -> str:
        return self.query_one("#kb-query", Input).value

    def set_context(self, context: CallerContext) -> None:
        self.context = context
        self.refresh_results()

    def focus_search(self) -> None:
        self.query_one("#kb-query", Input).focus()

    def refresh_results(self) -> None:
        """Search again (new words, another caller, or files changed on disk)."""
        if not self._composed:
            return  # on_mount searches
        self._show_problems(self.knowledge.problems)
        results = self.query_one("#kb-results", OptionList)
        if not self.knowledge.configured:
            self.hits = []
            results.set_options(
                [
                    Option(
                        _("No knowledge folder: set [knowledge] folder in the config"),
                        disabled=True,
                    )
                ]
            )
            return
        self.hits = self.knowledge.articles(self.query_text, self.context)
        options = [Option(self._line(hit), id=hit.entry.path) for hit in self.hits]
        if not options:
            options = [Option(_("No article matches"), disabled=True)]
        results.set_options(options)
        pinned, self.pinned = self.pinned, None
        if pinned is not None:
            self.show_entry(pinned)
        elif self.hits:
            results.highlighted = 0
            self.show_entry(self.hits[0].entry)
        else:
            self.show_entry(None)

    def _line(self, hit: Hit) -> Text:
        line = Text("★ " if hit.for_caller else "  ", "bold yellow")
        line.append(hit.entry.title)
        return line

    def show_entry(self, entry: Entry | None) -> None:
        path = entry.path if entry else None
        if path == self.shown:
            return
        self.shown = path
        markdown = self.query_one("#kb-markdown", Markdown)
        markdown.update(entry.body if entry else "")
        self.query_one("#kb-article", VerticalScroll).scroll_home(animate=False)

    def _show_problems(self, problems: tuple[LoadProblem, ...]) -> None:
        widget = self.query_one("#kb-problems", Static)
        widget.set_class(bool(problems), "-shown")
        if not problems:
            widget.update("")
            return
        lines = [_("{n} files not loaded:").format(n=len(problems))]
        lines += [
            f"• {p.path}: " + _(p.message).format(**dict(p.values))
            for p in problems[:MAX_SHOWN_PROBLEMS]
        ]
        if len(problems) > MAX_SHOWN_PROBLEMS:
            lines.append("…")
        widget.update(Text("\n".join(lines)))

    @on(Input.Changed, "#kb-query")
    def _query_changed(self) -> None:
        self.refresh_results()

    @on(Input.Submitted, "#kb-query")
    def _query_submitted(self) -> None:
        self.query_one("#kb-results", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#kb-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_entry(self.knowledge.entry(event.option.id or ""))

    @on(OptionList.OptionSelected, "#kb-results")
    def _selected(self) -> None:
        self.query_one("#kb-article", VerticalScroll).focus()

    def action_close(self) -> None:
        self.post_message(self.Closed())
