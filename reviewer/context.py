"""What the reviewer is shown: the task, recent turns, the action and the rules' verdict.

Secrets are redacted before anything is cut to size, so a key is never half-shown.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from rules.action import Action
from rules.model import Verdict
from rules.redact import redact_value

TASK_CHARS = 4_000
TURN_CHARS = 2_000
EXCERPT_CHARS = 6_000
DEFAULT_TURN_BUDGET = 1_500  # tokens for the agent's recent turns
CHARS_PER_TOKEN = 4  # a rough estimate; the endpoint's own count is used for the cap


def estimate_tokens(text: str) -> int:
    """A rough token count for text (about four characters a token)."""
    return -(-len(text) // CHARS_PER_TOKEN)


def review_document(
    action: Action,
    verdict: Verdict,
    sandbox_mode: str | None = None,
    turn_budget: int = DEFAULT_TURN_BUDGET,
) -> dict[str, Any]:
    """The JSON document the model reviews, redacted and cut to size.

    Args:
        action: the proposed action (its id is left out, so identical actions look identical).
        verdict: the rules' verdict on it.
        sandbox_mode: the sandbox mode in force, for actions Warden executes.
        turn_budget: tokens for the agent's recent turns; the oldest are left out first.

    Returns:
        `{"task", "recent_turns", "earlier_turns_left_out", "action", "rules"}`.
    """
    raw = redact_value(action.model_dump(mode="json", exclude_none=True))
    context = raw.get("context", {})
    turns, dropped = _recent_turns(context.get("turns", []), turn_budget)
    return {
        "task": _cut(context.get("task", ""), TASK_CHARS) or "(the agent did not report a task)",
        "recent_turns": turns,
        "earlier_turns_left_out": dropped,
        "action": _action(raw, sandbox_mode),
        "rules": _rules(redact_value(verdict.to_json())),
    }


def _recent_turns(turns: list[dict[str, str]], budget: int) -> tuple[list[dict[str, str]], int]:
    kept: list[dict[str, str]] = []
    for turn in reversed(turns):
        text = _cut(turn.get("text", ""), TURN_CHARS)
        budget -= estimate_tokens(text)
        if budget < 0:
            break
        kept.append({"role": turn.get("role", ""), "text": text})
    kept.reverse()
    return kept, len(turns) - len(kept)


def _action(raw: dict[str, Any], sandbox_mode: str | None) -> dict[str, Any]:
    out = {"kind": raw["kind"], "agent": raw.get("agent", {}).get("name", "unknown")}
    out.update(_target(raw))
    if "diff" in raw:
        out["diff"] = _cut(raw["diff"], EXCERPT_CHARS)
    elif "content" in raw:
        out["content"] = _cut(raw["content"], EXCERPT_CHARS)
    if "content_size" in raw:
        out["content_size"] = raw["content_size"]
    out["cwd"] = raw.get("cwd", "(unknown)")
    if raw.get("executor") == "warden":
        out["runs"] = f"in Warden's sandbox ({sandbox_mode or 'mode unknown'})"
    else:
        out["runs"] = "by the agent itself, outside any Warden sandbox"
    if raw.get("escalate"):
        out["asks_to_leave_the_sandbox"] = True
    if "justification" in raw:
        out["justification"] = _cut(raw["justification"], TURN_CHARS)
    return out


def _target(raw: dict[str, Any]) -> dict[str, Any]:
    """What the action acts on: the command, path, host or tool (and what triggered it)."""
    kind = raw["kind"]
    if kind == "exec":
        command = raw["command"] if "command" in raw else shlex.join(raw["argv"])
        return {"command": _cut(command, EXCERPT_CHARS)}
    out: dict[str, Any]
    if kind in ("read", "write"):
        out = {"path": raw["path"]}
    elif kind == "network":
        out = {k: raw[k] for k in ("host", "port", "scheme") if k in raw}
    else:
        arguments = raw.get("arguments", {})
        text = json.dumps(arguments, ensure_ascii=False)
        fits = len(text) <= EXCERPT_CHARS
        out = {"tool": raw["tool"], "arguments": arguments if fits else _cut(text, EXCERPT_CHARS)}
    if "command" in raw:
        out["triggered_by"] = _cut(raw["command"], EXCERPT_CHARS)
    return out


def _rules(verdict: dict[str, Any]) -> dict[str, Any]:
    parts = []
    for part in verdict["parts"]:
        rule = part.get("rule")
        parts.append(
            {
                "text": _cut(part["text"], TURN_CHARS),
                "decision": part["decision"],
                "decided_by": f"{rule['id']} ({Path(rule['file']).name}:{rule['line']})"
                if rule
                else part["source"],
                **({"opaque": True} if part.get("opaque") else {}),
                **({"why": part["why"]} if part.get("why") else {}),
            }
        )
    return {"decision": verdict["decision"], "parts": parts, "signals": verdict["signals"]}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[… {len(text) - limit} more characters not shown]"
