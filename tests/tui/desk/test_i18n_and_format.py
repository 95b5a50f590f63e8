"""The catalog and the text helpers, without a terminal."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from babel.messages.pofile import read_po
from rich.cells import cell_len

from cscdesk.domain.sla import Urgency
from cscdesk.tui import i18n
from cscdesk.tui.format import countdown, fit, sla_urgency
from cscdesk.tui.keys import AGENT_BINDINGS

SRC = Path(i18n.__file__).parent
NOW = datetime(2026, 3, 10, 10, 0).astimezone()


def _msgids_in_source() -> set[str]:
    """Every ``_("...")`` literal of the terminal screens (desk, lead, sign-in, reveal), and the
    values of ``*_LABELS`` tables, which reach ``_()`` through a variable (``_(label)``)."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', text))
        for table in re.findall(r"^[A-Z_]*LABELS\s*=\s*\{(.*?)^\}", text, re.S | re.M):
            found |= set(re.findall(r':\s*"((?:[^"\\]|\\.)*)"', table))
    return found


def _msgids_in_po_files(language: str) -> set[str]:
    """The entries of every .po file of ``language`` (an English one may leave msgstr empty)."""
    ids: set[str] = set()
    for po_file in (SRC / "locale" / language / "LC_MESSAGES").glob("*.po"):
        with po_file.open("rb") as handle:
            ids |= {str(message.id) for message in read_po(handle) if message.id}
    return ids


def test_every_desk_string_has_a_chinese_translation() -> None:
    chinese = i18n.catalog("zh_CN")
    used = _msgids_in_source()
    assert "Sent" in used, "the hand-off states (STATE_LABELS) are read"
    missing = sorted(m for m in used if m not in chinese)
    assert not missing, f"untranslated: {missing}"


def test_every_desk_string_has_an_english_entry() -> None:
    """The en catalogue lists every message too (translators start from it)."""
    english = _msgids_in_po_files("en")
    missing = sorted(m for m in _msgids_in_source() if m not in english)
    assert not missing, f"no entry in locale/en: {missing}"


def test_the_catalog_merges_every_po_file_of_a_language() -> None:
    files = sorted(p.stem for p in (SRC / "locale" / "zh_CN" / "LC_MESSAGES").glob("*.po"))
    assert "desk" in files and len(files) >= 2  # the wallboard and security strings share it
    i18n.set_language("zh_CN")
    try:
        assert i18n._("Ready — waiting for a call") == "示闲 — 等待来电"
        assert i18n._("a string nobody translated") == "a string nobody translated"
    finally:
        i18n.set_language("en")
    assert i18n._("Ready — waiting for a call") == "Ready — waiting for a call"


def test_auto_language_follows_the_locale(monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("LANG", "en_GB.UTF-8")
        mp.delenv("LC_ALL", raising=False)
        mp.delenv("LC_MESSAGES", raising=False)
        assert i18n.resolve_language("auto") == "en"
        mp.setenv("LANG", "zh_CN.UTF-8")
        assert i18n.resolve_language("auto") == "zh_CN"
        assert i18n.resolve_language("en") == "en"
    finally:
        mp.undo()


def test_chinese_text_is_padded_by_terminal_cells() -> None:
    assert cell_len(fit("团险理赔", 10)) == 10
    assert cell_len(fit("Group claims", 10)) == 10
    assert fit("团险理赔", 10) == "团险理赔  "


def test_sla_countdown_and_urgency() -> None:
    created = NOW - timedelta(hours=40)
    due = NOW + timedelta(hours=8)
    assert countdown(due, NOW) == "8h 00m"
    assert countdown(NOW + timedelta(days=2, hours=3), NOW) == "2d 03h"
    assert countdown(NOW - timedelta(minutes=90), NOW) == "-1h 30m"
    assert sla_urgency(created, due, NOW) is Urgency.WARNING
    assert sla_urgency(created, NOW - timedelta(minutes=1), NOW) is Urgency.BREACHED
    assert sla_urgency(NOW - timedelta(hours=1), due, NOW) is Urgency.OK


def test_every_binding_has_a_unique_id() -> None:
    ids = [b.id for b in AGENT_BINDINGS]  # type: ignore[union-attr]
    assert all(ids) and len(ids) == len(set(ids))


def test_every_key_of_the_desk_and_the_app_has_a_chinese_name() -> None:
    """The help screen lists the app's keys too (quit, lock, reveal, the command palette):
    none of them may show in English in the Chinese desk (issue 16: "V Show ID number")."""
    from textual.app import App

    from cscdesk.tui.app import DeskApp

    chinese = i18n.catalog("zh_CN")
    palette = App.COMMAND_PALETTE_BINDING and "palette"  # the label Textual gives ctrl+p
    labels = {b.description for b in (*AGENT_BINDINGS, *DeskApp.BINDINGS)} | {palette}  # type: ignore[union-attr]
    missing = sorted(label for label in labels if label and label not in chinese)
    assert not missing, missing
