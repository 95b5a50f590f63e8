"""Intraday chart: offered vs answered vs forecast per interval (textual-plotext).

plotext counts every character as one cell, so a Chinese title or legend inside the plot ran
past its right edge and wrapped the border (issue 16). The title and the legend live in the
widget's border title instead, which Textual lays out by terminal cells; the plot itself holds
only digits and times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual_plotext import PlotextPlot

from cscdesk.tui.i18n import _
from cscdesk.tui.lead.intraday import IntervalPoint

SERIES = (("forecast", "gray"), ("offered", "orange"), ("answered", "green"))


class IntradayChart(PlotextPlot):
    """Redrawn from the interval history after each poll; cheap (a few dozen points)."""

    DEFAULT_CSS = "IntradayChart { border: round $primary-darken-2; }"

    def show(
        self,
        points: Sequence[IntervalPoint],
        forecast: Sequence[tuple[datetime, float]],
        interval_minutes: int,
    ) -> None:
        plt = self.plt
        plt.clear_figure()
        legend = "  ".join(f"[{color}]━ {_(name)}[/]" for name, color in SERIES)
        title = _("Calls per {minutes} min").format(minutes=interval_minutes)
        self.border_title = f"{title}  {legend}"
        starts = sorted({p.start for p in points} | {start for start, _calls in forecast})
        if not starts:
            self.refresh()
            return
        position = {start: index for index, start in enumerate(starts)}
        if forecast:
            plt.plot(
                [position[s] for s, _calls in forecast],
                [calls for _s, calls in forecast],
                color="gray",
            )
        if points:
            xs = [position[p.start] for p in points]
            plt.plot(xs, [p.offered for p in points], color="orange")
            plt.plot(xs, [p.answered for p in points], color="green")
        step = max(1, len(starts) // 8)
        ticks = [float(i) for i in range(0, len(starts), step)]
        plt.xticks(ticks, [starts[int(i)].strftime("%H:%M") for i in ticks])
        self.refresh()
