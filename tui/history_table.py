"""The history screen's table: decisions one per line under a header, only the rows on screen drawn.

Textual's `DataTable` renders each cell through Rich and takes a page of rows at a time; with ten
thousand decisions, opening the screen took a quarter of a second. This table holds every row and
draws a line from a few strings, so opening and moving cost what thirty rows do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from tui.history_source import row_cells

WIDE = 100  # from this width on, the table shows dates and sessions
DECISION_STYLES = {"allow": "$success", "deny": "bold $error"}
STRIPS_KEPT = 2000  # drawn lines kept for the next frames
NEAR_END = 50  # rows from the end at which the table asks for more


def columns(width: int) -> list[tuple[str, int]]:
    """The columns' labels and widths for a table `width` cells wide (the summary: the rest)."""
    wide = width >= WIDE
    fixed = [
        ("time", 14 if wide else 8),
        ("agent · session" if wide else "agent", 25 if wide else 12),
        ("kind", 7),
        ("summary", 0),
        ("decision", 8),
        ("source", 11 if wide else 9),
    ]
    rest = width - sum(w + 2 for _, w in fixed) - 2  # two cells between columns, and at the ends
    return [(label, w or max(8, rest)) for label, w in fixed]


class HistoryTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Decided records (newest first); `enter` or a double click opens the one under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "history-table--header",
        "history-table--even-row",
        "history-table--cursor",
    }
    DEFAULT_CSS = """
    HistoryTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        & > .history-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .history-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .history-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .history-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .history-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Selected(Message):
        """`enter` (or a double click) on a row."""

        table: HistoryTable
        record: dict[str, Any]

        @property
        def control(self) -> HistoryTable:
            """The table that sent it."""
            return self.table

    class NearEnd(Message):
        """The cursor came within a screenful or so of the last row: more rows are welcome."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[dict[str, Any]] = []
        self._strips: dict[tuple[Any, ...], Strip] = {}

    def show(self, rows: list[dict[str, Any]], keep_cursor: bool = True) -> None:
        """Replace the rows; the cursor stays on its record when `keep_cursor` and it is there."""
        current = self.current
        self.rows = list(rows)  # a copy: the caller's list may change before the next call
        self.virtual_size = Size(0, len(rows) + 1)  # no sideways scrolling: no width to follow
        row = 0
        if keep_cursor and current is not None:
            row = next((n for n, r in enumerate(rows) if r is current), 0)
        self.cursor_row = row
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    @property
    def current(self) -> dict[str, Any] | None:
        """The record under the cursor (None when the table is empty)."""
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height - 1  # the header takes a line
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif height > 0 and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        if new >= len(self.rows) - NEAR_END:
            self.post_message(self.NearEnd())
        self.refresh()

    def action_cursor_up(self) -> None:
        """The newer row."""
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        """The older row."""
        self.cursor_row += 1

    def action_first(self) -> None:
        """The newest row."""
        self.cursor_row = 0

    def action_last(self) -> None:
        """The oldest row read so far."""
        self.cursor_row = len(self.rows) - 1

    def action_page_up(self) -> None:
        """Up by a screenful."""
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        """Down by a screenful."""
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_select(self) -> None:
        """Open the record under the cursor."""
        if (record := self.current) is not None:
            self.post_message(self.Selected(self, record))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return  # the header
        row = self.scroll_offset.y + offset.y - 1
        if row < len(self.rows):
            self.cursor_row = row
            if event.chain > 1:
                self.action_select()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._strip(("header",), width, lambda: self._header(width), "header")
        row = self.scroll_offset.y + y - 1
        if row >= len(self.rows):
            return Strip.blank(width, self.visual_style.rich_style)
        record = self.rows[row]
        part = "cursor" if row == self.cursor_row else "even-row" if row % 2 else ""
        key = (record["seq"], part, part == "cursor" and self.has_focus)
        return self._strip(key, width, lambda: self._row(record, width), part)

    def _strip(
        self, key: tuple[Any, ...], width: int, content: Callable[[], Content], part: str
    ) -> Strip:
        """A drawn line, kept until its record, style, width or theme changes."""
        key = (*key, width, self.app.theme)
        if (strip := self._strips.get(key)) is None:
            if len(self._strips) > STRIPS_KEPT:
                self._strips.clear()
            style = self.get_visual_style(f"history-table--{part}") if part else self.visual_style
            strip = Visual.to_strips(self, content(), width, 1, style, pad=True)[0]
            self._strips[key] = strip
        return strip

    def _header(self, width: int) -> Content:
        return Content(" ").join(Content(f" {label[:w]:<{w}}") for label, w in columns(width))

    def _row(self, record: dict[str, Any], width: int) -> Content:
        cells = row_cells(record, width >= WIDE)
        pieces = []
        for (_label, w), text, style in zip(
            columns(width),
            cells,
            ("dim", "", "", "", DECISION_STYLES.get(cells[4], ""), ""),
            strict=True,
        ):
            cut = text if len(text) <= w else text[: max(1, w - 1)] + "…"
            pieces.append(Content.assemble(" ", (f"{cut:<{w}}", style)))
        return Content(" ").join(pieces)
