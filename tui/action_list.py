"""The list of actions waiting for a person, oldest first, with kind, risk and age."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.queue_state import summary_of
from tui.risk import age_text, risk_word

# Risk, kind and age come before the summary.
LEAD_WIDTH = 25


class ActionList(OptionList):
    """Pending actions as options whose ids are the action ids."""

    def show(self, pending: list[dict[str, Any]], now: float) -> None:
        """Replace the rows, keeping the highlighted action when it is still there."""
        current = self.selected_id
        self.clear_options()
        # Rows never wrap: the detail pane shows the whole command.
        width = max(12, self.scrollable_content_region.width - LEAD_WIDTH - 1)
        self.add_options(Option(_row(p, now, width), id=p["action"]["id"]) for p in pending)
        ids = [p["action"]["id"] for p in pending]
        if ids:
            self.highlighted = ids.index(current) if current in ids else 0
        self.border_title = f"Waiting ({len(ids)})"

    @property
    def selected_id(self) -> str | None:
        """The highlighted action's id, or None when the list is empty."""
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id


def _row(pending: dict[str, Any], now: float, width: int) -> Content:
    action = pending["action"]
    summary = summary_of(action)
    age = age_text(now - pending["queued_at"])
    return Content.assemble(
        risk_word(pending),
        (f"{action['kind']:<8}", "$text-muted"),
        (f"{age:>6}  ", "$text-muted"),
        summary if len(summary) <= width else summary[: width - 1] + "…",
    )
