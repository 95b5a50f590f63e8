"""A ``Select`` that may be closed while it is still mounting.

Textual's ``Select`` looks up its own overlay when it mounts and when its value is first set;
if the dialog holding it closes in that moment (the wrap-up dialog dismissed as after-call work
ends, the desk quitting), the overlay is already gone and the lookup raises ``NoMatches`` out of
the message loop: a traceback for the agent instead of a closed dialog.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Select


class SteadySelect(Select[Any]):
    """Same widget; a lookup that finds its parts already removed is ignored."""

    def _setup_options_renderables(self) -> None:
        with contextlib.suppress(NoMatches):  # removed while mounting: nothing to set up
            super()._setup_options_renderables()

    def _init_selected_option(self, hint: Any = Select.NULL) -> None:
        with contextlib.suppress(NoMatches):
            super()._init_selected_option(hint)

    def _watch_value(self, value: Any) -> None:
        with contextlib.suppress(NoMatches):  # removed before the value could be shown
            super()._watch_value(value)
