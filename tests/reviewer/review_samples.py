"""Actions and rules verdicts to review in tests."""

from __future__ import annotations

from typing import Any

from rules.action import Action
from rules.model import PartVerdict, Verdict

TASK = "Fix the failing test in tests/test_cart.py"


def action(kind: str = "exec", session: str = "s1", **fields: Any) -> Action:
    """An action of any kind; an exec of `pytest -q` by default."""
    if kind == "exec" and "command" not in fields and "argv" not in fields:
        fields["command"] = "pytest -q"
    fields.setdefault("context", {"task": TASK})
    return Action.model_validate(
        {
            "kind": kind,
            "cwd": "/home/dev/shop",
            "agent": {"name": "claude-code", "session": session},
            **fields,
        }
    )


def ask(text: str = "pytest -q", signals: tuple[str, ...] = ()) -> Verdict:
    """An `ask` verdict with no rule behind it (unmatched), as most reviewed actions have."""
    part = PartVerdict(text=text, decision="ask", source="fallback")
    return Verdict(decision="ask", source="fallback", parts=[part], signals=list(signals))
