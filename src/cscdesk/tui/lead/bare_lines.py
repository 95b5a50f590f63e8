"""A widget's lines as Textual's StylesCache draws them, for a widget with nothing around its
content: no border, outline, padding, titles, tint, opacity or hatch.

StylesCache.render_widget reads a dozen style rules and builds two closures for every line it
draws, to place borders and padding a bare table does not have; at 60 changed lines a poll
that was a fifth of the wallboard's repaint (bench/bench_wallboard.py). ``bare_lines`` keeps
the same line cache and dirty-line bookkeeping and applies the same line filters, so the
output is the same (the lead snapshots and tests/tui/lead/test_live_table.py check it); any
widget that has one of those styles, or a Textual whose cache looks different, gets None and
renders the usual way.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

_CACHE_PARTS = ("_cache", "_dirty_lines", "_width", "get_inner_outer")


def is_bare(widget: Widget) -> bool:
    """True when StylesCache would draw each line as the widget's own line, padded to width."""
    styles, cache = widget.styles, widget._styles_cache
    return (
        all(hasattr(cache, part) for part in _CACHE_PARTS)
        and not widget.BLANK
        and widget._border_title is None
        and widget._border_subtitle is None
        and not any(edge for edge, _ in styles.border)
        and not any(edge for edge, _ in styles.outline)
        and not any(styles.padding)
        and not styles.tint.a
        and styles.text_opacity == 1.0
        and not (styles.has_rule("hatch") and styles.hatch != "none")
        and widget.opacity == 1.0
        and not (widget.auto_links and widget.hover_style._link_id)
        and widget.content_region.size == widget.region.size
    )


def bare_lines(widget: Widget, crop: Region) -> list[Strip] | None:
    """The widget's lines in ``crop`` (None: not a bare widget, use ``render_lines``)."""
    if not is_bare(widget):
        return None
    cache = widget._styles_cache
    width, height = widget.region.size
    if width != cache._width:
        cache.clear()
        cache._width = width
    cache._simple_strip = None
    base_background, background = widget.background_colors
    inner = cache.get_inner_outer(base_background, background)[0].rich_style
    filters = widget.get_line_filters()
    dirty, kept = cache._dirty_lines, cache._cache
    strips: list[Strip] = []
    for y in crop.line_range:
        strip = kept.get(y)
        if strip is None or y in dirty:
            if y < height:
                strip = widget.render_line(y).adjust_cell_length(width, inner)
            else:
                strip = Strip.blank(width, inner)
            kept[y] = strip
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        strips.append(strip)
    dirty.difference_update(crop.line_range)
    if crop.column_span != (0, width):
        x1, x2 = crop.column_span
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips
