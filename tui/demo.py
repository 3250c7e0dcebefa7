"""The demo's notice on the queue screen: where the scripted agent works, whether anything runs."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from sandbox.demo_agent import DemoStatus


class DemoNotice(Static):
    """Two lines above the queue: what the demo is (executor on or off), and its last step."""

    def show(self, status: DemoStatus | None) -> None:
        """Render the demo agent's latest status (None: it has not started yet)."""
        if status is None:
            self.update(Content.assemble(("Demo", "bold"), ": starting the scripted agent…"))
            return
        about, _, rest = status.about.partition(" · ")
        parts = [Content.assemble((about, "bold"))]
        for part in rest.split(" · ") if rest else []:
            style = "bold $error" if part.startswith("EXECUTOR OFF") else ""
            parts.append(Content.assemble(" · ", (part, style)))
        step_style = "bold" if status.finished else "$text-muted"
        parts.append(Content.assemble("\n", (status.step, step_style)))
        self.update(Content("").join(parts))
