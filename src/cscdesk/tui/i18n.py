"""One catalog for every visible string of the desk and the wallboard (Simplified Chinese, English).

Every ``.po`` file under ``locale/<lang>/LC_MESSAGES/`` is read with Babel into one dict per
language the first time a language is chosen, so screens owned by different teams (``desk.po``,
``lead.po``) share one lookup. A msgid with no translation falls back to itself (English).
"""

from __future__ import annotations

import locale as _locale
import os
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current = DEFAULT_LANGUAGE


@cache
def catalog(language: str) -> dict[str, str]:
    """All translations of ``language`` from every .po file in its folder (later files win)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    table: dict[str, str] = {}
    if not folder.is_dir():
        return table
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            parsed = read_po(handle, locale=None)
        for message in parsed:
            if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                table[message.id] = message.string
    return table


def resolve_language(configured: str | None) -> str:
    """``zh_CN``/``en`` as given; ``auto`` or None: from LANG/LC_ALL, Chinese unless English."""
    if configured in LANGUAGES:
        return str(configured)
    env = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    if not env:
        env = (_locale.getlocale()[0] or "") if hasattr(_locale, "getlocale") else ""
    if env.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Choose the language for every later ``_()`` call; returns the one chosen."""
    global _current
    _current = resolve_language(language)
    catalog(_current)
    return _current


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    return catalog(_current).get(message, message)
