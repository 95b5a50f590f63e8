"""A DataTable that is refreshed in place: only cells whose text changed are touched.

Rebuilding a wallboard table every poll loses the cursor and scroll position and repaints every
cell; here each row keeps its key, new rows are appended, gone rows removed, and changed cells are
written in place. DataTable's own ``update_cell`` invalidates every render cache (its caches are
keyed by one table-wide update counter) and repaints the whole widget, so at 500 agents whose
time-in-state ticks every second each poll re-rendered every visible cell. ``sync`` instead
re-renders only the changed cells and repaints only the changed rows that are on screen: each
plain row is one Strip kept per row, rebuilt from per-cell segments of which only the changed
cells are rendered again (painted_table.py); only lines in view are drawn (bench/bench_wallboard.py).
Rows out of the table's view are not written at all: each keeps the newest cells it was given
and is brought up to date when it is drawn (scrolled to, a taller terminal, the cursor moved
onto it), read (``get_cell``, ``get_row``) or sorted, so the screen and every read show what a
full update would; only a cell wider than its column is written at once, to widen it then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Self

from rich.cells import cell_len
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets._data_table import ColumnKey, RowKey

from cscdesk.tui.heap import collect_after_frame, freeze_settled_heap
from cscdesk.tui.lead.painted_table import Cell, PaintedTable


class _Columns(NamedTuple):
    """The table's columns as one sync writes them."""

    keys: tuple[str, ...]
    column_keys: tuple[ColumnKey, ...]
    widths: list[int]  # content widths, raised as cells widen them


class _Widths(dict[Cell, int]):
    """Cell text → its width on screen, measured once per text."""

    def __missing__(self, value: Cell) -> int:
        width = self[value] = cell_len(value if type(value) is str else str(value))
        return width


_WIDTHS_KEPT = 20_000  # texts whose widths are kept (times in state make new ones all day)


def _same_text(old: Cell, new: Cell) -> bool:
    """The same cell on screen. rich's ``Text ==`` compares text and spans only, so a group
    name whose colour changed with its worst alert compared equal and kept its old colour."""
    if not (isinstance(old, Text) and isinstance(new, Text)):
        return old == new
    return (
        old.plain == new.plain
        and old.style == new.style
        and old.spans == new.spans
        and (old.justify, old.overflow, old.no_wrap, old.end, old.tab_size)
        == (new.justify, new.overflow, new.no_wrap, new.end, new.tab_size)
    )


class LiveTable(PaintedTable):
    """DataTable with ``sync(rows)``: the in-place update every wallboard table uses."""

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}  # per row, the cells the table holds
        self._latest: dict[str, Sequence[Cell]] = {}  # per row, the newest cells given to sync
        self._width_of = _Widths()
        self._on_screen = (0, 0)  # body lines on screen at the last sync (first, end)
        self._row_data: dict[str, dict[ColumnKey, Cell]] = {}  # DataTable's own cell dicts
        self._filled = False  # first rows shown: the heap is settled once (tui/heap.py)

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
        """Make the table show ``rows`` (key → cells in column order); returns the cells
        written now. Rows out of view are only remembered: their cells are written when they
        come into view or are read (``_catch_up``), so what is drawn or read is always what a
        full update would give; a cell wider than its column widens it at once, wherever its
        row is, as a full update would."""
        shown, latest = self._shown, self._latest
        for gone in [key for key in shown if key not in rows]:
            self.remove_row(gone)
            del shown[gone]
            self._row_data.pop(gone, None)
            latest.pop(gone, None)
        latest.update(rows)
        columns = self._columns()
        written = 0
        if len(rows) > len(shown):  # rows new to the table are added whole, where they fall
            for row_key in [key for key in rows if key not in shown]:
                cells = rows[row_key]
                cells = cells if type(cells) is tuple else tuple(cells)
                shown[row_key] = latest[row_key] = cells
                added = self.add_row(*cells, key=row_key)
                if self._in_place:
                    self._row_data[row_key] = self._data[added]
                written += len(cells)
        due: Iterable[str]
        if self._in_place:
            in_view = self._in_view()
            due = in_view if len(in_view) >= len(rows) else in_view | self._too_wide(
                rows, columns.widths)  # fmt: skip
        else:  # DataTable's own update_cell, row by row: every row is written
            due = rows.keys()
        changed: dict[str, list[int]] = {}  # row key → positions of the cells written in place
        for row_key in due:
            positions = self._write(row_key, columns)
            if positions:
                changed[row_key] = positions
                written += len(positions)
        if rows and not self._filled:  # the board's long-lived objects exist from now on
            self._filled = True
            self.call_after_refresh(freeze_settled_heap)
        collect_after_frame(self)
        if changed and self._in_place:
            self._repaint(changed)
        return written

    def _columns(self) -> _Columns:
        keys = tuple(key for key, _ in self._column_spec)
        columns = [self.columns.get(ColumnKey(key)) for key in keys]
        # the columns' own key objects: the cell dicts find them by identity, not by __eq__
        column_keys = tuple(ColumnKey(key) if column is None else column.key
                            for key, column in zip(keys, columns, strict=True))  # fmt: skip
        widths = [0 if column is None else column.content_width for column in columns]
        return _Columns(keys, column_keys, widths)

    def _in_view(self) -> set[str]:
        """Keys of the rows on screen: in the table's viewport and not clipped by what holds it
        (a container scrolled, a hidden tab). Lines of the viewport that are clipped are marked
        to be drawn again, so if they come into view without the table being resized or
        scrolled their rows are drawn, and so brought up to date, then."""
        header = self.header_height if self.show_header else 0
        height = self.size.height
        first, last = self._on_screen = self._visible_lines(header, height)
        if first > header or last < height:  # the rest of the viewport is drawn when shown
            width = self.size.width
            self._styles_cache.set_dirty(
                *(Region(0, start, width, end - start)
                  for start, end in ((header, first), (last, height)) if end > start))  # fmt: skip
        top = self.scroll_offset.y - header
        get_key = self._row_locations.get_key
        keys = (get_key(top + y) for y in range(first, last))
        return {key.value for key in keys if key is not None and key.value is not None}

    def _visible_lines(self, header: int, height: int) -> tuple[int, int]:
        """The body lines (first, end) of the viewport that are on screen: all of them unless
        the screen's layout says the table is clipped or hidden. A table with a border or
        padding counts its whole viewport (its lines do not map one to one)."""
        try:
            compositor = self.screen._compositor
        except Exception:  # not on a screen yet
            return header, height
        if any(self.styles.gutter) or compositor.root is None:
            return header, height  # no layout of the screen yet, or a gutter: all of them
        # the last layout's: if a new one shows more, those lines are marked to be drawn
        placed = compositor.visible_widgets.get(self)
        if placed is None:
            return header, header  # hidden: nothing on screen
        region, clip = placed
        shown = region.intersection(clip)
        if not shown.width:
            return header, header
        return (max(header, min(height, shown.y - region.y)),
                max(header, min(height, shown.bottom - region.y)))  # fmt: skip

    def _too_wide(self, rows: Mapping[str, Sequence[Cell]], widths: Sequence[int]) -> set[str]:
        """Rows with a cell wider than its column: written now wherever they are, so the
        column widens when a full update would widen it. Measured a column at a time through
        a dict of known widths (C loops; the same few hundred texts recur poll after poll)."""
        width_of = self._width_of
        if len(width_of) > _WIDTHS_KEPT:
            width_of.clear()
        found: set[str] = set()
        for index, column in enumerate(zip(*rows.values(), strict=True)):
            try:
                widest = max(map(width_of.__getitem__, column), default=0)
            except TypeError:  # a styled Text (unhashable): measured one by one
                widest = max((cell_len(str(value)) for value in column), default=0)
            if widest > widths[index]:
                found.update(key for key, cells in rows.items()
                             if cell_len(str(cells[index])) > widths[index])  # fmt: skip
        return found

    def _write(self, row_key: str, columns: _Columns) -> list[int]:
        """Write the row's newest cells where they differ from what the table holds; returns
        their positions."""
        cells = self._latest[row_key]
        cells = cells if type(cells) is tuple else tuple(cells)
        before = self._shown[row_key]
        self._latest[row_key] = cells  # what the table holds is the newest from now on
        self._shown[row_key] = cells
        if before is cells:
            return []
        positions = [i for i, (old, new) in enumerate(zip(before, cells, strict=True))
                     if old is not new and (old != new if type(old) is str
                                            else not _same_text(old, new))]  # fmt: skip
        keys, column_keys, widths = columns
        data = self._row_data.get(row_key) if self._in_place else None
        width_of = self._width_of
        for i in positions:
            value = cells[i]
            wider = (width_of[value] if type(value) is str else cell_len(str(value))) > widths[i]
            if data is not None and not wider:
                data[column_keys[i]] = value
            else:  # text wider than its column (a supervision mark) widens the column
                self.update_cell(row_key, keys[i], value, update_width=wider)
                if wider:
                    widths[i] = max(widths[i], cell_len(str(value)))
        return positions

    def _catch_up(self, row_keys: Iterable[str]) -> None:
        """Bring rows written while out of view up to date, forgetting what was drawn of
        their changed cells (the caller is about to draw or read them)."""
        latest, shown = self._latest, self._shown
        stale = [key for key in row_keys if latest.get(key) is not shown.get(key)]
        if not stale:
            return
        columns = self._columns()
        changed = {key: positions for key in stale if (positions := self._write(key, columns))}
        if changed:
            self._forget(changed)

    def _catch_up_all(self) -> None:
        self._catch_up(list(self._latest))

    def get_cell(self, row_key: RowKey | str, column_key: ColumnKey | str) -> Cell:
        self._catch_up([str(getattr(row_key, "value", row_key))])
        return super().get_cell(row_key, column_key)

    def get_row(self, row_key: RowKey | str) -> list[Cell]:
        self._catch_up([str(getattr(row_key, "value", row_key))])
        return super().get_row(row_key)

    def get_column(self, column_key: ColumnKey | str) -> Iterable[Cell]:
        self._catch_up_all()
        return super().get_column(column_key)

    def sort(self, *columns: ColumnKey | str, key: Callable[[Any], Any] | None = None,
             reverse: bool = False) -> Self:  # fmt: skip
        """Sorted on every row's newest cells."""
        self._catch_up_all()
        return super().sort(*columns, key=key, reverse=reverse)

    def _repaint(self, changed: Mapping[str, Sequence[int]]) -> None:
        """Forget what was drawn of the changed cells, repaint their rows where they are on
        screen (consecutive lines as one region); every other row keeps its line."""
        self._forget(changed)
        lines = []
        header = self.header_height if self.show_header else 0
        top = self.scroll_offset.y
        locations = self._row_locations
        first, last = self._on_screen  # the rows on screen (``_in_view``): which changed
        for y in range(first, last):
            row_key = locations.get_key(y - header + top)
            if row_key is not None and row_key.value in changed:
                lines.append(y)
        width = max(self.size.width, self.virtual_size.width)
        regions = [Region(0, start, width, end - start + 1) for start, end in runs(lines)]
        if regions:  # rows are one line high (LiveTable adds them so)
            self.refresh(*regions)

    def _forget(self, changed: Mapping[str, Sequence[int]]) -> None:
        """Drop the changed cells' segments and their rows' lines. DataTable's own render
        caches (only the header, cursor and hover lines use them here, so they stay small;
        each is scanned whole per poll) lose the changed cells' entries."""
        strips, segments_of, locations = self._strips, self._segments, self._row_locations
        header = self.header_height if self.show_header else 0
        for row, positions in changed.items():
            strips.pop(row, None)
            for kept in (segments_of.get(row), self._filtered.get(row)):
                if kept is not None:
                    for position in positions:
                        kept[position] = None

        def row_changed(index: int) -> bool:
            return getattr(locations.get_key(index), "value", None) in changed

        columns = self._column_locations
        prune(self._cell_render_cache, lambda key: columns.get(key[1]) in changed.get(
            key[0].value, ()))  # fmt: skip
        prune(self._row_render_cache, lambda key: key[0].value in changed)
        # keyed (update count, row index): entries of an older count (the column widths'
        # first measuring leaves one per row) can never be used again, so they go too
        count = self._update_count
        prune(self._row_renderable_cache, lambda key: key[0] != count or row_changed(key[1]))
        prune(self._line_cache, lambda key: row_changed(key[0] - header))

    def render_line(self, y: int) -> Strip:
        """A row written while out of view is brought up to date before it is drawn."""
        if self._latest:
            frame = self._current_frame()
            header, top = ((frame.header, frame.scroll_y) if frame is not None else
                           (self.header_height if self.show_header else 0, self.scroll_offset.y))  # fmt: skip
            row_key = self._row_locations.get_key(y - header + top)
            name = None if row_key is None or y < header else row_key.value
            if name is not None and self._latest.get(name) is not self._shown.get(name):
                self._catch_up([name])
        return super().render_line(y)

    def clear(self, columns: bool = False) -> Self:
        """Empty the table, and what ``sync`` knows of the rows it showed."""
        self._shown.clear()
        self._latest.clear()
        self._row_data.clear()
        return super().clear(columns)

    def rebuild(self, rows: Mapping[str, Sequence[Cell]]) -> None:
        """The naive alternative (clear and re-add), kept for the benchmark's baseline."""
        self.clear()
        for row_key, cells in rows.items():
            self.add_row(*cells, key=row_key)
            self._shown[row_key] = self._latest[row_key] = tuple(cells)

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # cursor outside the table after rows vanished
            return None
        return None if row_key.value is None else str(row_key.value)


def runs(lines: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive line numbers as (first, last) pairs, so one region covers each run."""
    ordered = sorted(lines)
    start = 0
    for end in range(1, len(ordered) + 1):
        if end == len(ordered) or ordered[end] != ordered[end - 1] + 1:
            yield ordered[start], ordered[end - 1]
            start = end


def prune(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    """Discard the entries of a Textual LRU cache whose key ``stale`` picks."""
    keys = cache.keys()  # an LRUCache is not iterable itself
    for key in [key for key in keys if stale(key)]:
        cache.discard(key)
