"""Run the Textual desk on services the composition root built; imported lazily by the CLI so
``--version`` never loads Textual. The desk builds nothing itself and never imports ``wiring``:
the CLI hands it the builder, which runs after the first frame (``DeskStart``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.config import Settings
    from cscdesk.tui.services import DeskServices


def run_desk(settings: Settings, *, language: str, role: str,
             build: Callable[[], DeskServices]) -> tuple[DeskServices | None, str | None]:  # fmt: skip
    """Open the desk at once and build its services behind the first frame; returns the
    services it built (for the caller to close) and the builder's refusal, if any."""
    from cscdesk.tui.app import DeskApp, DeskStart

    app = DeskApp(DeskStart(settings, language, build), role=role)
    app.run()
    return getattr(app, "services", None), app.start_error
