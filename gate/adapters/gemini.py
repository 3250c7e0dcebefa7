"""Gemini CLI: its tools as Actions, and Warden's answer as BeforeTool JSON."""

from __future__ import annotations

import re
from typing import Any

from gate.adapters import actions
from gate.adapters.decide import Answer
from gate.adapters.payload import absolute, cwd_of, text

READS = ("read_file", "read_many_files", "list_directory", "glob", "search_file_content")
URL = re.compile(r"https?://[^\s\"'<>]+")


def to_actions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The Actions for a Gemini CLI tool call (one per URL for `web_fetch`).

    Raises:
        PayloadError: the tool input lacks a field its tool needs.
    """
    name, inputs, cwd = payload["tool_name"], payload["tool_input"], cwd_of(payload)
    if name == "run_shell_command":
        return [actions.exec_(text(inputs, "command"))]
    if name in READS:
        paths = inputs.get("paths") if name == "read_many_files" else None
        if isinstance(paths, list) and paths:
            return [actions.read(absolute(str(p), cwd)) for p in paths]
        where = inputs.get("file_path") or inputs.get("absolute_path") or inputs.get("path")
        return [actions.read(absolute(where if isinstance(where, str) else cwd, cwd))]
    if name == "write_file":
        path = absolute(text(inputs, "file_path"), cwd)
        content = str(inputs.get("content", ""))
        before = actions.old_content(path) or ""
        return [actions.write(path, content, actions.unified(path, before, content))]
    if name == "replace":
        path = absolute(text(inputs, "file_path"), cwd)
        old, new = str(inputs.get("old_string", "")), str(inputs.get("new_string", ""))
        return [actions.edited(path, [(old, new, bool(inputs.get("expected_replacements")))])]
    if name == "web_fetch":
        urls = URL.findall(str(inputs.get("prompt", ""))) or [text(inputs, "url")]
        return [actions.network(url) for url in dict.fromkeys(urls)]
    if name == "google_web_search":
        return [actions.network("web-search", {"query": inputs.get("query", "")})]
    return [actions.tool(name, inputs)]


def output(answer: Answer) -> dict[str, Any]:
    """BeforeTool stdout: allow or deny (a wait that passed is a deny: nothing runs unjudged)."""
    if answer.decision == "allow":
        return {"decision": "allow", "reason": f"Warden: {answer.message or 'allowed'}"}
    if answer.decision == "ask":
        return {"decision": "deny", "reason": f"{answer.message}; denied"}
    return {"decision": "deny", "reason": f"Warden: {answer.message or 'denied'}"}
