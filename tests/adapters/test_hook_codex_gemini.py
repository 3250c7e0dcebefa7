"""Codex and Gemini CLI shims against a real gate; Codex answers checked against its schemas."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hookgate import shim, shim_decided

SCHEMAS = Path("/work/shared/protocols/codex-hooks")
ASK = "frobnicate --now"
EVENTS = {"pre-tool-use": "PreToolUse", "permission-request": "PermissionRequest"}
SCHEMA_FILES = {"PreToolUse": "pre-tool-use", "PermissionRequest": "permission-request"}


def codex(event: str, command: str) -> dict[str, Any]:
    """A payload valid under Codex's own input schema for the event."""
    payload: dict[str, Any] = {
        "cwd": "/w",
        "hook_event_name": event,
        "model": "gpt-5-codex",
        "permission_mode": "default",
        "session_id": "x-1",
        "tool_input": {"command": command},
        "tool_name": "Bash",
        "transcript_path": None,
        "turn_id": "t-1",
    }
    if event == "PreToolUse":
        payload["tool_use_id"] = "call-1"
    return payload


def schema(event: str, direction: str) -> dict[str, Any]:
    path = SCHEMAS / f"{SCHEMA_FILES[event]}.command.{direction}.schema.json"
    return dict(json.loads(path.read_text()))


def checked(event: str, result: subprocess.CompletedProcess[str]) -> dict[str, Any] | None:
    """The Codex answer, validated; None for silence (exit 0, nothing printed)."""
    assert result.returncode == 0, result.stderr
    if not result.stdout:
        return None
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema(event, "output"))
    return dict(data)


def blocks(event: str, data: dict[str, Any] | None) -> bool:
    """Whether Codex, as it behaves today, stops the call on this answer."""
    if data is None:
        return False
    specific = data["hookSpecificOutput"]
    if event == "PreToolUse":
        return bool(specific.get("permissionDecision") == "deny")
    return bool(specific["decision"]["behavior"] == "deny")


@pytest.mark.parametrize("flag", list(EVENTS))
def test_codex_answers_validate_and_fail_closed(gate_socket: Path, flag: str) -> None:
    event = EVENTS[flag]
    for command, runs in (("git status", True), ("rm -rf /", False), (ASK, False)):
        payload = codex(event, command)
        jsonschema.validate(payload, schema(event, "input"))
        result = shim(
            "codex", "--event", flag, "--wait", "0.5", payload=payload, socket_path=gate_socket
        )
        data = checked(event, result)
        assert blocks(event, data) is not runs, (event, command, data)


def test_codex_pre_tool_use_allow_is_silence_and_deny_has_the_reason(gate_socket: Path) -> None:
    allowed = shim("codex", payload=codex("PreToolUse", "git status"), socket_path=gate_socket)
    assert (allowed.returncode, allowed.stdout) == (0, "")
    denied = shim("codex", payload=codex("PreToolUse", "rm -rf /"), socket_path=gate_socket)
    assert checked("PreToolUse", denied) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "Warden: recursively deletes the root, the home "
            "directory or a system directory",
        }
    }


def test_codex_timeout_denies_and_says_why(gate_socket: Path) -> None:
    payload = codex("PermissionRequest", ASK)
    result = shim("codex", "--wait", "0.5", payload=payload, socket_path=gate_socket)
    assert checked("PermissionRequest", result) == {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {
                "behavior": "deny",
                "message": "Warden did not decide within 0.5 s; denied (Codex hooks cannot ask)",
            },
        }
    }


def test_codex_apply_patch_is_judged_per_file(gate_socket: Path) -> None:
    patch = "*** Begin Patch\n*** Update File: src/a.py\n@@\n-x\n+y\n*** End Patch\n"
    payload = {**codex("PreToolUse", patch), "tool_name": "apply_patch"}
    result, action = shim_decided(
        "codex", payload=payload, socket_path=gate_socket, decision="deny", message="no"
    )
    assert (action["kind"], action["path"], action["diff"]) == ("write", "/w/src/a.py", patch)
    assert blocks("PreToolUse", checked("PreToolUse", result))


def gemini(tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": "g-1",
        "cwd": "/w",
        "hook_event_name": "BeforeTool",
        "tool_name": tool,
        "tool_input": tool_input,
    }


def test_gemini_answers(gate_socket: Path) -> None:
    def run(command: str, *args: str) -> dict[str, Any]:
        payload = gemini("run_shell_command", {"command": command})
        result = shim("gemini", *args, payload=payload, socket_path=gate_socket)
        assert result.returncode == 0, result.stderr
        return dict(json.loads(result.stdout))

    assert run("git status")["decision"] == "allow"
    assert run("rm -rf /") == {
        "decision": "deny",
        "reason": "Warden: recursively deletes the root, the home directory or a system directory",
    }
    assert run(ASK, "--wait", "0.5") == {
        "decision": "deny",
        "reason": "Warden did not decide within 0.5 s; denied",
    }


def test_gemini_replace_reaches_the_person_as_a_write(gate_socket: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("one\ntwo\n")
    edit = {"file_path": str(target), "old_string": "two", "new_string": "three"}
    result, action = shim_decided(
        "gemini", payload=gemini("replace", edit), socket_path=gate_socket, decision="allow"
    )
    assert json.loads(result.stdout)["decision"] == "allow"
    assert action["agent"] == {"name": "gemini", "session": "g-1"}
    assert "-two\n+three\n" in action["diff"]
