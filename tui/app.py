"""The Warden console: attaches to a gate (or starts one) and shows the queue screen."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from gate.config import NotificationsConfig, Settings, load_config
from gate.errors import ConfigError, GateError
from gate.pipeline import Gate
from sandbox.demo_agent import DemoOptions, DemoStatus, run_demo_agent
from sandbox.errors import SandboxError
from tui.attach import Attachment, attach
from tui.attention import Attention, set_window_title, window_title
from tui.confirm_modal import ConfirmModal
from tui.console_client import ConsoleClient
from tui.detail_screen import DetailScreen
from tui.history_screen import HistoryScreen
from tui.messages import GateAttached, GateEventArrived, GateLost
from tui.queue_screen import QueueScreen
from tui.queue_state import QueueState
from tui.rules_screen import RulesScreen
from tui.session_panel import SessionPanel

# Gate events within this many seconds are drawn together.
REDRAW_S = 1 / 30
# The names the kept history and rules screens are shown under (`show_kept`).
HISTORY, RULES = "history", "rules"
# After this many gate events the long-lived state is settled out of the collector's way.
SETTLE_AFTER = 1000


class WardenApp(App[None]):
    """The console. Collaborators come in through the constructor so tests can pin them.

    Args:
        agent_socket: The gate's agent socket (the console socket is beside it).
        gate_factory: Builds the gate this console starts when none answers.
        clock: Wall-clock seconds, for ages and the header's time.
        demo: Run the scripted demo agent once attached, as these options say.
        notifications: How to call for the person (default: the config's `[notifications]`).
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Warden"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_console", "Quit", id="quit"),
        Binding("question_mark", "toggle_help", "Help", id="help"),
    ]

    def __init__(
        self,
        agent_socket: str | os.PathLike[str] | None = None,
        gate_factory: Callable[[], Gate] = Gate.from_settings,
        clock: Callable[[], float] = time.time,
        demo: DemoOptions | None = None,
        notifications: NotificationsConfig | None = None,
    ) -> None:
        super().__init__()
        self.notifications = notifications
        self.agent_socket = agent_socket
        self.gate_factory = gate_factory
        self.clock = clock
        self.demo = demo
        self.demo_status: DemoStatus | None = None
        self.state = QueueState()
        self.queue = QueueScreen()
        self.attachment: Attachment | None = None
        self.origin = "connecting…"
        self.window_title = window_title(0)
        self.redraw_due = False
        self.unsettled = 0

    @property
    def client(self) -> ConsoleClient | None:
        """The console connection, once attached."""
        return self.attachment.client if self.attachment else None

    def on_mount(self) -> None:
        try:
            settings = load_config()
        except ConfigError as exc:  # the gate reports it too when it starts; go on with defaults
            self.notify(f"{exc} (the console uses its defaults)", severity="error")
            settings = Settings.model_construct()
        self.set_keymap(settings.keymap)  # `[keymap]`: binding id → key
        if self.notifications is None:
            self.notifications = settings.notifications
        self.attention = Attention.for_app(
            self, self.waiting, self.notifications.bell, self.notifications.desktop
        )
        self.push_screen(self.queue)
        self.set_interval(1.0, self.refresh_queue)
        self.connect()

    @work(group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Attach to the gate and load its snapshot; events then arrive as messages."""
        try:
            self.attachment = await attach(
                lambda event: self.post_message(GateEventArrived(event)),
                lambda: self.post_message(GateLost("the gate closed the connection")),
                self.agent_socket,
                self.gate_factory,
            )
            snapshot = await self.attachment.client.call("watch")
        except GateError as exc:
            self.post_message(GateLost(str(exc)))
            return
        self.state.load(snapshot)
        where = self.attachment.agent_socket
        if self.attachment.server is not None:
            origin = "own gate"
            self.notify(f"No gate was running: started one. Agents connect to {where}.")
        else:
            origin = "shared gate"
        self.post_message(GateAttached(origin))
        if self.demo:
            self.run_demo(self.attachment.agent_socket)

    @work(group="demo", exit_on_error=False)
    async def run_demo(self, agent_socket: Path) -> None:
        """The scripted demo agent, in throwaway dirs; the notice shows how it goes."""
        assert self.demo is not None
        try:
            await run_demo_agent(agent_socket, self.demo, self.show_demo)
        except (GateError, SandboxError) as exc:
            self.notify(str(exc), title="The demo stopped", severity="error", timeout=30)

    def show_demo(self, status: DemoStatus) -> None:
        """Show the demo agent's status; say it aloud once when nothing can run."""
        if self.demo_status is None and not status.executor_on:
            self.notify(status.about, title="Demo: executor off", severity="warning", timeout=15)
        self.demo_status = status
        self.refresh_queue()

    async def gate_call(self, method: str, params: dict[str, Any]) -> Any:
        """Call the gate; a refusal becomes an error notification and None."""
        if self.client is None:
            self.notify("Not connected to a gate.", severity="error")
            return None
        try:
            return await self.client.call(method, params)
        except GateError as exc:
            self.notify(str(exc), title="The gate refused", severity="error", timeout=8)
            return None

    def on_gate_attached(self, message: GateAttached) -> None:
        self.origin = message.origin
        self.settle()  # the start-up objects and the snapshot live as long as the console
        if self.state.pending:
            self.attention.needed()  # actions were already waiting when the console attached
        self.refresh_queue()

    def on_gate_event_arrived(self, message: GateEventArrived) -> None:
        self.state.apply(message.event, self.clock())
        self.unsettled += 1
        if message.event.get("type") == "queued":
            self.attention.needed()
        self.retitle()
        if not self.redraw_due:  # one redraw for a burst of events, not one per event
            self.redraw_due = True
            self.set_timer(REDRAW_S, self.redraw)

    def redraw(self) -> None:
        """The redraw a burst of events asked for."""
        self.redraw_due = False
        self.refresh_queue()
        if self.unsettled >= SETTLE_AFTER:
            self.settle()

    def settle(self) -> None:
        """Collect garbage once, then keep what lives on out of later collections.

        With a thousand actions waiting, each full collection walked them all and stalled a key
        press by 30-70 ms; frozen, they are skipped (and freed as usual when they go).
        """
        self.unsettled = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def waiting(self) -> tuple[int, str]:
        """How many actions wait, and the newest one's summary (for notifications)."""
        newest = next(reversed(self.state.pending), None)
        return len(self.state.pending), self.state.seen.get(newest, ("", ""))[1] if newest else ""

    def on_gate_lost(self, message: GateLost) -> None:
        self.origin = f"no gate: {message.reason}"
        self.attachment = None
        self.notify(message.reason, title="Gate", severity="error", timeout=30)
        self.refresh_queue()

    def refresh_queue(self) -> None:
        """Redraw the queue screen and keep the window title's count current."""
        self.retitle()
        if not self.screen_stack:
            return  # the console is closing: a timer fired after its screens went
        if isinstance(self.screen, DetailScreen):
            self.queue.refresh_view()  # underneath: drawn when it shows again
        if isinstance(self.screen, QueueScreen | DetailScreen):
            self.screen.refresh_view()
        elif isinstance(self.screen, SessionPanel):
            self.screen.refresh_grants()
        elif isinstance(self.screen, HistoryScreen):
            self.screen.refresh_live()

    def retitle(self) -> None:
        """Keep the terminal title's count current (cheap: at once, not with the redraw)."""
        title = window_title(len(self.state.pending))
        if title != self.window_title:
            self.window_title = title
            set_window_title(self, title)

    async def on_unmount(self) -> None:
        if self.attachment is not None:  # ctrl+c and friends: still stop a gate started here
            attachment, self.attachment = self.attachment, None
            await attachment.close()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("History", "Every decision in the audit log", self.action_history)
        yield SystemCommand("Rules", "Edit, check and try your rules", self.action_rules)

    def action_history(self) -> None:
        """Open the history screen (every decision in the audit log)."""
        if not isinstance(self.screen, HistoryScreen):
            self.show_kept(HISTORY, HistoryScreen)

    def action_rules(self) -> None:
        """Open the rules screen (edit, check and try the rules files)."""
        if not isinstance(self.screen, RulesScreen):
            self.show_kept(RULES, RulesScreen)

    def show_kept(self, name: str, make: Callable[[], Screen[Any]]) -> None:
        """Show the screen kept under `name`, made the first time. Kept, it keeps its place,
        and showing it again (and leaving it) costs a frame, not a new screen's layout passes.
        """
        if not self.is_screen_installed(name):
            self.install_screen(make(), name)
        self.push_screen(name)

    def action_toggle_help(self) -> None:
        """Show or hide the keys panel."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    @work(group="quit", exit_on_error=False)
    async def action_quit_console(self) -> None:
        """Quit; confirm first when actions wait (a gate started here denies them on stop)."""
        waiting = len(self.state.pending)
        ours = self.attachment is not None and self.attachment.server is not None
        if waiting:
            outcome = "the gate stops and denies them" if ours else "they keep waiting"
            question = f"{waiting} action(s) waiting: quit anyway? ({outcome})"
            if not await self.push_screen_wait(ConfirmModal(question, "Quit")):
                return
        if self.attachment is not None:
            attachment, self.attachment = self.attachment, None
            await attachment.close()
        self.exit()
