"""Builders for the Actions the shims submit, and the diffs of proposed file edits."""

from __future__ import annotations

import difflib
import os
from typing import Any
from urllib.parse import urlsplit

from gate.adapters.decide import bounded

# Old content is read to show a diff only up to this size; bigger files get no diff.
DIFF_SOURCE_LIMIT = 1 << 20


def exec_(command: str) -> dict[str, Any]:
    """A shell command the agent will run."""
    return {"kind": "exec", "command": command}


def read(path: str) -> dict[str, Any]:
    """A file, folder or glob the agent will read."""
    return {"kind": "read", "path": path}


def write(path: str, content: str | None, diff: str | None = None) -> dict[str, Any]:
    """A file the agent will write: its new content (cut) and a unified diff when known."""
    return bounded({"kind": "write", "path": path}, content, diff)


def network(url: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    """A connection to the host of a URL (a bare host name is taken as https)."""
    parts = urlsplit(url if "//" in url else f"https://{url}")
    action: dict[str, Any] = {"kind": "network", "host": parts.hostname or url, "scheme": "https"}
    if parts.scheme:
        action["scheme"] = parts.scheme
    try:
        if parts.port is not None:
            action["port"] = parts.port
    except ValueError:
        pass  # a port out of range: the host alone still says where it goes
    if arguments:
        action["arguments"] = arguments
    return action


def tool(name: str, arguments: Any) -> dict[str, Any]:
    """A tool call (MCP or the agent's own) with its arguments."""
    return {
        "kind": "tool",
        "tool": name,
        "arguments": arguments if isinstance(arguments, dict) else {},
    }


def old_content(path: str) -> str | None:
    """A text file's current content, or None (missing, too big, binary, unreadable)."""
    try:
        if os.path.getsize(path) > DIFF_SOURCE_LIMIT:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def unified(path: str, old: str, new: str) -> str:
    """A unified diff of a file's old and new text."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def edited(path: str, edits: list[tuple[str, str, bool]]) -> dict[str, Any]:
    """A write action for string replacements `(old, new, replace_all)` in a file.

    With the file readable and every old string in it, the diff is over the whole file;
    otherwise it is over the replaced fragments alone.
    """
    before = old_content(path)
    after = before
    for old, new, replace_all in edits:
        if after is None or old not in after:
            after = None
            break
        after = after.replace(old, new, -1 if replace_all else 1)
    if before is not None and after is not None:
        return write(path, after, unified(path, before, after))
    fragments = "".join(unified(path, old, new) for old, new, _ in edits)
    return write(path, None, fragments)
