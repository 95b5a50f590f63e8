"""Start the Textual desk; imported lazily by the CLI so ``--version`` never loads Textual."""

from __future__ import annotations

import sys
from typing import Any


def run_desk(settings: Any, paths: Any, *, role: str, lang: str | None) -> None:
    """Build the services (wiring.py), run the app, and stop everything on the way out."""
    from cscdesk.tui.app import DeskApp
    from cscdesk.tui.i18n import resolve_language
    from cscdesk.wiring import WiringError, build_services, close_services

    language = resolve_language(lang if lang and lang != "auto" else settings.desk.language)
    try:
        services = build_services(settings, paths, language=language, role=role)
    except WiringError as exc:
        print(f"cscdesk: {exc}", file=sys.stderr)
        sys.exit(2)
    try:
        DeskApp(services, role=role).run()
    finally:
        close_services(services)
