"""How a LiveTable draws its body: each plain row one Strip kept per row, rebuilt from per-cell
segments of which only the changed cells are rendered again, the app's line filter applied once
per cell, and the cursor and hover rows drawn afresh from the same cells (tables.py decides what
changed and when a row is written; this module only draws what the table holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rich._emoji_replace import _emoji_replace
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey, default_cell_formatter

from cscdesk.tui.lead.bare_lines import bare_lines

Cell = str | Text
_EMPTY = Text()

# DataTable's render caches a LiveTable prunes; when a Textual release renames them the table
# falls back to DataTable's own drawing and ``update_cell`` (correct, only slower).
_RENDER_CACHES = ("_cell_render_cache", "_row_render_cache", "_line_cache", "_row_renderable_cache")


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


def _plain(value: str) -> bool:
    """Text that rich's markup parse leaves as it is: no ``[`` tag, no ``:emoji:`` code (a
    time in state past an hour, ``1:02:03``, has two colons and is no emoji)."""
    return (
        "[" not in value
        and value.isprintable()
        and (value.count(":") < 2 or _emoji_replace(value) == value)
    )


class PaintedTable(DataTable[Cell]):
    """DataTable whose body rows are drawn from kept per-cell segments (one row cursor, rows one
    line high); any other layout takes DataTable's own path."""

    def __init__(self, **kwargs: object) -> None:
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
        self._row_styles: dict[tuple[object, ...], Style] = {}
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._in_place = all(hasattr(self, name) for name in (*_RENDER_CACHES, "_data"))

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
        frame = self._current_frame()
        strip = None if frame is None else self._row_strip(frame, y)
        return super().render_line(y) if strip is None else strip

    def _current_frame(self) -> _Frame | None:
        return self._frame if self._frame_ready else self._make_frame()

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
