"""Progress of a long import, shown as a bar on stderr when a person is watching a terminal.

A 200,000-row roster takes most of a minute; without a bar it looks hung. Importers report
``(stage, done, total)`` to a callback; stdout stays the report alone (scripts parse it), and
nothing is drawn when stderr is not a terminal (CI logs, cron, tests).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

Progress = Callable[[str, int, "int | None"], None]
AUTO: Literal["auto"] = "auto"


def _silent(stage: str, done: int, total: int | None) -> None:
    return None


@contextmanager
def reporting(progress: Progress | Literal["auto"] | None) -> Iterator[Progress]:
    """The callback to report to: the caller's, a rich bar on an interactive stderr for
    ``"auto"``, or one that does nothing."""
    if progress is None or (progress == AUTO and not sys.stderr.isatty()):
        yield _silent
        return
    if progress != AUTO:
        assert callable(progress)
        yield progress
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def show(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield show
