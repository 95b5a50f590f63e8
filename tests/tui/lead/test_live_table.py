"""The wallboard's LiveTable draws exactly what Textual's DataTable draws for the same cells,
after any number of in-place updates: no stale cell survives its own repaint path."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

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


async def test_sync_writes_only_changed_cells() -> None:
    table = LiveTable(COLUMNS)
    async with Board(table).run_test(size=SIZE) as pilot:
        assert table.sync(rows(0)) == 60  # twenty new rows of three cells
        await pilot.pause()
        assert table.sync(rows(0)) == 0
        changed = rows(1)
        written = table.sync(changed)
        assert written == sum(
            old != new
            for before, after in zip(rows(0).values(), changed.values(), strict=True)
            for old, new in zip(before, after, strict=True)
        )
        assert str(table.get_cell("a1", "time")) == "0:02"
