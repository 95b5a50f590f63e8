"""The desk's own .po reader (read at start, before the first frame) gives exactly what Babel's
reader gives, for every catalogue shipped and for the .po shapes Babel writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cscdesk.tui.i18n import LOCALE_DIR, read_catalog

SHAPES = r"""# a translator's comment
#, fuzzy
msgid ""
msgstr ""
"Language: zh_CN\n"

msgid "Plain"
msgstr "普通"

#: src/cscdesk/tui/app.py:12
msgid ""
"A long message "
"over two lines with \"quotes\" and a\ttab"
msgstr ""
"一条很长的消息"
"，两行"

msgid "Untranslated"
msgstr ""

msgctxt "menu"
msgid "Open"
msgstr "打开"

msgid "{n} call"
msgid_plural "{n} calls"
msgstr[0] "{n} 个来电"

#~ msgid "Gone"
#~ msgstr "已删除"

msgid "Last\\one"
msgstr "最后\\一个"
"""


def babel(text: str) -> dict[str, str]:
    return {m.id: m.string for m in read_po(io.BytesIO(text.encode("utf-8")), locale=None)
            if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string}  # fmt: skip


@pytest.mark.parametrize(
    "path", sorted(LOCALE_DIR.rglob("*.po")), ids=lambda p: p.parent.parent.name + "/" + p.name
)
def test_every_shipped_catalogue_reads_as_babel_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read_catalog(text) == babel(text)


def test_the_po_shapes_babel_writes() -> None:
    mine = read_catalog(SHAPES)
    assert mine == babel(SHAPES)
    assert mine["Plain"] == "普通" and 'with "quotes" and a\ttab' in "".join(mine)
    assert "Untranslated" not in mine and "Gone" not in mine and "{n} call" not in mine
