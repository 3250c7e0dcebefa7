"""The live feed of decisions the gate made: rules, grants, policy, reviewer (and people)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual import events
from textual.content import Content
from textual.widgets import Static

from tui.queue_state import FeedRow
from tui.risk import decision_word

# Most rows the feed shows (its height decides how many are seen); it never holds more widgets.
SHOWN = 20
# From this width on, the agent has a column.
AGENT_FROM = 90


class DecidedFeed(Static):
    """The newest decisions first, one line each, columns fitted to the width."""

    _shown: tuple[list[FeedRow], int, int] = ([], 0, 0)
    _content: Content | None = None

    def show(self, rows: Iterable[FeedRow], decided_for_you: int, decided_by_you: int) -> None:
        """Render the newest rows."""
        newest = [row for _, row in zip(range(SHOWN), rows, strict=False)]
        self._shown = (newest, decided_for_you, decided_by_you)
        self.border_title = f"Decided for you ({decided_for_you}) · by you ({decided_by_you})"
        width = self.content_region.width or self.app.size.width - 4
        lines = [_line(row, width) for row in newest]
        empty = Content.assemble(("Nothing decided yet.", "$text-muted"))
        content = Content("\n").join(lines) if lines else empty
        if content != self._content:  # most refreshes change nothing here
            self._content = content
            self.update(content, layout=False)  # its height is fixed: no layout pass

    def on_resize(self, event: events.Resize) -> None:
        self.show(*self._shown)


def _line(row: FeedRow, width: int) -> Content:
    clock = time.strftime("%H:%M:%S", time.localtime(row.at))
    source = "you" if row.source == "user" else row.source
    agent = width >= AGENT_FROM
    # time 10, decision 7, source 10, agent 13: the rest goes to the summary and the reason.
    rest = width - 27 - (13 if agent else 0)
    summary_width = min(48, max(16, rest * 3 // 5)) if row.message else rest
    text = row.summary or row.action_id
    summary = text if len(text) <= summary_width - 1 else text[: summary_width - 2] + "…"
    return Content.assemble(
        (f"{clock}  ", "$text-muted"),
        decision_word(row.decision),
        f"  {source:<9} ",
        (f"{row.agent[:12]:<13}" if agent else "", "$text-muted"),
        (f"{summary:<{summary_width}}", "" if row.summary else "$text-muted"),
        (row.message, "$text-muted"),
    )
