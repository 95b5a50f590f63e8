"""One tabular report, three outputs: a rich table for people, CSV and JSON for other tools.

Reports build a ``Report`` of raw values (numbers stay numbers in CSV/JSON) plus which cells
breach their target; only the rich table formats and colours them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

Format = Literal["table", "csv", "json"]
Value = str | int | float | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: Literal["text", "int", "percent", "seconds", "number"] = "text"


@dataclass
class Report:
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Value]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # stated above the table (rule variants…)
    breaches: set[tuple[int, str]] = field(default_factory=set)  # (row index, column key)
    highlights: set[int] = field(default_factory=set)  # whole rows to call out (peaks)
    footer: list[str] = field(default_factory=list)


def _format(value: Value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, int | float):
        return f"{value:.1f}%"
    if kind == "seconds" and isinstance(value, int | float):
        return f"{value:.1f}s"
    if kind == "number" and isinstance(value, int | float):
        return f"{value:.2f}"
    return str(value)


def to_rich_table(report: Report) -> Table:
    table = Table(
        title=report.title, title_justify="left", caption="\n".join(report.footer) or None
    )
    for column in report.columns:
        table.add_column(column.label, justify="left" if column.kind == "text" else "right")
    for index, row in enumerate(report.rows):
        cells: list[Text] = []
        for column in report.columns:
            text = _format(row.get(column.key), column.kind)
            if (index, column.key) in report.breaches:
                # The "!" marks a breach where colour is lost (pipes, files, printouts).
                cells.append(Text(f"{text} !", style="bold red"))
            else:
                cells.append(Text(text))
        table.add_row(*cells, style="bold" if index in report.highlights else None)
    return table


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in report.columns])
    for row in report.rows:
        writer.writerow(["" if row.get(c.key) is None else row.get(c.key) for c in report.columns])
    return buffer.getvalue()


def to_json(report: Report) -> str:
    payload: dict[str, Any] = {
        "title": report.title,
        "notes": report.notes,
        "columns": [c.key for c in report.columns],
        "rows": report.rows,
        "breaches": [{"row": index, "column": key} for index, key in sorted(report.breaches)],
        "highlights": sorted(report.highlights),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def emit(
    report: Report,
    fmt: Format,
    write: Callable[[str], None],
    *,
    width: int = 160,
    color: bool = False,
) -> None:
    """Write ``report`` in ``fmt`` through ``write`` (click.echo in the CLI)."""
    if fmt == "csv":
        write(to_csv(report).rstrip("\n"))
    elif fmt == "json":
        write(to_json(report))
    else:
        console = Console(width=width, record=True, file=io.StringIO(), force_terminal=color)
        for note in report.notes:
            console.print(note)
        console.print(to_rich_table(report))
        write(console.export_text(styles=color).rstrip("\n"))
