"""A DataTable that is refreshed in place: only cells whose text changed are touched.

Rebuilding a wallboard table every poll loses the cursor and scroll position and repaints every
cell; here each row keeps its key, new rows are appended, gone rows removed, and changed cells are
written in place. DataTable's own ``update_cell`` invalidates every render cache (its caches are
keyed by one table-wide update counter) and repaints the whole widget, so at 500 agents whose
time-in-state ticks every second each poll re-rendered every visible cell. ``sync`` instead
re-renders only the changed cells and repaints only the changed rows that are on screen: each
plain row is one Strip kept per row, rebuilt from per-cell segments of which only the changed
cells are rendered again; only lines in view are drawn (measured in bench/bench_wallboard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, RowKey, default_cell_formatter

from cscdesk.tui.heap import freeze_settled_heap

Cell = str | Text
_EMPTY = Text()

# DataTable's render caches ``sync`` prunes; when a Textual release renames them the table falls
# back to ``update_cell`` (correct, only slower).
_CACHES = ("_cell_render_cache", "_row_render_cache", "_line_cache", "_row_renderable_cache")


def _plain(value: str) -> bool:
    """Text that rich's markup parse leaves as it is: no ``[`` tag, no ``:emoji:`` code."""
    return "[" not in value and value.count(":") < 2 and value.isprintable()


class LiveTable(DataTable[Cell]):
    """DataTable with ``sync(rows)``: the in-place update every wallboard table uses."""

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs: object) -> None:
        # per row, each cell's segments (None: to render); valid while _segments_state holds
        self._segments: dict[RowKey, list[list[Segment] | None]] = {}
        self._segments_state: tuple[object, ...] = ()
        self._strips: dict[RowKey, tuple[tuple[int, int], Strip]] = {}  # row → (where, line)
        self._frame: tuple[Style, object, tuple[int, ...], int] | None = None
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._filled = False  # first rows shown: the heap is settled once (tui/heap.py)
        self._row_styles: dict[tuple[object, ...], Style] = {}
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
        column_keys = [ColumnKey(key) for key in keys]
        columns = [self.columns.get(key) for key in column_keys]
        changed: dict[str, list[int]] = {}  # row key → positions of the cells written in place
        for row_key, cells in rows.items():
            cells = tuple(cells)
            before = self._shown.get(row_key)
            if before is None:
                self.add_row(*cells, key=row_key)
                written += len(cells)
            elif before != cells:
                positions = [i for i, (old, new) in enumerate(zip(before, cells, strict=True))
                             if old != new]  # fmt: skip
                data = self._data.get(RowKey(row_key)) if self._in_place else None
                for i in positions:
                    column, value = columns[i], cells[i]
                    wider = column is not None and cell_len(str(value)) > column.content_width
                    if data is not None and not wider:
                        data[column_keys[i]] = value
                    else:  # text wider than its column (a supervision mark) widens the column
                        self.update_cell(row_key, keys[i], value, update_width=wider)
                changed[row_key] = positions
                written += len(positions)
            self._shown[row_key] = cells
        if rows and not self._filled:  # the board's long-lived objects exist from now on
            self._filled = True
            self.call_after_refresh(freeze_settled_heap)
        if changed and self._in_place:
            self._repaint(changed)
        return written

    def _repaint(self, changed: Mapping[str, Sequence[int]]) -> None:
        """Forget the changed cells' segments and their rows' lines, repaint those rows where
        they are on screen; every other row keeps its line. DataTable's own render caches
        (only the header, cursor and hover lines use them here, so they stay small) lose the
        changed cells' entries."""
        indexes = []
        for row, positions in changed.items():
            row_key = RowKey(row)
            self._strips.pop(row_key, None)
            segments = self._segments.get(row_key)
            if segments is not None:
                for position in positions:
                    segments[position] = None
            indexes.append(self._row_locations.get(row_key))
        header = self.header_height if self.show_header else 0
        rows = {RowKey(row) for row in changed}
        cells = {(RowKey(row), self._column_locations.get_key(position))
                 for row, positions in changed.items() for position in positions}  # fmt: skip
        located = set(indexes)
        prune(self._cell_render_cache, lambda key: (key[0], key[1]) in cells)
        prune(self._row_render_cache, lambda key: key[0] in rows)
        prune(self._row_renderable_cache, lambda key: key[1] in located)
        prune(self._line_cache, lambda key: key[0] - header in located)
        top = self.scroll_offset.y
        width = max(self.size.width, self.virtual_size.width)
        lines = [index + header - top for index in indexes if index is not None]
        height = self.size.height
        regions = [Region(0, y, width, 1) for y in lines if 0 <= y < height]
        if regions:  # rows are one line high (LiveTable adds them so)
            self.refresh(*regions)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = None  # styles and column widths are read once per repaint, not per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """A plain body row (not the header, cursor or hover row) is one Strip kept per row and
        rebuilt from its cells' segments only when a cell changed (only the changed cells are
        rendered again); other lines take DataTable's path."""
        strip = self._row_strip(y) if self._in_place else None
        return super().render_line(y) if strip is None else strip

    def _row_strip(self, y: int) -> Strip | None:
        header = self.header_height if self.show_header else 0
        scroll_x, scroll_y = self.scroll_offset
        row_index = y - header + scroll_y
        if (y < header or row_index >= self.row_count or self.cursor_type != "row"
                or row_index == self.cursor_coordinate.row
                or row_index == self.hover_coordinate.row or self.fixed_columns
                or self.fixed_rows or self._labelled_row_exists
                or len(self._y_offsets) != self.row_count):  # fmt: skip
            return None
        if self._frame is None:
            widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
            self._frame = (self.rich_style, self._pseudo_class_state, widths, self.size.width)
        base_style, pseudo_state, widths, width = self._frame
        state = (self._update_count, base_style, pseudo_state, width, widths)
        if state != self._segments_state:  # rows moved, resized or restyled: start again
            self._segments.clear()
            self._strips.clear()
            self._segments_state = state
        row_key = self._row_locations.get_key(row_index)
        if row_key is None:
            return None
        kept = self._strips.get(row_key)
        if kept is not None and kept[0] == (row_index, scroll_x):
            return kept[1]
        cells = self._segments.get(row_key)
        if cells is None:
            cells = self._segments[row_key] = [None] * len(widths)
        row_style = self._row_style(row_index, base_style)
        segments: list[Segment] = []
        for column_index, cell in enumerate(cells):
            if cell is None:
                # simplified per cell: neighbouring cells differ in style (their meta), so
                # the row needs no simplifying of its own
                cell = cells[column_index] = list(Segment.simplify(self._cell_segments(
                    row_key, row_index, column_index, row_style, widths[column_index])))  # fmt: skip
            segments.extend(cell)
        used = sum(widths)
        meta = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, width - used), row_style + meta))
        strip = Strip(segments, max(used, width))
        if scroll_x or used > width:  # scrolled sideways: cut to the view as DataTable does
            strip = strip.crop(scroll_x, scroll_x + width)
            strip = strip.adjust_cell_length(width, base_style).simplify()
        self._strips[row_key] = ((row_index, scroll_x), strip)
        return strip

    def _cell_segments(self, row_key: RowKey, row_index: int, column_index: int,
                       row_style: Style, width: int) -> list[Segment]:  # fmt: skip
        """One body cell as Textual's renderer draws it (padding each side, the text's own
        style over the row's), without rich's generic layout: most of a repaint's cost."""
        column_key = self._column_locations.get_key(column_index)
        value = None if column_key is None else self._data[row_key].get(column_key)
        style = row_style + Style.from_meta({"row": row_index, "column": column_index})
        pad = self.cell_padding
        inner = width - 2 * pad
        if isinstance(value, str) and _plain(value) and cell_len(value) <= inner:
            # what the markup parse would give (no markup, no emoji code): skip the parse
            return [Segment(" " * pad + value + " " * (inner - cell_len(value) + pad), style)]
        text = _EMPTY if value is None else default_cell_formatter(value, wrap=False, height=1)
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

    def _clear_caches(self) -> None:
        """DataTable drops its renders (stripes, header, cursor type changed): so do the rows."""
        self._segments.clear()
        self._strips.clear()
        super()._clear_caches()

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
