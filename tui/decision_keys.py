"""The keys that settle the selected action, shared by the queue and the full-screen detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.action_detail import NO_MODEL, NOT_REVIEWED, REVIEW_OFF, ActionDetail
from tui.action_list import ActionList
from tui.deny_modal import DenyModal
from tui.grant_flows import approve_always, approve_with_scope
from tui.queue_state import summary_of
from tui.session_panel import SessionPanel

if TYPE_CHECKING:
    from tui.app import WardenApp

# Actions that need a selected pending action.
ON_SELECTED = {
    "approve_once",
    "approve_session",
    "approve_always",
    "deny",
    "deny_message",
    "approve_bulk",
    "deny_bulk",
    "pause",
}
# The keys the key bar keeps when the terminal is narrow (`?` shows every key).
PRIMARY_KEYS = frozenset(
    {
        "approve-once",
        "approve-session",
        "approve-always",
        "deny",
        "deny-message",
        "re-review",
        "session-panel",
        "detail-close",
        "help",
        "quit",
    }
)


class DecisionScreen(Screen[None]):
    """A screen with an `ActionDetail` whose keys act on the action highlighted in `waiting`."""

    _keys: tuple[bool, ...] = ()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "approve_once", "Approve", id="approve-once"),
        Binding("s", "approve_session", "Session", id="approve-session"),
        Binding("a", "approve_always", "Always", id="approve-always"),
        Binding("n", "deny", "Deny", id="deny"),
        Binding("d", "deny_message", "Deny+msg", id="deny-message"),
        Binding("Y", "approve_bulk", "All yes", id="approve-bulk"),
        Binding("N", "deny_bulk", "All no", id="deny-bulk"),
        Binding("r", "rereview", "Review", id="re-review"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("t", "session_panel", "Toggles", id="session-panel"),
        Binding("h", "app.history", "History", id="history"),
        Binding("ctrl+r", "app.rules", "Rules", id="rules"),
        Binding("j", "cursor(1)", "Down", show=False, id="cursor-down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="cursor-up"),
    ]

    @property
    def warden(self) -> WardenApp:
        """The app, typed."""
        from tui.app import WardenApp

        assert isinstance(self.app, WardenApp)
        return self.app

    @property
    def waiting(self) -> ActionList:
        """The list whose highlighted action the keys act on."""
        raise NotImplementedError

    def selected(self) -> dict[str, Any] | None:
        """The highlighted pending action."""
        if self.warden.redraw_due:  # a key right after a gate event acts on the queue as it is
            self.warden.redraw()
        action_id = self.waiting.selected_id
        return self.warden.state.pending.get(action_id) if action_id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "session_panel" and self.warden.client is None:
            return None
        if action in ON_SELECTED and (self.selected() is None or self.warden.client is None):
            return None  # shown greyed out
        if action == "rereview":
            return True if self._reviewable() else None
        return True

    def _reviewable(self) -> bool:
        state, pending = self.warden.state, self.selected()
        return (
            pending is not None
            and self.warden.client is not None
            and state.reviewer is not None
            and bool(state.toggles.get("auto_review"))
            and not pending.get("reviewing")
        )

    def _refresh_keys(self) -> None:
        """Grey keys out (or back) only when that changes: the footer redraws on each refresh."""
        keys = (self.selected() is not None, self.warden.client is not None, self._reviewable())
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    def _show_detail(self) -> None:
        pending, ids = self.selected(), list(self.warden.state.pending)
        position = f"{ids.index(pending['action']['id']) + 1} of {len(ids)}" if pending else ""
        state = self.warden.state
        if state.reviewer is None:
            no_review = NO_MODEL
        else:
            no_review = NOT_REVIEWED if state.toggles.get("auto_review") else REVIEW_OFF
        self.query_one(ActionDetail).show(pending, position, self.warden.clock(), no_review)

    def action_cursor(self, step: int) -> None:
        """Move the selection (j/k)."""
        waiting = self.waiting
        waiting.action_cursor_down() if step > 0 else waiting.action_cursor_up()

    def action_session_panel(self) -> None:
        """Open the session panel: settings, grants, paused agents."""
        self.app.push_screen(SessionPanel())

    def action_approve_once(self) -> None:
        """Allow the selected action this once."""
        if pending := self.selected():
            self.decide({"action_id": pending["action"]["id"], "decision": "allow"})

    def action_deny(self) -> None:
        """Deny the selected action."""
        if pending := self.selected():
            self.decide({"action_id": pending["action"]["id"], "decision": "deny"})

    def action_deny_message(self) -> None:
        """Deny the selected action with a message to its agent."""
        if (pending := self.selected()) is None:
            return
        action_id = pending["action"]["id"]

        def deny(message: str | None) -> None:
            if message is not None:
                self.decide({"action_id": action_id, "decision": "deny", "message": message})

        self.app.push_screen(DenyModal(summary_of(pending["action"])), deny)

    def action_approve_session(self) -> None:
        """Allow the selected action and grant a scope for its session."""
        self.choose_scope("allow", bulk=False)

    def action_approve_bulk(self) -> None:
        """Allow every pending action a chosen grant covers."""
        self.choose_scope("allow", bulk=True)

    def action_deny_bulk(self) -> None:
        """Deny every pending action a chosen grant covers."""
        self.choose_scope("deny", bulk=True)

    def action_approve_always(self) -> None:
        """Allow the selected action and write a rule to the user or project rules file."""
        self.choose_always()

    def action_rereview(self) -> None:
        """Ask the gate to run the auto-reviewer again on the selected action."""
        if (pending := self.selected()) and self._reviewable():
            pending["reviewing"] = True  # "reviewing…" at once; the gate's events follow
            self._show_detail()
            self._refresh_keys()
            self.rereview(pending["action"]["id"])

    @work(group="gate", exit_on_error=False)
    async def rereview(self, action_id: str) -> None:
        """One `review` call; a refusal puts the detail back as it was."""
        if await self.warden.gate_call("review", {"action_id": action_id}) is None:
            if (pending := self.warden.state.pending.get(action_id)) is not None:
                pending["reviewing"] = False
            self.warden.refresh_queue()

    def action_pause(self) -> None:
        """Pause or resume the selected action's agent session."""
        if pending := self.selected():
            agent = pending["action"]["agent"]
            paused = self.warden.state.is_paused(agent["name"], agent.get("session", ""))
            params = {"agent": agent["name"], "session": agent.get("session", "")}
            self.call_gate("pause", {**params, "paused": not paused})

    @work(group="gate", exit_on_error=False)
    async def choose_scope(self, decision: str, bulk: bool) -> None:
        """Ask the gate for scopes, let the person choose one, then decide with it."""
        if pending := self.selected():
            await approve_with_scope(self.warden, pending, decision, bulk)

    @work(group="gate", exit_on_error=False)
    async def choose_always(self) -> None:
        """Ask for scopes and the rules file, then let the gate write the rule (or refuse)."""
        if pending := self.selected():
            await approve_always(self.warden, pending)

    def decide(self, params: dict[str, Any]) -> None:
        """Send one `decide` to the gate."""
        self.call_gate("decide", params)

    @work(group="gate", exit_on_error=False)
    async def call_gate(self, method: str, params: dict[str, Any]) -> None:
        """One gate call in the background; refusals become notifications."""
        await self.warden.gate_call(method, params)
