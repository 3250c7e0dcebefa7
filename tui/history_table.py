"""The history screen's table: decisions one per line under a header, only the rows on screen drawn.

Textual's `DataTable` renders each cell through Rich and takes a page of rows at a time; with ten
thousand decisions, opening the screen took a quarter of a second. This table (a `CursorList`)
draws a line from a few strings, and only the lines on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.content import Content
from textual.message import Message
from textual.strip import Strip

from tui.cursor_list import CursorList
from tui.history_source import row_cells

WIDE = 100  # from this width on, the table shows dates and sessions
DECISION_STYLES = {"allow": "$success", "deny": "bold $error"}
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


class HistoryTable(CursorList):
    """Decided records (newest first); `enter` or a double click opens the one under the cursor."""

    HEADER = 1
    COMPONENT_CLASSES: ClassVar[set[str]] = {"history-table--header", "history-table--even-row"}
    DEFAULT_CSS = """
    HistoryTable {
        background: $surface;
        color: $foreground;
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
    }
    """

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

    @property
    def row_count(self) -> int:
        """How many records are in the table."""
        return len(self.rows)

    def show(self, rows: list[dict[str, Any]], keep_cursor: bool = True) -> None:
        """Replace the rows; the cursor stays on its record when `keep_cursor` and it is there."""
        current = self.current
        self.rows = list(rows)  # a copy: the caller's list may change before the next call
        self.rows_changed()
        row = 0
        if keep_cursor and current is not None:
            row = next((n for n, r in enumerate(rows) if r is current), 0)
        self.cursor = row
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)

    @property
    def current(self) -> dict[str, Any] | None:
        """The record under the cursor (None when the table is empty)."""
        return None if self.cursor is None else self.rows[self.cursor]

    def cursor_moved(self, cursor: int | None) -> None:
        if cursor is None or cursor >= len(self.rows) - NEAR_END:
            self.post_message(self.NearEnd())

    def action_select(self) -> None:
        """Open the record under the cursor."""
        if (record := self.current) is not None:
            self.post_message(self.Selected(self, record))

    def render_line(self, y: int) -> Strip:
        if y < self.HEADER:
            width = self.scrollable_content_region.width
            return self.kept_strip(
                ("header",), lambda: self._header(width), "history-table--header"
            )
        row = self.scroll_offset.y + y - self.HEADER
        if row >= len(self.rows):
            return self.blank_line()
        record = self.rows[row]
        width = self.scrollable_content_region.width
        if row == self.cursor:
            key, component = (record["seq"], self.has_focus), "cursor-list--cursor"
        else:
            key, component = (record["seq"], False), "history-table--even-row" if row % 2 else ""
        return self.kept_strip(key, lambda: self._row(record, width), component)

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
