"""A DataTable that is refreshed in place: only cells whose text changed are touched.

Rebuilding a wallboard table every poll loses the cursor and scroll position and repaints every
cell; here each row keeps its key, new rows are appended, gone rows removed, and changed cells go
through ``update_cell`` (measured against rebuilding in bench/bench_wallboard.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text


class LiveTable(DataTable[Cell]):
    """DataTable with ``sync(rows)``: the in-place update every wallboard table uses."""

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}

    def on_mount(self) -> None:
        for key, label in self._column_spec:
            self.add_column(label, key=key)

    def relabel(self, labels: Mapping[str, str]) -> None:
        """Change column headers (language switch) without touching rows."""
        for column in self.columns.values():
            if column.key.value in labels:
                column.label = Text(labels[str(column.key.value)])
        self.refresh()

    def sync(self, rows: Mapping[str, Sequence[Cell]]) -> int:
        """Make the table show ``rows`` (key → cells in column order); returns cells written."""
        written = 0
        for gone in [key for key in self._shown if key not in rows]:
            self.remove_row(gone)
            del self._shown[gone]
        keys = [key for key, _ in self._column_spec]
        for row_key, cells in rows.items():
            cells = tuple(cells)
            before = self._shown.get(row_key)
            if before is None:
                self.add_row(*cells, key=row_key)
                written += len(cells)
            elif before != cells:
                for column_key, old, new in zip(keys, before, cells, strict=True):
                    if old != new:
                        self.update_cell(row_key, column_key, new)
                        written += 1
            self._shown[row_key] = cells
        return written

    def rebuild(self, rows: Mapping[str, Sequence[Cell]]) -> None:
        """The naive alternative (clear and re-add), kept for the benchmark's baseline."""
        self.clear()
        self._shown = {}
        for row_key, cells in rows.items():
            self.add_row(*cells, key=row_key)
            self._shown[row_key] = tuple(cells)

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # cursor outside the table after rows vanished
            return None
        return None if row_key.value is None else str(row_key.value)
