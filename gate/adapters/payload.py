"""Reading a hook's JSON payload from stdin, strictly: anything odd is an error, never a pass."""

from __future__ import annotations

import json
import os
from typing import Any

from gate.adapters import transcript


class PayloadError(ValueError):
    """The hook's stdin is not the JSON object the agent documents."""


def load(raw: str | bytes) -> dict[str, Any]:
    """The hook payload: an object with a string `tool_name` and an object `tool_input`.

    Raises:
        PayloadError: not JSON, not an object, or without those fields.
    """
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise PayloadError(f"the hook input is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise PayloadError("the hook input is not a JSON object")
    if not isinstance(payload.get("tool_name"), str) or not payload["tool_name"]:
        raise PayloadError("the hook input has no tool_name")
    if not isinstance(payload.get("tool_input"), dict):
        raise PayloadError("the hook input has no tool_input object")
    return payload


def text(inputs: dict[str, Any], *names: str) -> str:
    """The first of these fields that is a non-empty string.

    Raises:
        PayloadError: none is.
    """
    for name in names:
        value = inputs.get(name)
        if isinstance(value, str) and value:
            return value
    raise PayloadError(f"the tool input has no {' or '.join(names)}")


def absolute(path: str, cwd: str) -> str:
    """A tool's path made absolute against the session's directory."""
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))


def complete(action: dict[str, Any], payload: dict[str, Any], agent: str) -> dict[str, Any]:
    """Add who asks, where, and the task from the transcript to a mapped action."""
    session = payload.get("session_id")
    return {
        "executor": "agent",
        **action,
        "cwd": cwd_of(payload),
        "agent": {"name": agent, "session": session if isinstance(session, str) else ""},
        "context": transcript.context(payload.get("transcript_path")),
    }


def cwd_of(payload: dict[str, Any]) -> str:
    """The session's working directory (the shim's own when the payload has none)."""
    cwd = payload.get("cwd")
    return cwd if isinstance(cwd, str) and os.path.isabs(cwd) else os.getcwd()
