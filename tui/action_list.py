"""The list of actions waiting for a person, oldest first: risk, kind, age, summary.

Only the rows on screen are drawn (`CursorList`), so a thousand waiting actions cost what thirty
do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip

from tui.cursor_list import MOVES, CursorList
from tui.queue_state import summary_of
from tui.risk import age_text, risk_word

# Below these widths the kind column goes (the summary says `read …`, `connect …` anyway),
# then the age (the detail's title has it).
KIND_FROM = 44
AGE_FROM = 30
# From this width on (200 columns), the agent and its session have a column.
AGENT_FROM = 76


class ActionList(CursorList, inherit_bindings=False):
    """Pending actions; the one under the cursor is what the keys act on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *MOVES,
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Detail", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another action (or the list emptied)."""

        action_list: ActionList
        action_id: str | None

        @property
        def control(self) -> ActionList:
            """The list that sent it."""
            return self.action_list

    @dataclass
    class Selected(Message):
        """`enter` (or a double click) on an action: show it in full."""

        action_list: ActionList
        action_id: str

        @property
        def control(self) -> ActionList:
            """The list that sent it."""
            return self.action_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}
        self._summaries: dict[str, str] = {}  # summary_of validates the action: kept
        self._now = 0.0

    @property
    def row_count(self) -> int:
        """How many actions wait."""
        return len(self._pending)

    def show(self, pending: list[dict[str, Any]], now: float) -> None:
        """Replace the rows, keeping the cursor on its action when it is still there."""
        current = self.selected_id
        self._pending, self._now = pending, now
        self._index = {p["action"]["id"]: n for n, p in enumerate(pending)}
        known = self._summaries  # summaries of actions that left are forgotten
        self._summaries = {i: known[i] for i in self._index if i in known}
        self.rows_changed()
        self.border_title = f"Waiting ({len(pending)})"
        if not pending:
            new = None
        elif current in self._index:
            new = self._index[current]
        else:  # the selected one left: the next one takes its place
            new = min(self.cursor or 0, len(pending) - 1)
        if new != self.cursor or self.selected_id != current:
            self.cursor = new

    @property
    def selected_id(self) -> str | None:
        """The id of the action under the cursor, or None when the list is empty."""
        if self.cursor is None or self.cursor >= len(self._pending):
            return None
        action_id: str = self._pending[self.cursor]["action"]["id"]
        return action_id

    def cursor_moved(self, cursor: int | None) -> None:
        self.post_message(self.Highlighted(self, self.selected_id))

    def action_select(self) -> None:
        """Open the action under the cursor."""
        if (action_id := self.selected_id) is not None:
            self.post_message(self.Selected(self, action_id))

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        if row >= len(self._pending):
            return self.blank_line()
        pending = self._pending[row]
        review = pending.get("review") or {}
        selected = row == self.cursor
        age = age_text(self._now - pending["queued_at"])
        key = (
            pending["action"]["id"],
            age,
            review.get("risk"),
            pending.get("reviewing"),
            selected and self.has_focus,  # only the selected row changes with focus
        )
        width = self.scrollable_content_region.width
        component = "cursor-list--cursor" if selected else ""
        return self.kept_strip(key, lambda: self._row(pending, age, width), component)

    def _row(self, pending: dict[str, Any], age: str, width: int) -> Content:
        action = pending["action"]
        summary = self._summaries.get(action["id"])
        if summary is None:
            summary = self._summaries[action["id"]] = summary_of(action)
        kind, aged, agent = width >= KIND_FROM, width >= AGE_FROM, width >= AGENT_FROM
        room = max(4, width - 10 - (8 if kind else 0) - (8 if aged else 0) - (16 if agent else 0))
        who = action["agent"]
        session = f"·{who['session'][:4]}" if who.get("session") else ""
        return Content.assemble(
            " ",
            risk_word(pending),
            (f"{action['kind']:<8}" if kind else "", "$text-muted"),
            (f"{age:>6}  " if aged else "", "$text-muted"),
            (f"{(who['name'][:10] + session):<16}" if agent else "", "$text-muted"),
            summary if len(summary) <= room else summary[: room - 1] + "…",
        )
