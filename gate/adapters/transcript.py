"""The user's task and the last turns, read from an agent's JSONL transcript (tolerantly)."""

from __future__ import annotations

import json
import os
from typing import Any

# A transcript can be large: the task is near the start, the turns at the end.
HEAD_LINES = 200
TAIL_BYTES = 256 * 1024
MAX_TURNS = 6
MAX_TEXT = 2000


def context(path: object) -> dict[str, Any]:
    """`{"task", "turns"}` from a transcript; empty when it is missing or unreadable.

    Understands Claude Code's lines (`{"type": "user", "message": {"role", "content"}}`) and
    Codex's (`{"payload": {"type": "message", "role", "content"}}`); anything else is skipped.
    """
    if not isinstance(path, str) or not path:
        return {"task": "", "turns": []}
    try:
        with open(path, "rb") as handle:
            head = [handle.readline() for _ in range(HEAD_LINES)]
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - TAIL_BYTES))
            tail = handle.read().splitlines()[1:]
    except OSError:
        return {"task": "", "turns": []}
    task = next((text for role, text in _turns(head) if role == "user"), "")
    return {"task": task, "turns": [{"role": r, "text": t} for r, t in _turns(tail)][-MAX_TURNS:]}


def _turns(lines: list[bytes]) -> list[tuple[str, str]]:
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        turn = _turn(entry) if isinstance(entry, dict) else None
        if turn is not None:
            found.append(turn)
    return found


def _turn(entry: dict[str, Any]) -> tuple[str, str] | None:
    message = entry.get("message") or entry.get("payload")
    if not isinstance(message, dict):
        return None
    role = message.get("role")
    if role not in ("user", "assistant"):
        return None
    text = _text(message.get("content"))
    # Tool results and injected context (`<environment_context>`, …) are not what anyone said.
    if not text or text.startswith("<"):
        return None
    return role, text[:MAX_TEXT]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return "\n".join(p for p in parts if isinstance(p, str)).strip()
    return ""
