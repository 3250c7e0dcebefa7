"""The live feed of decisions the gate made: rules, grants, policy, reviewer (and people)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from tui.queue_state import FeedRow
from tui.risk import decision_word

SHOWN = 8


class DecidedFeed(Static):
    """The newest decisions first, one line each."""

    def show(self, rows: Iterable[FeedRow], decided_for_you: int, decided_by_you: int) -> None:
        """Render the newest rows."""
        self.border_title = f"Decided for you ({decided_for_you}) · by you ({decided_by_you})"
        lines = [_line(row) for _, row in zip(range(SHOWN), rows, strict=False)]
        empty = Content.assemble(("Nothing decided yet.", "$text-muted"))
        self.update(Content("\n").join(lines) if lines else empty)


def _line(row: FeedRow) -> Content:
    clock = time.strftime("%H:%M:%S", time.localtime(row.at))
    text = row.summary or row.action_id
    summary = text if len(text) <= 40 else text[:39] + "…"
    return Content.assemble(
        (f"{clock}  ", "$text-muted"),
        decision_word(row.decision),
        f"  {'you' if row.source == 'user' else row.source:<9} ",
        (f"{row.agent[:12]:<13}", "$text-muted"),
        (f"{summary:<41}", "" if row.summary else "$text-muted"),
        (row.message[:60], "$text-muted"),
    )
