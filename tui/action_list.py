"""The list of actions waiting for a person, oldest first: risk, kind, age, summary.

Virtualised: only the rows on screen are drawn, so a thousand waiting actions cost what thirty do.
"""

from __future__ import annotations

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

from tui.queue_state import summary_of
from tui.risk import age_text, risk_word

# Below these widths the kind column goes (the summary says `read …`, `connect …` anyway),
# then the age (the detail's title has it).
KIND_FROM = 44
AGE_FROM = 30
# From this width on (200 columns), the agent and its session have a column.
AGENT_FROM = 76
# Drawn rows kept for the next frames (a few screens' worth of rows in each style).
STRIPS_KEPT = 2000


class ActionList(ScrollView, can_focus=True, inherit_bindings=False):
    """Pending actions; the highlighted one is what the keys act on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("enter", "select", "Detail", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"action-list--highlighted"}
    DEFAULT_CSS = """
    ActionList {
        overflow-x: hidden;
        & > .action-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .action-list--highlighted {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The highlight moved to another action (or the list emptied)."""

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
        self._strips: dict[tuple[Any, ...], Strip] = {}
        self._now = 0.0

    def show(self, pending: list[dict[str, Any]], now: float) -> None:
        """Replace the rows, keeping the highlighted action when it is still there."""
        current = self.selected_id
        self._pending, self._now = pending, now
        self._index = {p["action"]["id"]: n for n, p in enumerate(pending)}
        known = self._summaries  # summaries of actions that left are forgotten
        self._summaries = {i: known[i] for i in self._index if i in known}
        self.virtual_size = Size(self.scrollable_content_region.width, len(pending))
        self.border_title = f"Waiting ({len(pending)})"
        if not pending:
            new = None
        elif current in self._index:
            new = self._index[current]
        else:  # the highlighted one left: the next one takes its place
            new = min(self.highlighted or 0, len(pending) - 1)
        if new != self.highlighted or self.selected_id != current:
            self.highlighted = new
        self.refresh()

    @property
    def selected_id(self) -> str | None:
        """The highlighted action's id, or None when the list is empty."""
        if self.highlighted is None or self.highlighted >= len(self._pending):
            return None
        action_id: str = self._pending[self.highlighted]["action"]["id"]
        return action_id

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._pending:
            return None
        return max(0, min(highlighted, len(self._pending) - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        if new is not None:
            self.scroll_to_region_of(new)
        for row in {old, new} - {None}:
            self.refresh_line(row or 0)  # only the two rows whose colours change
        self.post_message(self.Highlighted(self, self.selected_id))

    def scroll_to_region_of(self, row: int) -> None:
        """Keep a row in view, moving as little as possible."""
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        """Highlight the action above."""
        if self.highlighted is not None:
            self.highlighted -= 1

    def action_cursor_down(self) -> None:
        """Highlight the action below."""
        if self.highlighted is not None:
            self.highlighted += 1

    def action_first(self) -> None:
        """Highlight the oldest action."""
        self.highlighted = 0

    def action_last(self) -> None:
        """Highlight the newest action."""
        self.highlighted = len(self._pending) - 1

    def action_page_up(self) -> None:
        """Up by a screenful."""
        if self.highlighted is not None:
            self.highlighted -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        """Down by a screenful."""
        if self.highlighted is not None:
            self.highlighted += max(1, self.scrollable_content_region.height - 1)

    def action_select(self) -> None:
        """Open the highlighted action."""
        if (action_id := self.selected_id) is not None:
            self.post_message(self.Selected(self, action_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        if row < len(self._pending):
            self.highlighted = row
            if event.chain > 1:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._pending))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row >= len(self._pending):
            return Strip.blank(width, self.visual_style.rich_style)
        pending = self._pending[row]
        review = pending.get("review") or {}
        highlighted = row == self.highlighted
        age = age_text(self._now - pending["queued_at"])
        # Drawing a row is the costly part of a frame: rows are kept until they change.
        key = (
            pending["action"]["id"],
            age,
            review.get("risk"),
            pending.get("reviewing"),
            width,
            highlighted,
            highlighted and self.has_focus,  # only the highlighted row changes with focus
            self.app.theme,
        )
        if (strip := self._strips.get(key)) is None:
            if len(self._strips) > STRIPS_KEPT:
                self._strips.clear()
            style = (
                self.get_visual_style("action-list--highlighted")
                if highlighted
                else self.visual_style
            )
            content = self._row(pending, age, width)
            strip = self._strips[key] = Visual.to_strips(self, content, width, 1, style, pad=True)[
                0
            ]
        return strip

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
