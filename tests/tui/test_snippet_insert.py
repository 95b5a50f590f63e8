"""F3's insertion works on any text field a form may use (the ticket form's description may be a
multi-line TextArea, its note and the wrap-up notes one-line Inputs): at the cursor, lines kept
where the field has lines, joined where it has one, nothing into a read-only field."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Static, TextArea

from cscdesk.tui.snippets import insert_text

SNIPPET = "已升级保险公司处理，\n约定答复时限 48 小时。"


class Form(App[None]):
    def compose(self) -> ComposeResult:
        yield TextArea("客户来电：", id="description")
        yield Input("备注：", id="note")
        yield TextArea("旧记录", id="history", read_only=True)
        yield Static("not a field", id="label")


async def test_insert_at_the_cursor_of_each_kind_of_field() -> None:
    app = Form()
    async with app.run_test() as pilot:
        area = app.query_one("#description", TextArea)
        area.move_cursor(area.document.end)
        assert insert_text(area, SNIPPET)
        assert area.text == "客户来电：已升级保险公司处理，\n约定答复时限 48 小时。"

        note = app.query_one("#note", Input)
        note.cursor_position = len(note.value)
        assert insert_text(note, SNIPPET)
        assert note.value == "备注：已升级保险公司处理， 约定答复时限 48 小时。"

        history = app.query_one("#history", TextArea)
        assert not insert_text(history, SNIPPET) and history.text == "旧记录"
        assert not insert_text(app.query_one("#label", Static), SNIPPET)
        await pilot.pause()
