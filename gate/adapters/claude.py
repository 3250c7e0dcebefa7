"""Claude Code: its tools as Actions, and Warden's answer as PreToolUse/PermissionRequest JSON."""

from __future__ import annotations

import shlex
from typing import Any

from gate.adapters import actions
from gate.adapters.decide import Answer
from gate.adapters.payload import PayloadError, absolute, cwd_of, text

READS = {"Read": "file_path", "NotebookRead": "notebook_path"}
SEARCHES = ("Glob", "Grep")


def to_action(payload: dict[str, Any], confine: bool = False) -> dict[str, Any]:
    """The Action for a Claude Code tool call (without agent, cwd and context).

    Args:
        payload: The hook input (`tool_name`, `tool_input`, `cwd`, …).
        confine: `Bash` will run inside `warden exec`, so it is judged as `executor: warden`.

    Raises:
        PayloadError: the tool input lacks a field its tool needs.
    """
    name, inputs, cwd = payload["tool_name"], payload["tool_input"], cwd_of(payload)
    if name == "Bash":
        action = actions.exec_(text(inputs, "command"))
        return {**action, "executor": "warden"} if confine else action
    if name in READS:
        return actions.read(absolute(text(inputs, READS[name]), cwd))
    if name in SEARCHES:
        base = absolute(inputs.get("path") or cwd, cwd)
        pattern = inputs.get("pattern") if name == "Glob" else None
        return actions.read(absolute(pattern, base) if isinstance(pattern, str) else base)
    if name in ("Write", "Edit", "MultiEdit", "NotebookEdit"):
        return _write(name, inputs, cwd)
    if name == "WebFetch":
        return actions.network(text(inputs, "url"))
    if name == "WebSearch":
        return actions.network("web-search", {"query": inputs.get("query", "")})
    return actions.tool(name, inputs)


def _write(name: str, inputs: dict[str, Any], cwd: str) -> dict[str, Any]:
    if name == "NotebookEdit":
        source = inputs.get("new_source")
        path = absolute(text(inputs, "notebook_path"), cwd)
        return actions.write(path, source if isinstance(source, str) else None)
    path = absolute(text(inputs, "file_path"), cwd)
    if name == "Write":
        content = inputs.get("content")
        if not isinstance(content, str):
            raise PayloadError("the Write input has no content")
        before = actions.old_content(path)
        return actions.write(path, content, actions.unified(path, before or "", content))
    edits = inputs.get("edits") if name == "MultiEdit" else [inputs]
    return actions.edited(path, [_edit(edit) for edit in edits or []])


def _edit(edit: Any) -> tuple[str, str, bool]:
    if not isinstance(edit, dict):
        return "", "", False
    old, new = edit.get("old_string"), edit.get("new_string")
    return str(old or ""), str(new or ""), bool(edit.get("replace_all"))


def confined(command: str) -> str:
    """The command line that runs `command` inside Warden's sandbox."""
    return shlex.join(["warden", "exec", "--", "bash", "-c", command])


def output(
    event: str, answer: Answer, payload: dict[str, Any], confine: bool = False
) -> dict[str, Any]:
    """The hook's stdout for Warden's answer.

    PreToolUse gets `allow`/`deny`/`ask` (a wait that passed is `ask`: Claude Code's own
    prompt takes over). PermissionRequest gets `allow`/`deny`, or, when the wait passed, no
    decision and a message, which leaves Claude Code's own dialog in front of the person.
    With `confine`, an allowed `Bash` call gets its command wrapped in `warden exec`.
    """
    reason = _reason(answer)
    rewrite = None
    if confine and payload["tool_name"] == "Bash" and answer.decision != "deny":
        rewrite = {**payload["tool_input"], "command": confined(payload["tool_input"]["command"])}
    if event == "PermissionRequest":
        if answer.decision == "ask":
            return {"systemMessage": reason}
        decision: dict[str, Any] = {"behavior": answer.decision}
        if answer.decision == "deny":
            decision["message"] = reason
        elif rewrite is not None:
            decision["updatedInput"] = rewrite
        return {"hookSpecificOutput": {"hookEventName": event, "decision": decision}}
    specific: dict[str, Any] = {
        "hookEventName": "PreToolUse",
        "permissionDecision": answer.decision,
        "permissionDecisionReason": reason,
    }
    if rewrite is not None:
        specific["updatedInput"] = rewrite
    return {"hookSpecificOutput": specific}


def _reason(answer: Answer) -> str:
    if answer.decision == "ask":
        return f"{answer.message}; Claude Code asks you instead"
    return f"Warden: {answer.message}" if answer.message else f"Warden: {answer.decision}"
