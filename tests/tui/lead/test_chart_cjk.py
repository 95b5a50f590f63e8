"""The intraday chart in Chinese (issue 16): plotext counts a Chinese character as one cell, so
a Chinese title or legend drawn inside the plot overflowed it and wrapped its right border. The
title and legend now sit in the border title, laid out by terminal cells."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.cells import cell_len
from textual.app import App, ComposeResult

from cscdesk.tui.i18n import set_language
from cscdesk.tui.lead.chart import IntradayChart
from cscdesk.tui.lead.intraday import IntervalPoint


class _ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield IntradayChart()


async def test_the_chinese_chart_keeps_its_border_and_shows_its_legend() -> None:
    set_language("zh_CN")
    try:
        app = _ChartApp()
        async with app.run_test(size=(60, 16)) as pilot:
            start = datetime(2026, 3, 10, 8, 0)
            points = [IntervalPoint(start + timedelta(minutes=30 * i), 10 + i, 8 + i, 5)
                      for i in range(8)]  # fmt: skip
            app.query_one(IntradayChart).show(points, [(p.start, 12.0) for p in points], 30)
            await pilot.pause(0.3)
            lines = [strip.text for strip in app.screen._compositor.render_strips()]
    finally:
        set_language("en")
    assert all(cell_len(line) == 60 for line in lines)
    assert lines[0].startswith("╭") and lines[0].rstrip().endswith("╮"), lines[0]
    assert all(line.rstrip().endswith("│") for line in lines[1:-1]), "the right border holds"
    for word in ("预测", "每 30 分钟"):
        assert word in lines[0], lines[0]
