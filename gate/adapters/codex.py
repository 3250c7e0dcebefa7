"""Codex CLI: its tools as Actions, and answers that fail closed under Codex's hook handling.

Codex blocks a PreToolUse call on `permissionDecision: "deny"` (or exit 2) and rejects
`allow` and `ask` as unsupported, then runs the tool: so an allow is silence (Codex's own
approval policy still applies) and everything else is a deny. PermissionRequest knows only
`allow` and `deny`; a wait that passed is a deny.
"""

from __future__ import annotations

import re
from typing import Any

from gate.adapters import actions
from gate.adapters.decide import Answer
from gate.adapters.payload import absolute, cwd_of, text

PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$", re.M)


def to_actions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The Actions for a Codex tool call: one, or one per file an `apply_patch` touches.

    Raises:
        PayloadError: the tool input lacks a field its tool needs.
    """
    name, inputs = payload["tool_name"], payload["tool_input"]
    if name in ("Bash", "shell", "exec_command", "local_shell"):
        return [actions.exec_(text(inputs, "command", "cmd"))]
    if name == "apply_patch":
        patch = text(inputs, "command", "input", "patch")
        cwd = cwd_of(payload)
        paths = [absolute(a or b, cwd) for a, b in PATCH_FILE.findall(patch)]
        # A patch whose files cannot be read out is still judged, as a write of the cwd.
        return [actions.write(path, None, patch) for path in dict.fromkeys(paths or [cwd])]
    return [actions.tool(name, inputs)]


def output(event: str, answer: Answer) -> dict[str, Any] | None:
    """The hook's stdout for Warden's answer; None for an allowed PreToolUse (print nothing)."""
    allowed = answer.decision == "allow"
    if answer.decision == "ask":
        reason = f"{answer.message}; denied (Codex hooks cannot ask)"
    else:
        reason = f"Warden: {answer.message or answer.decision}"
    if event == "PermissionRequest":
        decision: dict[str, Any] = {"behavior": "allow" if allowed else "deny"}
        if not allowed:
            decision["message"] = reason
        return {"hookSpecificOutput": {"hookEventName": event, "decision": decision}}
    if allowed:
        return None
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }
