"""The readable transcript `warden agent` prints: what the model said, each call and its fate."""

from __future__ import annotations

import json
from typing import TextIO

from sandbox.tools import ToolResult

# Lines of a result shown under its call; the model gets the whole (bounded) result.
SHOWN_LINES = 8
SHOWN_ARGUMENT = 200


class Transcript:
    """Prints the run as it happens, one block per model request.

    Args:
        out: Where to print (the terminal).
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def header(self, lines: list[str]) -> None:
        """The run's set-up: model, gate, policy, sandbox, task."""
        for line in lines:
            self._print(line)
        self._print("")

    def said(self, request: int, text: str) -> None:
        """What the model said in request `request`."""
        first, *rest = text.strip().splitlines() or [""]
        self._print(f"[{request}] model: {first}")
        for line in rest:
            self._print(f"          {line}")

    def calling(self, request: int, name: str, raw_arguments: str) -> None:
        """A tool call the model made, before it is judged."""
        self._print(f"[{request}] → {name} {_arguments(raw_arguments)}")

    def waiting(self) -> None:
        """The call is taking a while: Warden may be asking a person, or the command runs."""
        self._print(
            "    … waiting: for Warden's decision (a person at the console?) or the command"
        )

    def result(self, result: ToolResult) -> None:
        """How the call ended: the decision, then the first lines of the result."""
        decision = result.decision
        if decision is None:
            verdict = "not judged"
        elif decision.decision == "allow":
            verdict = f"allowed ({decision.source})"
        else:
            verdict = f"denied ({decision.source})"
        text = result.text
        if decision is not None and decision.decision != "allow":
            text = decision.message or "no reason given"
        lines = text.splitlines() or [""]
        mark = "✗" if result.error else "✓"
        self._print(f"    {mark} {verdict}: {lines[0]}")
        for line in lines[1 : 1 + SHOWN_LINES]:
            self._print(f"      │ {line}")
        if len(lines) > 1 + SHOWN_LINES:
            self._print(f"      │ … {len(lines) - 1 - SHOWN_LINES} more lines")

    def end(self, text: str) -> None:
        """The closing line."""
        self._print("")
        self._print(text)

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def _arguments(raw: str) -> str:
    """The call's arguments, compact: a single string argument shown bare."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        shown = raw
    else:
        if isinstance(parsed, dict) and len(parsed) == 1:
            [value] = parsed.values()
            shown = value if isinstance(value, str) else json.dumps(value)
        else:
            shown = json.dumps(parsed, ensure_ascii=False)
    shown = " ".join(shown.split())
    return shown if len(shown) <= SHOWN_ARGUMENT else shown[: SHOWN_ARGUMENT - 1] + "…"
