"""Start the Textual desk; imported lazily by the CLI so ``--version`` never loads Textual."""

from __future__ import annotations

from typing import Any


def run_desk(settings: Any, paths: Any, *, role: str, lang: str | None) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class PlaceholderDesk(App[None]):
        TITLE = "cscdesk"
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(f"cscdesk — {role} desk (data: {paths.data_dir})")
            yield Footer()

    PlaceholderDesk().run()
