"""The default screen: what waits for a person, the selected action in full, what was decided."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal

from tui.action_detail import ActionDetail
from tui.action_list import ActionList
from tui.decided_feed import DecidedFeed
from tui.decision_keys import PRIMARY_KEYS, DecisionScreen
from tui.demo import DemoNotice
from tui.detail_screen import DetailScreen
from tui.header_bar import HeaderBar
from tui.key_bar import KeyBar


class QueueScreen(DecisionScreen):
    """Pending list and detail side by side, the decided feed below, keys in the footer."""

    # Screen classes for the layout at 80x24 and 200x50 (app.tcss). Textual declares these as
    # instance variables, so a ClassVar annotation here would not type-check.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (100, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-short"),
        (30, "-tall"),
        (45, "-huge"),
    ]

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        if self.warden.demo:
            yield DemoNotice(id="notice")
        with Horizontal(id="queue"):
            yield ActionList(id="waiting")
            yield ActionDetail(id="detail")
        yield DecidedFeed(id="feed")
        yield KeyBar(PRIMARY_KEYS, id="keys")

    @property
    def waiting(self) -> ActionList:
        """The list of pending actions."""
        return self.query_one(ActionList)

    def refresh_view(self) -> None:
        """Redraw everything from the app's view of the gate (drawn when this screen shows)."""
        if not self.is_attached or not self.query(HeaderBar):
            return  # not composed yet, or closing
        app, now = self.warden, self.warden.clock()
        pending = list(app.state.pending.values())
        self.query_one(HeaderBar).show(app.state, app.origin, now)
        if app.demo:
            self.query_one(DemoNotice).show(app.demo_status)
        self.waiting.show(pending, now)
        self.query_one(DecidedFeed).show(
            app.state.feed, app.state.decided_for_you, app.state.decided_by_you
        )
        self._show_detail()
        self._refresh_keys()

    @on(ActionList.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()
        self._refresh_keys()

    @on(ActionList.Selected)
    def _open_detail(self) -> None:
        """`enter`: the selected action's detail on a screen of its own (escape comes back).

        Coming back redraws this screen as it was, with no restyle or layout pass (Textual's
        `maximize` did both, twice).
        """
        self.warden.show_kept(DetailScreen.NAME, lambda: DetailScreen(self.waiting))
