"""`warden hook AGENT`: the command an agent's hook runs before each tool call (stdlib only)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from gate.adapters import claude, codex, gemini
from gate.adapters.decide import HOOK_TIMEOUT, WAIT, Answer, decide
from gate.adapters.payload import complete, load

EVENTS = {"pre-tool-use": "PreToolUse", "permission-request": "PermissionRequest"}


def parser() -> argparse.ArgumentParser:
    """The `warden hook` command line."""
    parse = argparse.ArgumentParser(
        prog="warden hook",
        description="Answer an agent's tool-call hook (JSON on stdin) with Warden's decision. "
        "Any error blocks the call (exit 2).",
    )
    parse.add_argument("agent", choices=("claude-code", "codex", "gemini"))
    parse.add_argument(
        "--event",
        choices=tuple(EVENTS),
        help="the hook event (default: the payload's hook_event_name, else pre-tool-use)",
    )
    parse.add_argument(
        "--confine",
        action="store_true",
        help="claude-code: run allowed Bash calls inside `warden exec`",
    )
    parse.add_argument(
        "--wait",
        type=seconds,
        default=WAIT,
        metavar="SECONDS",
        help=f"how long to wait for a decision (default {WAIT}, below the {HOOK_TIMEOUT} s "
        "hook timeout); then Claude Code asks, Codex and Gemini CLI deny",
    )
    return parse


def seconds(text: str) -> float:
    """A positive number of seconds, for `--wait`."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("needs a positive number of seconds")
    return value


def main(argv: list[str]) -> int:
    """Run `warden hook`; exit 0 with the agent's JSON, or 2 (block) on any error.

    Args:
        argv: The arguments after `warden hook`.

    Returns:
        0 when an answer was printed, 2 when the call must be blocked for want of one.
    """
    args = parser().parse_args(argv)
    try:
        out = answer(args.agent, sys.stdin.buffer.read(), args.event, args.confine, args.wait)
    except Exception as exc:  # never fail open: whatever broke, the tool call is blocked
        print(f"Warden blocked this call: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if out is not None:
        sys.stdout.write(json.dumps(out) + "\n")
    return 0


def answer(
    agent: str, raw: bytes, event: str | None, confine: bool, wait: float
) -> dict[str, Any] | None:
    """The JSON to print for one hook call (None: print nothing, which Codex takes as no objection).

    Raises:
        Exception: the payload is malformed, or neither the gate nor the rules can decide.
    """
    payload = load(raw)
    named = str(payload.get("hook_event_name"))
    hook_event = EVENTS[event] if event else named if named in EVENTS.values() else "PreToolUse"
    if agent == "claude-code":
        decided = judge([claude.to_action(payload, confine)], payload, agent, wait)
        return claude.output(hook_event, decided, payload, confine)
    if agent == "codex":
        return codex.output(hook_event, judge(codex.to_actions(payload), payload, agent, wait))
    return gemini.output(judge(gemini.to_actions(payload), payload, agent, wait))


def judge(
    actions: list[dict[str, Any]], payload: dict[str, Any], agent: str, wait: float
) -> Answer:
    """Decide each action in turn; the first that is not allowed is the answer."""
    deadline = time.monotonic() + wait
    decided = Answer("deny", "nothing to judge")
    for action in actions:
        decided = decide(complete(action, payload, agent), max(deadline - time.monotonic(), 0.001))
        if decided.decision != "allow":
            return decided
    return decided
