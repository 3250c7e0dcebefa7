"""The top line: counts, auto-review, approval policy, sandbox mode, which gate, the time."""

from __future__ import annotations

import time

from textual.content import Content
from textual.events import Resize
from textual.widgets import Static

from tui.queue_state import QueueState


class HeaderBar(Static):
    """Counts and settings at a glance; `origin` says whether this console started the gate.

    The line fits its width: the time and which gate (unless it is lost), then the reviewer's
    model, then the count decided for you give way, in that order, to a shorter line.
    """

    _shown: tuple[QueueState, str, float] | None = None

    def show(self, state: QueueState, origin: str, now: float) -> None:
        """Render from the console's view of the gate."""
        self._shown = (state, origin, now)
        width = self.content_region.width or self.app.size.width
        for short in range(4):
            line = _line(state, origin, now, short, width)
            if line.cell_length <= width:
                break
        self.update(line, layout=False)  # one line, always: no layout pass needed

    def on_resize(self, event: Resize) -> None:
        if self._shown is not None:
            self.show(*self._shown)


def _line(state: QueueState, origin: str, now: float, short: int, width: int) -> Content:
    """The header at a level of shortness: 0 says everything, 3 only what matters most."""
    toggles = state.toggles
    mode = toggles.get("sandbox_mode", "?")
    on = "on" if toggles.get("auto_review") and state.reviewer else "off"
    if state.reviewer is None:
        review = "auto-review off (no model set)" if short < 2 else "review off"
    else:
        review = f"auto-review {on} ({state.reviewer})" if short < 2 else f"review {on}"
    decided = f"{state.decided_for_you} decided for you" if short < 3 else ""
    waiting = f"{len(state.pending)} waiting"
    left = [
        Content.assemble((" Warden ", "bold reverse $primary"), " "),
        Content.assemble((waiting, "bold $warning")) if state.pending else Content(waiting),
    ]
    parts = [decided, review, toggles.get("approval_policy", "?")]
    left += [Content(f" · {part}") for part in parts if part]
    left.append(
        Content.assemble(" · ", (mode, "bold $error" if mode == "danger-full-access" else ""))
    )
    if state.problems:
        broken = f"{len(state.problems)} rules file(s) broken" if short < 3 else "rules broken"
        left.append(Content.assemble(" · ", (broken, "$error")))
    lost = origin.startswith("no gate")
    if short < 1 or lost:
        left.append(Content.assemble(" · ", (origin, "$error" if lost else "$text-muted")))
    line = Content("").join(left)
    if short < 1:  # the time, right-aligned
        clock = time.strftime("%H:%M:%S", time.localtime(now))
        gap = max(2, width - line.cell_length - len(clock))
        line = Content.assemble(line, " " * gap, (clock, "$text-muted"))
    return line
