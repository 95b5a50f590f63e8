"""A DataTable that is refreshed in place: only cells whose text changed are touched.

Rebuilding a wallboard table every poll loses the cursor and scroll position and repaints every
cell; here each row keeps its key, new rows are appended, gone rows removed, and changed cells are
written in place. DataTable's own ``update_cell`` invalidates every render cache (its caches are
keyed by one table-wide update counter) and repaints the whole widget, so at 500 agents whose
time-in-state ticks every second each poll re-rendered every visible cell. ``sync`` instead drops
the cached renders of the changed cells only and repaints only the changed rows that are on
screen; DataTable already renders only the lines in view (measured in bench/bench_wallboard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, RowKey, default_cell_formatter

Cell = str | Text
_EMPTY = Text()

# DataTable's render caches ``sync`` prunes; when a Textual release renames them the table falls
# back to ``update_cell`` (correct, only slower).
_CACHES = ("_cell_render_cache", "_row_render_cache", "_line_cache", "_row_renderable_cache")


class LiveTable(DataTable[Cell]):
    """DataTable with ``sync(rows)``: the in-place update every wallboard table uses."""

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._row_styles: dict[tuple[object, ...], Style] = {}
        # per row, each cell's segments (None: to render); valid while _segments_state holds
        self._segments: dict[RowKey, list[list[Segment] | None]] = {}
        self._segments_state: tuple[object, ...] = ()
        self._in_place = all(hasattr(self, name) for name in (*_CACHES, "_data"))

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
        changed: dict[str, list[str]] = {}  # row key → changed column keys, written in place
        for row_key, cells in rows.items():
            cells = tuple(cells)
            before = self._shown.get(row_key)
            if before is None:
                self.add_row(*cells, key=row_key)
                written += len(cells)
            elif before != cells:
                columns = [k for k, old, new in zip(keys, before, cells, strict=True) if old != new]
                for column_key in columns:
                    self._write(row_key, column_key, cells[keys.index(column_key)])
                changed[row_key] = columns
                written += len(columns)
            self._shown[row_key] = cells
        if changed and self._in_place:
            self._repaint(changed)
        return written

    def _write(self, row_key: str, column_key: str, value: Cell) -> None:
        column = self.columns.get(ColumnKey(column_key))
        wider = column is not None and cell_len(str(value)) > column.content_width
        if self._in_place and not wider:
            self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        else:  # text wider than its column (a supervision mark) widens the column
            self.update_cell(row_key, column_key, value, update_width=wider)

    def _repaint(self, changed: Mapping[str, Sequence[str]]) -> None:
        """Forget the cached renders of the changed cells and their rows, repaint those rows
        where they are on screen; every other row keeps its cached lines."""
        cells = {(RowKey(row), ColumnKey(column)) for row, columns in changed.items()
                 for column in columns}  # fmt: skip
        rows = {RowKey(row) for row in changed}
        indexes = {self._row_locations.get(row) for row in rows}
        header = self.header_height if self.show_header else 0
        positions = {key: index for index, (key, _) in enumerate(self._column_spec)}
        for row, columns in changed.items():
            segments = self._segments.get(RowKey(row))
            if segments is not None:
                for column in columns:
                    segments[positions[column]] = None
        prune(self._cell_render_cache, lambda key: (key[0], key[1]) in cells)
        prune(self._row_render_cache, lambda key: key[0] in rows)
        prune(self._row_renderable_cache, lambda key: key[1] in indexes)
        prune(self._line_cache, lambda key: key[0] - header in indexes)
        top = self.scroll_offset.y
        width = max(self.size.width, self.virtual_size.width)
        for index in indexes:  # rows are one line high (LiveTable adds them so)
            if index is None:
                continue
            y = index + header - top
            if 0 <= y < self.size.height:
                self.refresh(Region(0, y, width, 1))

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style,
                            cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[list[Any], list[Any]]:  # fmt: skip
        """A plain body row (not the header, cursor or hover row) from its cells' segments,
        kept per cell until that cell changes; other rows take Textual's path."""
        located = self._row_locations.get(row_key)
        row_index = -1 if located is None else located
        if (not self._in_place or row_index < 0 or self.cursor_type != "row" or line_no
                or row_index == cursor_location.row or row_index == hover_location.row
                or self.fixed_columns or self.fixed_rows or self._labelled_row_exists
                or self.rows[row_key].height != 1):  # fmt: skip
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location,
                                               hover_location)  # fmt: skip
        widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        width = self.size.width
        state = (self._update_count, base_style, self._pseudo_class_state, width, widths)
        if state != self._segments_state:  # rows moved, resized or restyled: start again
            self._segments.clear()
            self._segments_state = state
        cells = self._segments.get(row_key)
        if cells is None:
            cells = self._segments[row_key] = [None] * len(widths)
        row_style = self._row_style(row_index, base_style)
        for column_index, cell in enumerate(cells):
            if cell is None:
                cells[column_index] = self._cell_segments(row_key, row_index, column_index,
                                                          row_style, widths[column_index])  # fmt: skip
        meta = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        rest = [Segment(" " * max(0, width - sum(widths)), row_style + meta)]
        return [], [*cells, rest]

    def _cell_segments(self, row_key: RowKey, row_index: int, column_index: int,
                       row_style: Style, width: int) -> list[Segment]:  # fmt: skip
        """One body cell as Textual's renderer draws it (padding each side, the text's own
        style over the row's), without rich's generic layout: most of a repaint's cost."""
        column_key = self._column_locations.get_key(column_index)
        value = None if column_key is None else self._data[row_key].get(column_key)
        text = _EMPTY if value is None else default_cell_formatter(value, wrap=False, height=1)
        style = row_style + Style.from_meta({"row": row_index, "column": column_index})
        pad = self.cell_padding
        inner = width - 2 * pad
        if not isinstance(text, Text) or cell_len(text.plain) > inner:  # rich crops and folds
            return super()._render_cell(row_index, column_index, row_style, width)[0]
        line = [Segment(" " * pad, style)] if pad else []
        used = 0
        if text.spans:  # rich folds the text's own style into each span's
            for segment in text.render(self.app.console, end=""):
                line.append(
                    Segment(segment.text, style + segment.style if segment.style else style)
                )
                used += segment.cell_length
        elif text.plain:
            own = self.app.console.get_style(text.style) if text.style else None
            line.append(Segment(text.plain, style + own if own else style))
            used = cell_len(text.plain)
        line.append(Segment(" " * (inner - used + pad), style))
        return line

    def _row_style(self, row_index: int, base_style: Style) -> Style:
        """The zebra stripe style, computed once per stripe until the styles change."""
        key = (row_index % 2, base_style, self._pseudo_class_state)
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = self._get_row_style(row_index, base_style)
        return style

    def notify_style_update(self) -> None:
        self._row_styles.clear()
        super().notify_style_update()

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


def prune(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    """Discard the entries of a Textual LRU cache whose key ``stale`` picks."""
    keys = cache.keys()  # an LRUCache is not iterable itself
    for key in [key for key in keys if stale(key)]:
        cache.discard(key)
