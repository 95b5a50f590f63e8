"""Every screen snapshot the suite keeps (SVG) shows personal numbers only masked."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from stdnum.cn import ric

TESTS = Path(__file__).parents[1]
SNAPSHOTS = sorted(TESTS.rglob("*.svg"))
MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:\d{8}|[ -]\d{4}[ -]\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dX])\d{17}[\dX](?![\dX])")


def visible_text(svg: str) -> str:
    """The characters a person sees: tag contents only, entities decoded, spans joined."""
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


def personal_numbers(text: str) -> list[str]:
    found = MOBILE.findall(text)
    found += [n for n in ID_NUMBER.findall(text) if ric.is_valid(n)]
    return found


def test_the_detector_finds_full_numbers_and_ignores_masked_ones() -> None:
    svg = '<text class="r1">138&#160;1234&#160;5678</text><text>│13912345678│</text>'
    assert personal_numbers(visible_text(svg)) == ["138 1234 5678", "13912345678"]
    assert personal_numbers("138****5678 110105********002X 11010519491231002X") == [
        "11010519491231002X"
    ]


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=[str(p.relative_to(TESTS)) for p in SNAPSHOTS])
def test_snapshot_shows_no_full_mobile_or_id_number(snapshot: Path) -> None:
    assert personal_numbers(visible_text(snapshot.read_text(encoding="utf-8"))) == []
