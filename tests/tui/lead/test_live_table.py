"""The wallboard's LiveTable draws exactly what Textual's DataTable draws for the same cells,
after any number of in-place updates: no stale cell survives its own repaint path."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from cscdesk.tui.lead.rows import sort_value
from cscdesk.tui.lead.tables import LiveTable

COLUMNS = [("name", "Agent"), ("state", "State"), ("time", "In state")]
SIZE = (70, 12)  # 12 lines: the header and 11 rows on screen, the rest below the fold


def rows(tick: int) -> dict[str, tuple[str | Text, ...]]:
    """Twenty agents; every time-in-state ticks (half of them past an hour), one agent in
    three changes state."""
    table: dict[str, tuple[str | Text, ...]] = {}
    for n in range(20):
        state: str | Text = "talking" if (n + tick) % 3 else Text("break", style="bold red")
        name = f"agent {n:02d}" if n != 4 else "agent with a name far wider than its column"
        name = "agent :100:" if n == 5 else name  # an emoji code, drawn as the emoji
        clock = f"0:{(n + tick) % 60:02d}" if n % 2 else f"1:{(n + tick) % 60:02d}:05"
        table[f"a{n}"] = (name, state, clock if n != 7 else "")
    return table


class Board(App[None]):
    def __init__(self, table: DataTable) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def screen_lines(table: DataTable, fill) -> list[list[object]]:  # type: ignore[no-untyped-def,type-arg]
    """The table's on-screen lines, segment by segment (text and style), after ``fill``: each
    line as the table draws it, then as the screen gets it (widget styles and filters on)."""
    app = Board(table)
    async with app.run_test(size=SIZE) as pilot:
        await fill(table, pilot)
        await pilot.pause()
        drawn = [list(table.render_line(y)) for y in range(SIZE[1])]
        return drawn + [list(strip) for strip in table.render_lines(Region(0, 0, *SIZE))]


@pytest.mark.parametrize(
    ("cursor_row", "hover_line"),
    [(2, None), (0, 6)],  # row 0 holds a styled (Text) state cell; line 6 is under the mouse
)
async def test_in_place_updates_draw_what_datatable_draws(
    cursor_row: int, hover_line: int | None
) -> None:
    async def point(table: DataTable, pilot) -> None:  # type: ignore[no-untyped-def,type-arg]
        table.move_cursor(row=cursor_row)
        if hover_line is not None:
            await pilot.hover(offset=(3, hover_line))

    async def updated_in_place(table: LiveTable, pilot) -> None:  # type: ignore[no-untyped-def]
        table.sync(rows(0))
        await pilot.pause()
        await point(table, pilot)
        for tick in range(1, 4):
            table.sync(rows(tick))
            await pilot.pause()

    async def drawn_once(table: DataTable, pilot) -> None:  # type: ignore[no-untyped-def,type-arg]
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        for key, cells in rows(0).items():  # the same column widths as the live table's
            table.add_row(*cells, key=key)
        await pilot.pause()
        for key, cells in rows(3).items():
            for (column, _), value in zip(COLUMNS, cells, strict=True):
                table.update_cell(key, column, value)
        await point(table, pilot)

    live = await screen_lines(LiveTable(COLUMNS), updated_in_place)
    reference = await screen_lines(DataTable(cursor_type="row", zebra_stripes=True), drawn_once)
    assert "1:03:05" in "".join(segment.text for segment in live[1])  # type: ignore[attr-defined]
    assert live == reference


async def test_sync_writes_only_changed_cells_of_rows_in_view() -> None:
    table = LiveTable(COLUMNS)
    async with Board(table).run_test(size=SIZE) as pilot:
        assert table.sync(rows(0)) == 60  # twenty new rows of three cells
        await pilot.pause()
        assert table.sync(rows(0)) == 0
        changed = rows(1)
        written = table.sync(changed)
        in_view = [f"a{n}" for n in range(SIZE[1] - 1)]  # the header, then rows a0 to a10
        assert written == sum(
            old != new
            for key in in_view
            for old, new in zip(rows(0)[key], changed[key], strict=True)
        )
        assert str(table.get_cell("a1", "time")) == "0:02"
        assert str(table.get_cell("a19", "time")) == "0:20"  # read below the fold: the newest


def screen_segments(app: App[None]) -> list[list[object]]:
    """What the screen shows, line by line, as the compositor puts it together (the table's
    kept lines included): text and style of every segment."""
    return [list(strip) for strip in app.screen._compositor.render_strips()]


async def after_polls(table: DataTable, pilot, ticks: int) -> None:  # type: ignore[no-untyped-def,type-arg]
    """The table shown at tick 0, then updated ``ticks`` times: in place for the live table
    (rows below the fold wait), cell by cell with ``update_cell`` for DataTable."""
    if isinstance(table, LiveTable):
        for tick in range(ticks + 1):
            table.sync(rows(tick))
            await pilot.pause()
        return
    for key, label in COLUMNS:
        table.add_column(label, key=key)
    for key, cells in rows(0).items():
        table.add_row(*cells, key=key)
    await pilot.pause()
    for key, cells in rows(ticks).items():
        for (column, _), value in zip(COLUMNS, cells, strict=True):
            table.update_cell(key, column, value)
    await pilot.pause()


async def shown_after(table: DataTable, keys: list[str], size: tuple[int, int] | None = None):  # type: ignore[no-untyped-def,type-arg]
    """The screen after three polls, then the keys pressed on the focused table, then the
    terminal resized to ``size``."""
    app = Board(table)
    app.animation_level = "none"  # scrolled at once, as the screen is then read
    async with app.run_test(size=SIZE) as pilot:
        await after_polls(table, pilot, 3)
        table.focus()
        await pilot.press(*keys)
        if size is not None:
            await pilot.resize_terminal(*size)
        await pilot.pause()
        return screen_segments(app)


def texts(lines: list[list[object]]) -> str:
    return "\n".join("".join(segment.text for segment in line) for line in lines)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "keys",
    [["ctrl+end"], ["down"] * 14, ["pagedown"], ["ctrl+end"] + ["up"] * 12],
    ids=["bottom", "line by line", "page down", "back up"],
)
async def test_rows_scrolled_into_view_by_keyboard_show_the_newest_cells(keys: list[str]) -> None:
    live = await shown_after(LiveTable(COLUMNS), keys)
    reference = await shown_after(DataTable(cursor_type="row", zebra_stripes=True), keys)
    assert "agent 00" not in texts(live)  # scrolled: rows from below the first fold show
    assert live == reference


async def test_the_last_row_scrolled_to_shows_its_newest_time_in_state() -> None:
    shown = texts(await shown_after(LiveTable(COLUMNS), ["ctrl+end"])).splitlines()
    last = next(line for line in shown if "agent 19" in line)
    assert "0:22" in last  # at the third poll; 0:19 was its first


async def test_rows_a_taller_terminal_brings_into_view_show_the_newest_cells() -> None:
    taller = (SIZE[0], 24)
    live = await shown_after(LiveTable(COLUMNS), [], taller)
    reference = await shown_after(DataTable(cursor_type="row", zebra_stripes=True), [], taller)
    assert "0:22" in texts(live)  # agent 19, below the fold until the resize
    assert live == reference


async def test_sorting_orders_rows_below_the_fold_by_their_newest_cells() -> None:
    async def sorted_by_time(table: DataTable) -> list[str]:  # type: ignore[type-arg]
        app = Board(table)
        async with app.run_test(size=SIZE) as pilot:
            await after_polls(table, pilot, 3)
            table.sort("time", key=sort_value)
            await pilot.pause()
            return [str(row.key.value) for row in table.ordered_rows]

    live = await sorted_by_time(LiveTable(COLUMNS))
    assert live == await sorted_by_time(DataTable(cursor_type="row", zebra_stripes=True))
    # a9 (in view, 0:12) before a11 (below the fold: 0:14 now, 0:11 at the first poll)
    assert live.index("a9") < live.index("a11")


async def test_a_wider_cell_below_the_fold_widens_its_column_at_once() -> None:
    """A full update widens a column for a cell wider than it wherever the row is: so does
    the live table, though it leaves the rest of that row's cells for later."""
    marked = "talking · coached by lead 01"

    def polls(tick: int) -> dict[str, tuple[str | Text, ...]]:
        table = rows(tick)
        if tick >= 2:  # agent 19, below the fold, is now coached
            table["a19"] = (table["a19"][0], marked, table["a19"][2])
        return table

    async def updated_in_place(table: LiveTable, pilot) -> None:  # type: ignore[no-untyped-def]
        for tick in range(4):
            table.sync(polls(tick))
            await pilot.pause()

    async def drawn_once(table: DataTable, pilot) -> None:  # type: ignore[no-untyped-def,type-arg]
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        for key, cells in polls(3).items():
            table.add_row(*cells, key=key)
        await pilot.pause()

    async def screen(table: DataTable, fill) -> list[list[object]]:  # type: ignore[no-untyped-def,type-arg]
        app = Board(table)
        async with app.run_test(size=SIZE) as pilot:
            await fill(table, pilot)
            await pilot.pause()
            return screen_segments(app)

    live = await screen(LiveTable(COLUMNS), updated_in_place)
    assert live == await screen(DataTable(cursor_type="row", zebra_stripes=True), drawn_once)
    assert marked not in texts(live)  # its row is below the fold; its column is as wide


async def test_a_cell_that_keeps_its_text_but_changes_colour_is_repainted() -> None:
    """rich's Text equality ignores the style: a group name turning from warning to critical
    colour (its worst alert escalated) must still be written and drawn."""
    warning, critical = Text("sg01", style="bold black on yellow"), Text("sg01", style="red")

    async def updated_in_place(table: LiveTable, pilot) -> None:  # type: ignore[no-untyped-def]
        table.sync({"q0": ("sg00", "0", "0:00"), "q1": (warning, "3", "0:10")})
        await pilot.pause()
        table.sync({"q0": ("sg00", "0", "0:00"), "q1": (critical, "3", "0:10")})

    async def drawn_once(table: DataTable, pilot) -> None:  # type: ignore[no-untyped-def,type-arg]
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.add_row("sg00", "0", "0:00", key="q0")  # the cursor's row
        table.add_row(critical, "3", "0:10", key="q1")

    live = await screen_lines(LiveTable(COLUMNS), updated_in_place)
    assert live == await screen_lines(DataTable(cursor_type="row", zebra_stripes=True), drawn_once)


class Framed(App[None]):
    """The table under a banner taller than the rest of the screen (the screen scrolls to
    show the table's lower rows), or in a tab behind another one."""

    CSS = "Screen > DataTable { height: 21; max-height: 21; }"  # every row: the screen scrolls

    def __init__(self, table: DataTable, tabbed: bool) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.table, self.tabbed = table, tabbed
        self.animation_level = "none"

    def compose(self) -> ComposeResult:
        if not self.tabbed:
            yield Static("banner\n" * 8)
            yield self.table
            return
        with TabbedContent(id="tabs"):
            with TabPane("Agents", id="agents"):
                yield self.table
            with TabPane("Other", id="other"):
                yield Static("something else")


async def shown_in_frame(table: DataTable, tabbed: bool) -> list[list[object]]:  # type: ignore[type-arg]
    """The table drawn, then polls while it is partly scrolled out of the screen or in a
    hidden tab, then the screen scrolled to its end or its tab shown again."""
    app = Framed(table, tabbed)
    async with app.run_test(size=SIZE) as pilot:
        await after_polls(table, pilot, 0)
        if tabbed:
            app.query_one(TabbedContent).active = "other"
        else:  # every row drawn once, then out of sight again
            app.screen.scroll_end(animate=False)
            await pilot.pause()
            app.screen.scroll_home(animate=False)
        await pilot.pause()
        for tick in range(1, 4):  # DataTable: each cell written with update_cell
            if isinstance(table, LiveTable):
                table.sync(rows(tick))
            else:
                for key, cells in rows(tick).items():
                    for (column, _), value in zip(COLUMNS, cells, strict=True):
                        table.update_cell(key, column, value)
            await pilot.pause()
        if tabbed:
            app.query_one(TabbedContent).active = "agents"
        else:
            app.screen.scroll_end(animate=False)
        await pilot.pause()
        return screen_segments(app)


@pytest.mark.parametrize("tabbed", [False, True], ids=["screen scrolled", "tab shown again"])
async def test_rows_out_of_sight_in_their_container_show_the_newest_cells(tabbed: bool) -> None:
    live = await shown_in_frame(LiveTable(COLUMNS), tabbed)
    last = next(
        line for line in texts(live).splitlines() if "agent 19" in line or "agent 01" in line
    )
    assert ("0:22" if "agent 19" in last else "0:04") in last  # at the third poll
    assert live == await shown_in_frame(DataTable(cursor_type="row", zebra_stripes=True), tabbed)
