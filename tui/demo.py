"""The demo's notice on the queue screen: whether anything runs, the last step, where it works."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from sandbox.demo_agent import DemoStatus


class DemoNotice(Static):
    """Above the queue: the executor's state and the agent's last step, then where it works."""

    def show(self, status: DemoStatus | None) -> None:
        """Render the demo agent's latest status (None: it has not started yet)."""
        badge = (" DEMO ", "bold reverse $warning")
        if status is None:
            self.update(Content.assemble(badge, " starting the scripted agent…"))
            return
        executor = (
            ("executor on", "$success")
            if status.executor_on
            else ("EXECUTOR OFF: nothing runs", "bold $error")
        )
        step = (status.step, "bold" if status.finished else "")
        about = (status.about, "$text-muted")
        self.update(Content.assemble(badge, " ", executor, " · ", step, "\n", about))
