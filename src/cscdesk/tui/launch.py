"""Run the Textual desk on services the composition root built; imported lazily by the CLI so
``--version`` never loads Textual. The desk builds nothing itself and never imports ``wiring``."""

from __future__ import annotations

from cscdesk.tui.services import DeskServices


def run_desk(services: DeskServices, *, role: str) -> None:
    from cscdesk.tui.app import DeskApp

    DeskApp(services, role=role).run()
