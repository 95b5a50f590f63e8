"""Choice widgets whose state shows without colour: a tick or a filled mark for what is chosen,
an empty one for what is not (Textual draws the same ``X`` / ``●`` for both and tells them
apart only by colour, which a monochrome terminal or a colour-blind agent cannot see)."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton

ON, OFF = "✓", " "


class MarkedSelectionList(SelectionList[str]):
    """A selection list whose boxes read ``✓`` when chosen and blank when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        index = self.scroll_offset.y + y
        try:
            chosen = self.get_option_at_index(index).value in self._selected
        except Exception:  # a line below the last option
            return strip
        segments[1] = Segment(ON if chosen else OFF, segments[1].style)
        return Strip(segments, strip.cell_length)


class MarkedRadioButton(RadioButton):
    """``●`` for the chosen button, ``○`` for the others."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else "○"
        return super()._button


class MarkedCheckbox(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = ON if self.value else OFF
        return super()._button
