"""One catalog for every visible string of the desk and the wallboard (Simplified Chinese, English).

Every ``.po`` file under ``locale/<lang>/LC_MESSAGES/`` is read with Babel into one dict per
language the first time a language is chosen, so screens owned by different teams (``desk.po``,
``lead.po``) share one lookup. A msgid with no translation falls back to itself (English).
"""

from __future__ import annotations

import locale as _locale
import os
import re
from functools import cache
from pathlib import Path

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
        table.update(read_catalog(po_file.read_text(encoding="utf-8")))
    return table


_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), text[1:-1])


def read_catalog(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file, as Babel's reader gives them (every message with a
    translation; the header, plural forms and obsolete entries left out). The desk reads its
    catalogues at start, before the first frame: this is several times faster than Babel's
    general reader (tests/tui/test_i18n_reader.py holds the two equal)."""
    table: dict[str, str] = {}
    field = ""
    parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}
    plural = False

    def finish() -> None:
        msgid, msgstr = "".join(parts["msgid"]), "".join(parts["msgstr"])
        if msgid and msgstr and not plural:
            table[msgid] = msgstr

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if field in parts:
                parts[field].append(_unquote(line))
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and field.startswith("msgstr"):  # a new message
            finish()
            parts, plural = {"msgid": [], "msgstr": []}, False
        if keyword == "msgid_plural" or keyword.startswith("msgstr["):
            plural = True
        field = keyword
        if keyword in parts:
            parts[keyword].append(_unquote(rest))
    if field:
        finish()
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
