"""The top line: counts, auto-review, approval policy, sandbox mode, which gate, the time."""

from __future__ import annotations

import time

from textual.content import Content
from textual.widgets import Static

from tui.queue_state import QueueState


class HeaderBar(Static):
    """Counts and settings at a glance; `origin` says whether this console started the gate."""

    def show(self, state: QueueState, origin: str, now: float) -> None:
        """Render from the console's view of the gate."""
        toggles = state.toggles
        if state.reviewer is None:
            review = "auto-review off (no model set)"
        else:
            on = "on" if toggles.get("auto_review") else "off"
            review = f"auto-review {on} ({state.reviewer})"
        mode = toggles.get("sandbox_mode", "?")
        parts = [
            Content.assemble((" Warden ", "bold reverse $primary"), " "),
            Content.assemble((f"{len(state.pending)} waiting", "bold $warning"))
            if state.pending
            else Content("0 waiting"),
            Content(f" · {state.decided_for_you} decided for you · {review}"),
            Content(f" · {toggles.get('approval_policy', '?')} · "),
            Content.assemble((mode, "bold $error" if mode == "danger-full-access" else "")),
            Content.assemble((f" · {origin}", "$text-muted")),
        ]
        if state.problems:
            parts.append(
                Content.assemble((f" · {len(state.problems)} rules file(s) broken", "$error"))
            )
        parts.append(
            Content.assemble((time.strftime("  %H:%M:%S", time.localtime(now)), "$text-muted"))
        )
        self.update(Content("").join(parts))
