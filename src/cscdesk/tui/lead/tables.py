"""A DataTable that is refreshed in place: only cells whose text changed are touched.

Rebuilding a wallboard table every poll loses the cursor and scroll position and repaints every
cell; here each row keeps its key, new rows are appended, gone rows removed, and changed cells are
written in place. DataTable's own ``update_cell`` invalidates every render cache (its caches are
keyed by one table-wide update counter) and repaints the whole widget, so at 500 agents whose
time-in-state ticks every second each poll re-rendered every visible cell. ``sync`` instead
re-renders only the changed cells and repaints only the changed rows that are on screen: each
plain row is one Strip kept per row, rebuilt from per-cell segments of which only the changed
cells are rendered again; only lines in view are drawn (measured in bench/bench_wallboard.py).
Rows out of the table's view are not written at all: each keeps the newest cells it was given
and is brought up to date when it is drawn (scrolled to, a taller terminal, the cursor moved
onto it), read (``get_cell``, ``get_row``) or sorted, so the screen and every read show what a
full update would; only a cell wider than its column is written at once, to widen it then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

from rich._emoji_replace import _emoji_replace
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, RowKey, default_cell_formatter

from cscdesk.tui.heap import collect_after_frame, freeze_settled_heap
from cscdesk.tui.lead.bare_lines import bare_lines

Cell = str | Text
_EMPTY = Text()

# DataTable's render caches ``sync`` prunes; when a Textual release renames them the table falls
# back to ``update_cell`` (correct, only slower).
_CACHES = ("_cell_render_cache", "_row_render_cache", "_line_cache", "_row_renderable_cache")


@dataclass(frozen=True, slots=True)
class _Frame:
    """What every body line of one repaint shares."""

    header: int
    scroll_x: int
    scroll_y: int
    cursor_row: int
    hover_row: int
    rows: int
    base_style: Style
    widths: tuple[int, ...]
    width: int
    line_filter: ANSIToTruecolor | None  # the app's one line filter, applied per cell (below)
    background: Color
    pad: int  # cell padding, each side
    overflows: bool  # the columns are wider than the table (scrolled sideways)


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


class _Drawn(NamedTuple):
    """A body cell drawn: its segments, the same through the app's line filter, its value."""

    segments: list[Segment]
    filtered: list[Segment] | None
    value: object


_DRAWN_KEPT = 20_000  # cells kept drawn per table


class _Truecolor(dict[Style, Style]):
    """Style → the style the app's ANSIToTruecolor filter makes of it, computed once each."""

    def __init__(self, line_filter: ANSIToTruecolor, background: RichColor) -> None:
        super().__init__()
        self.line_filter, self.background = line_filter, background

    def __missing__(self, style: Style) -> Style:
        converted = self[style] = self.line_filter.truecolor_style(style, self.background)
        return converted


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


def _plain(value: str) -> bool:
    """Text that rich's markup parse leaves as it is: no ``[`` tag, no ``:emoji:`` code (a
    time in state past an hour, ``1:02:03``, has two colons and is no emoji)."""
    return (
        "[" not in value
        and value.isprintable()
        and (value.count(":") < 2 or _emoji_replace(value) == value)
    )


class LiveTable(DataTable[Cell]):
    """DataTable with ``sync(rows)``: the in-place update every wallboard table uses."""

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs: object) -> None:
        # per row, each cell's segments (None: to render); valid while _segments_state holds
        self._segments: dict[str | None, list[list[Segment] | None]] = {}
        self._filtered: dict[str | None, list[list[Segment] | None]] = {}  # the same, filtered
        self._segments_state: tuple[object, ...] = ()
        self._strips: dict[str | None, tuple[int, int, Strip]] = {}  # row → (where, x, line)
        self._cell_styles: dict[tuple[int, Style], list[Style]] = {}
        self._sums: dict[tuple[Style, Style], Style] = {}  # a cell's style and its text's
        self._text_styles: dict[str | Style, Style] = {}
        self._truecolor: _Truecolor | None = None  # the line filter's style map, kept
        self._drawn: dict[tuple[object, ...], _Drawn] = {}  # (text, style, width) → cell
        self._frame: _Frame | None = None  # while a repaint runs (``render_lines``)
        self._frame_ready = self._rendering = False
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}  # per row, the cells the table holds
        self._latest: dict[str, Sequence[Cell]] = {}  # per row, the newest cells given to sync
        self._width_of = _Widths()
        self._on_screen = (0, 0)  # body lines on screen at the last sync (first, end)
        self._row_data: dict[str, dict[ColumnKey, Cell]] = {}  # DataTable's own cell dicts
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

    def render_lines(self, crop: Region) -> list[Strip]:
        # styles, cursor and column widths are read once per repaint, not once per line
        self._frame, self._frame_ready, self._rendering = None, False, True
        try:
            self._pseudo_class_state = self.get_pseudo_class_state()  # as DataTable does
            lines = bare_lines(self, crop)  # without StylesCache's per-line border work
            return super().render_lines(crop) if lines is None else lines
        finally:
            self._frame, self._frame_ready, self._rendering = None, False, False

    def render_line(self, y: int) -> Strip:
        """A plain body row (not the cursor or hover row) is one Strip kept per row and rebuilt
        from its cells' segments only when a cell changed (only the changed cells are rendered
        again); the cursor and hover rows are drawn from the same cells with the cursor's
        styles; the header and unusual layouts take DataTable's path."""
        frame = self._frame if self._frame_ready else self._make_frame()
        if self._latest:  # a row written while out of view is brought up to date first
            header, top = ((frame.header, frame.scroll_y) if frame is not None else
                           (self.header_height if self.show_header else 0, self.scroll_offset.y))  # fmt: skip
            row_key = self._row_locations.get_key(y - header + top)
            name = None if row_key is None or y < header else row_key.value
            if name is not None and self._latest.get(name) is not self._shown.get(name):
                self._catch_up([name])
        strip = None if frame is None else self._row_strip(frame, y)
        return super().render_line(y) if strip is None else strip

    def _make_frame(self) -> _Frame | None:
        """What every line of this repaint shares; None when the table has a layout the kept
        rows do not cover (fixed rows or columns, labels, cell cursor, rows taller than one)."""
        if (not self._in_place or self.cursor_type != "row" or self.fixed_columns
                or self.fixed_rows or self._labelled_row_exists
                or len(self._y_offsets) != self.row_count):  # fmt: skip
            frame = None
        else:
            widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
            base_style, width = self.rich_style, self.size.width
            filters, background = self.get_line_filters(), self.background_colors[1]
            # Textual's usual single filter maps each segment on its own, so it can be applied
            # to each cell once, when the cell is rendered, instead of to every changed line
            line_filter = (filters[0] if len(filters) == 1
                           and type(filters[0]) is ANSIToTruecolor else None)  # fmt: skip
            state = (self._update_count, base_style, self._pseudo_class_state, width, widths,
                     line_filter, background)  # fmt: skip
            if state != self._segments_state:  # rows moved, resized or restyled: start again
                self._forget_all()
                self._segments_state = state
            if line_filter is not None and self._truecolor is None:
                self._truecolor = _Truecolor(line_filter, background.rich_color)
            scroll_x, scroll_y = self.scroll_offset
            frame = _Frame(
                self.header_height if self.show_header else 0, scroll_x, scroll_y,
                self.cursor_coordinate.row, self.hover_coordinate.row, self.row_count,
                base_style, widths, width, line_filter, background, self.cell_padding,
                sum(widths) > width,
            )  # fmt: skip
        if self._rendering:
            self._frame, self._frame_ready = frame, True
        return frame

    def _row_strip(self, frame: _Frame, y: int) -> Strip | None:
        row_index = y - frame.header + frame.scroll_y
        if y < frame.header or row_index >= frame.rows:
            return None
        row_key = self._row_locations.get_key(row_index)
        if row_key is None:
            return None
        if row_index == frame.cursor_row or row_index == frame.hover_row:
            return self._highlighted_strip(frame, row_key, row_index)
        name, scroll_x = row_key.value, frame.scroll_x
        kept = self._strips.get(name)
        if kept is not None and kept[0] == row_index and kept[1] == scroll_x:
            return kept[2]
        widths = frame.widths
        cells = self._segments.get(name)
        if cells is None:
            cells = self._segments[name] = [None] * len(widths)
        # the filtered cells too, when the app's filter can be applied cell by cell
        to_truecolor = self._truecolor if not (scroll_x or frame.overflows) else None
        filtered = None
        if to_truecolor is not None:
            filtered = self._filtered.get(name)
            if filtered is None:
                filtered = self._filtered[name] = [None] * len(widths)
        data = self._data[row_key]
        column_keys = self._column_locations
        row_style = self._row_style(row_index, frame.base_style)
        styles = self._styles_for(row_index, row_style, len(widths))
        segments: list[Segment] = []
        for column_index, cell in enumerate(cells):
            if cell is None:
                drawn = self._cell(
                    data.get(column_keys.get_key(column_index)),  # type: ignore[arg-type]
                    row_index, column_index, row_style, styles[column_index],
                    widths[column_index], frame.pad)  # fmt: skip
                cell = cells[column_index] = drawn.segments
                if filtered is not None:
                    filtered[column_index] = drawn.filtered
            segments.extend(cell)
        strip = self._finish(frame, segments, styles[-1])
        if filtered is not None and to_truecolor is not None:
            self._prefilter(frame, to_truecolor, cells, filtered, strip)
        self._strips[name] = (row_index, scroll_x, strip)
        return strip

    def _cell(self, value: Cell | None, row_index: int, column_index: int, row_style: Style,
              style: Style, width: int, pad: int) -> _Drawn:  # fmt: skip
        """A body cell's segments and the same through the app's filter (None without one),
        kept per text, place and width: counts, percentages and names come back to the same
        place poll after poll. A Text is kept by identity (the wallboard's alert texts are
        made once per text and colour and never changed after, rows.py)."""
        key: tuple[object, ...]
        if type(value) is str:
            key = (value, style, width)
        elif isinstance(value, Text):
            key = (id(value), style, width)
        else:
            key = (None, value, style, width) if value is None else ()
        drawn = self._drawn.get(key) if key else None
        if drawn is not None and (not isinstance(value, Text) or drawn.value is value):
            return drawn
        segments = self._cell_segments(value, row_index, column_index, row_style, style,
                                       width, pad)  # fmt: skip
        to_truecolor = self._truecolor
        filtered = None if to_truecolor is None else [
            Segment(text, None if own is None else to_truecolor[own])
            for text, own, _ in segments
        ]  # fmt: skip
        drawn = _Drawn(segments, filtered, value)
        if key:
            if len(self._drawn) >= _DRAWN_KEPT:  # times in state make new texts all day
                self._drawn.clear()
            self._drawn[key] = drawn
        return drawn

    def _prefilter(self, frame: _Frame, to_truecolor: _Truecolor,
                   cells: list[list[Segment] | None], filtered: list[list[Segment] | None],
                   strip: Strip) -> None:  # fmt: skip
        """Give ``strip`` its filtered self, made from the row's cells filtered once each (only
        the changed cells are filtered again, ``_cell``), where ``Strip.apply_filter`` looks
        first: the line the screen gets is the same, the filter's work per poll a cell or two
        per row instead of every segment of every changed line. The filter maps each
        segment's style on its own; its own cache of 1,024 styles is far smaller than the
        styles of a table's cells (each carries its place as mouse meta), so the styles it
        gives are kept here."""
        for index, done in enumerate(filtered):
            if done is None:  # drawn before while the filter could not be applied per cell
                filtered[index] = [
                    Segment(text, None if style is None else to_truecolor[style])
                    for text, style, _ in cells[index] or ()
                ]
        segments = [segment for done in filtered for segment in done or ()]
        text, style, _ = strip._segments[-1]  # the blank after the last column
        segments.append(Segment(text, None if style is None else to_truecolor[style]))
        key = (to_truecolor.line_filter, frame.background)
        strip._filter_cache[key] = Strip(segments, strip.cell_length)

    def _highlighted_strip(self, frame: _Frame, row_key: RowKey, row_index: int) -> Strip:
        """The cursor or hover row: its cells with DataTable's cursor and hover styles over
        them, drawn afresh each time (one or two lines) and kept nowhere."""
        cursor, hover = row_index == frame.cursor_row, row_index == frame.hover_row
        flags = (hover, cursor, self.show_cursor, self._show_hover_cursor)
        component, post = self._get_styles_to_render_cell(
            False, False, False, *flags, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css")  # fmt: skip
        extend, _ = self._get_styles_to_render_cell(False, False, False, *flags, False, False)
        data = self._data[row_key]
        column_keys = self._column_locations
        row_style = self._row_style(row_index, frame.base_style)
        styles = self._styles_for(row_index, row_style, len(frame.widths))
        segments: list[Segment] = []
        for column_index, width in enumerate(frame.widths):
            segments += self._cell_segments(
                data.get(column_keys.get_key(column_index)),  # type: ignore[arg-type]
                row_index, column_index, row_style, styles[column_index] + component, width,
                frame.pad, post=post, cursor=cursor, hover=hover)  # fmt: skip
        meta = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        return self._finish(frame, segments, row_style + extend + meta)

    @staticmethod
    def _finish(frame: _Frame, segments: list[Segment], extend_style: Style) -> Strip:
        """A body line from its cells: the blank after the last column, cut to the view when
        scrolled sideways (as DataTable does)."""
        used = sum(frame.widths)
        width, scroll_x = frame.width, frame.scroll_x
        segments.append(Segment(" " * max(0, width - used), extend_style))
        strip = Strip(segments, max(used, width))
        if scroll_x or used > width:
            strip = strip.crop(scroll_x, scroll_x + width)
            strip = strip.adjust_cell_length(width, frame.base_style).simplify()
        return strip

    def _styles_for(self, row_index: int, row_style: Style, columns: int) -> list[Style]:
        """Each cell's style in a row (the row's stripe with the cell's place as mouse meta),
        then the style of the blank after the last column; made once per row position."""
        key = (row_index, row_style)
        styles = self._cell_styles.get(key)
        if styles is None:
            styles = [row_style + Style.from_meta({"row": row_index, "column": column})
                      for column in range(columns)]  # fmt: skip
            styles.append(row_style + Style.from_meta(
                {"row": row_index, "column": 0, "out_of_bounds": True}))  # fmt: skip
            self._cell_styles[key] = styles
        return styles

    def _cell_segments(self, value: Cell | None, row_index: int, column_index: int,
                       row_style: Style, style: Style, width: int, pad: int, *,
                       post: Style | None = None, cursor: bool = False,
                       hover: bool = False) -> list[Segment]:  # fmt: skip
        """One body cell as Textual's renderer draws it (padding each side, the text's own
        style over ``style``, then ``post``: the cursor's colours), without rich's generic
        layout: most of a repaint's cost. Simplified per cell: neighbouring cells differ in
        style (their meta), so the row needs no simplifying of its own."""
        inner = width - 2 * pad
        if type(value) is str and _plain(value) and (used := cell_len(value)) <= inner:
            # what the markup parse would give (no markup, no emoji code): skip the parse
            return [Segment(" " * pad + value + " " * (inner - used + pad),
                            style + post if post else style)]  # fmt: skip
        text = (value if isinstance(value, Text) else _EMPTY if value is None
                else default_cell_formatter(value, wrap=False, height=1))  # fmt: skip
        body = text.plain if isinstance(text, Text) else ""
        if not isinstance(text, Text) or (used := cell_len(body)) > inner:  # rich crops, folds
            return list(Segment.simplify(super()._render_cell(
                row_index, column_index, row_style, width, cursor, hover)[0]))  # fmt: skip
        console = self.app.console
        if not text.spans and not post:  # one colour for the text: what simplify would give
            own = self._text_style(text.style) if text.style else None
            text_style = self._plus(style, own) if own else style
            if not body or text_style == style:
                return [Segment(" " * pad + body + " " * (inner - used + pad), style)]
            return [*([Segment(" " * pad, style)] if pad else []), Segment(body, text_style),
                    Segment(" " * (inner - used + pad), style)]  # fmt: skip
        line = [Segment(" " * pad, style)] if pad else []
        if text.spans:  # rich folds the text's own style into each span's
            for segment in text.render(console, end=""):
                line.append(
                    Segment(
                        segment.text, self._plus(style, segment.style) if segment.style else style
                    )
                )
        elif body:
            own = self._text_style(text.style) if text.style else None
            line.append(Segment(body, self._plus(style, own) if own else style))
        line.append(Segment(" " * (inner - used + pad), style))
        if post:
            line = [Segment(text, own + post) for text, own, _ in line]  # type: ignore[operator]
        return list(Segment.simplify(line))

    def _text_style(self, name: str | Style) -> Style:
        """A text's own style (a Style, or a name the console parses), looked up once."""
        style = self._text_styles.get(name)
        if style is None:
            style = self._text_styles[name] = self.app.console.get_style(name)
        return style

    def _plus(self, style: Style, over: Style) -> Style:
        """``style + over``, kept: rich keeps 1,024 sums, fewer than a table's cells have
        styles (each carries its place as mouse meta), so each poll made them all again; and a
        kept sum is one object, whose hash is computed once (the line filter's lookups)."""
        key = (style, over)
        total = self._sums.get(key)
        if total is None:
            total = self._sums[key] = style + over
        return total

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
        self._forget_all()
        super()._clear_caches()

    def _forget_all(self) -> None:
        self._segments.clear()
        self._filtered.clear()
        self._strips.clear()
        self._cell_styles.clear()
        self._sums.clear()
        self._text_styles.clear()
        self._drawn.clear()
        self._truecolor = None

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
