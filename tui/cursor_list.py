"""A list of one-line rows with a cursor, drawn a line at a time: what the queue and history share.

Only the rows on screen are drawn, and drawn lines are kept until their row, style, width or
theme changes, so a list of ten thousand rows costs what thirty do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

STRIPS_KEPT = 2000  # drawn lines kept for the next frames (a few screens' worth in each style)
# The keys that move the cursor.
MOVES = [
    Binding("up", "cursor_up", "Up", show=False),
    Binding("down", "cursor_down", "Down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
]


class CursorList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows under `HEADER` fixed lines; `cursor` is the selected row (None: no rows).

    Subclasses say how many rows there are (`row_count`), draw them (`render_line`, with
    `kept_strip`; the cursor's row in `cursor-list--cursor`), and hear of the cursor
    (`cursor_moved`) and of `enter` (`action_select`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *MOVES,
        Binding("enter", "select", "Open", show=False),
    ]
    HEADER = 0  # lines above the rows that do not scroll
    COMPONENT_CLASSES: ClassVar[set[str]] = {"cursor-list--cursor"}
    DEFAULT_CSS = """
    CursorList {
        overflow-x: hidden;
        & > .cursor-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .cursor-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor: reactive[int | None] = reactive(None, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strips: dict[tuple[Any, ...], Strip] = {}

    @property
    def row_count(self) -> int:
        """How many rows there are."""
        raise NotImplementedError

    def rows_changed(self) -> None:
        """Take a new row count: the scroll range follows, and the cursor stays within it."""
        self.virtual_size = Size(0, self.row_count + self.HEADER)  # no sideways scrolling
        self.refresh()

    def validate_cursor(self, cursor: int | None) -> int | None:
        if cursor is None or not self.row_count:
            return None
        return max(0, min(cursor, self.row_count - 1))

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        if new is not None:
            self._into_view(new)
        for row in {old, new} - {None}:
            self.refresh_line((row or 0) - self.scroll_offset.y + self.HEADER)
        self.cursor_moved(new)

    def cursor_moved(self, cursor: int | None) -> None:
        """The cursor moved (or was set again); nothing by default."""

    def _into_view(self, row: int) -> None:
        """Scroll as little as needed to show `row`."""
        top, height = self.scroll_offset.y, self.scrollable_content_region.height - self.HEADER
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height > 0 and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _step(self, rows: int) -> None:
        if self.cursor is not None:
            self.cursor += rows

    def action_cursor_up(self) -> None:
        """The row above."""
        self._step(-1)

    def action_cursor_down(self) -> None:
        """The row below."""
        self._step(1)

    def action_first(self) -> None:
        """The first row."""
        self.cursor = 0

    def action_last(self) -> None:
        """The last row."""
        self.cursor = self.row_count - 1

    def action_page_up(self) -> None:
        """Up by a screenful."""
        self._step(-max(1, self.scrollable_content_region.height - self.HEADER - 1))

    def action_page_down(self) -> None:
        """Down by a screenful."""
        self._step(max(1, self.scrollable_content_region.height - self.HEADER - 1))

    def action_select(self) -> None:
        """`enter` on the cursor's row; nothing by default."""

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.HEADER:
            return
        row = self.scroll_offset.y + offset.y - self.HEADER
        if row < self.row_count:
            self.cursor = row
            if event.chain > 1:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    def kept_strip(
        self, key: tuple[Any, ...], content: Callable[[], Content], component: str = ""
    ) -> Strip:
        """The line `content()` draws in `component`'s style (the widget's own when empty),
        kept under `key` (plus the width and theme) for the next frames."""
        width = self.scrollable_content_region.width
        key = (*key, component, width, self.app.theme)
        if (strip := self._strips.get(key)) is None:
            if len(self._strips) > STRIPS_KEPT:
                self._strips.clear()
            style = self.get_visual_style(component) if component else self.visual_style
            lines = Visual.to_strips(self, content(), width, 1, style, pad=True)
            strip = self._strips[key] = lines[0]
        return strip

    def blank_line(self) -> Strip:
        """A line below the last row."""
        return Strip.blank(self.scrollable_content_region.width, self.visual_style.rich_style)
