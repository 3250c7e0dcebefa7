"""The selected action's detail filling the screen (`enter`), with the queue's keys."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from tui.action_detail import ActionDetail
from tui.action_list import ActionList
from tui.decision_keys import PRIMARY_KEYS, DecisionScreen
from tui.header_bar import HeaderBar
from tui.key_bar import KeyBar


class DetailScreen(DecisionScreen):
    """One action in full; `j`/`k` go through the queue, a decision shows the next action.

    Args:
        waiting: The queue screen's list, which keeps the selection.
    """

    NAME = "detail"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Queue", id="detail-close"),
    ]

    def __init__(self, waiting: ActionList) -> None:
        super().__init__()
        self._waiting = waiting

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield ActionDetail(id="detail")
        yield KeyBar(PRIMARY_KEYS, id="keys")

    @property
    def waiting(self) -> ActionList:
        """The queue screen's list."""
        return self._waiting

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.refresh_view()
        self.query_one(ActionDetail).focus()  # arrows and page keys scroll a long detail

    def refresh_view(self) -> None:
        """Redraw from the app's view of the gate."""
        if not self.is_attached or not self.query(HeaderBar):
            return  # not composed yet, or closing
        app = self.warden
        self.query_one(HeaderBar).show(app.state, app.origin, app.clock())
        self._show_detail()
        self._refresh_keys()

    def action_cursor(self, step: int) -> None:
        """The next (j) or previous (k) action, here."""
        super().action_cursor(step)
        self.refresh_view()
