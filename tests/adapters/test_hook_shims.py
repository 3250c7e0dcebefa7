"""Claude Code's shim as a subprocess against a real gate: exact output JSON and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hookgate import shim, shim_decided

ASK = "frobnicate --now"  # unmatched: waits for a person


def claude(tool: str, tool_input: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "session_id": "c-1",
        "transcript_path": None,
        "cwd": "/w",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_1",
        **extra,
    }


def out(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_allowed_bash(gate_socket: Path) -> None:
    payload = claude("Bash", {"command": "git status"})
    specific = out(shim("claude-code", payload=payload, socket_path=gate_socket))
    assert specific["hookSpecificOutput"]["permissionDecision"] == "allow"
    assert "updatedInput" not in specific["hookSpecificOutput"]


def test_denied_bash_carries_the_rules_reason(gate_socket: Path) -> None:
    payload = claude("Bash", {"command": "rm -rf /"})
    assert out(shim("claude-code", payload=payload, socket_path=gate_socket)) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "Warden: recursively deletes the root, the home "
            "directory or a system directory",
        }
    }


def test_a_person_denies_a_fetch_with_a_message(gate_socket: Path) -> None:
    payload = claude("WebFetch", {"url": "https://example.org:8443/x", "prompt": "p"})
    result, action = shim_decided(
        "claude-code",
        payload=payload,
        socket_path=gate_socket,
        decision="deny",
        message="use the docs in the repo",
    )
    assert (action["kind"], action["host"], action["port"], action["executor"]) == (
        "network",
        "example.org",
        8443,
        "agent",
    )
    assert action["agent"] == {"name": "claude-code", "session": "c-1"}
    assert out(result)["hookSpecificOutput"] == {
        "hookEventName": "PreToolUse",
        "permissionDecision": "deny",
        "permissionDecisionReason": "Warden: use the docs in the repo",
    }


def test_a_wait_that_passes_answers_ask(gate_socket: Path) -> None:
    payload = claude("Bash", {"command": ASK})
    result = shim("claude-code", "--wait", "0.5", payload=payload, socket_path=gate_socket)
    assert out(result) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "ask",
            "permissionDecisionReason": "Warden did not decide within 0.5 s; "
            "Claude Code asks you instead",
        }
    }


def test_confine_rewrites_an_allowed_bash_call(gate_socket: Path) -> None:
    payload = claude("Bash", {"command": "git log --format='%an'", "description": "log"})
    result = shim("claude-code", "--confine", payload=payload, socket_path=gate_socket)
    specific = out(result)["hookSpecificOutput"]
    assert specific["permissionDecision"] == "allow"
    assert specific["updatedInput"] == {
        "command": "warden exec -- bash -c 'git log --format='\"'\"'%an'\"'\"''",
        "description": "log",
    }


def test_confine_judges_bash_as_run_by_warden(gate_socket: Path) -> None:
    # Unmatched and run by the agent, this would wait for a person; confined, the policy
    # lets it run in the sandbox.
    result = shim(
        "claude-code",
        "--confine",
        payload=claude("Bash", {"command": ASK}),
        socket_path=gate_socket,
    )
    specific = out(result)["hookSpecificOutput"]
    assert specific["permissionDecision"] == "allow"
    assert specific["updatedInput"] == {"command": "warden exec -- bash -c 'frobnicate --now'"}


def test_confine_leaves_a_denied_call_alone(gate_socket: Path) -> None:
    payload = claude("Bash", {"command": "rm -rf /"})
    specific = out(shim("claude-code", "--confine", payload=payload, socket_path=gate_socket))
    assert specific["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "updatedInput" not in specific["hookSpecificOutput"]


def test_an_edit_shows_its_diff_to_the_person(gate_socket: Path, tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text("a = 1\nb = 2\n")
    edit = {"file_path": str(target), "old_string": "b = 2", "new_string": "b = 3"}
    result, action = shim_decided(
        "claude-code", payload=claude("Edit", edit), socket_path=gate_socket, decision="allow"
    )
    assert out(result)["hookSpecificOutput"]["permissionDecision"] == "allow"
    assert (action["kind"], action["path"]) == ("write", str(target))
    assert "-b = 2\n+b = 3\n" in action["diff"]
    assert action["content"] == "a = 1\nb = 3\n"


def test_permission_request_answers(gate_socket: Path) -> None:
    event = ("--event", "permission-request")
    safe = claude("Bash", {"command": "git status"})
    assert out(shim("claude-code", *event, payload=safe, socket_path=gate_socket)) == {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    rm = claude("Bash", {"command": "rm -rf /"})
    denied = out(shim("claude-code", *event, payload=rm, socket_path=gate_socket))
    assert denied["hookSpecificOutput"]["decision"]["behavior"] == "deny"
    late = shim(
        "claude-code",
        *event,
        "--wait",
        "0.5",
        payload=claude("Bash", {"command": ASK}),
        socket_path=gate_socket,
    )
    assert out(late) == {
        "systemMessage": "Warden did not decide within 0.5 s; Claude Code asks you instead"
    }


def test_an_mcp_tool_call_reaches_the_person_with_its_arguments(gate_socket: Path) -> None:
    payload = claude("mcp__github__create_issue", {"title": "t", "body": "b"})
    result, action = shim_decided(
        "claude-code", payload=payload, socket_path=gate_socket, decision="allow"
    )
    assert out(result)["hookSpecificOutput"]["permissionDecision"] == "allow"
    assert (action["kind"], action["tool"], action["arguments"]) == (
        "tool",
        "mcp__github__create_issue",
        {"title": "t", "body": "b"},
    )


def test_task_and_turns_come_from_the_transcript(gate_socket: Path, tmp_path: Path) -> None:
    said = {"role": "assistant", "content": [{"type": "text", "text": "running it"}]}
    tool_result = {"role": "user", "content": [{"type": "tool_result", "content": "x"}]}
    lines = [
        json.dumps({"type": "user", "message": {"role": "user", "content": "fix the test"}}),
        json.dumps({"type": "assistant", "message": said}),
        "not json",
        json.dumps({"type": "user", "message": tool_result}),
    ]
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("\n".join(lines))
    payload = claude("Bash", {"command": ASK}, transcript_path=str(transcript))
    _, action = shim_decided(
        "claude-code", payload=payload, socket_path=gate_socket, decision="allow"
    )
    assert action["context"]["task"] == "fix the test"
    assert action["context"]["turns"] == [{"role": "assistant", "text": "running it"}]


def test_a_running_gate_keeps_the_shim_off_heavy_imports(gate_socket: Path) -> None:
    code = (
        "import sys; from tui.cli import main; rc = main(sys.argv[1:]); "
        "heavy = {m.split('.')[0] for m in sys.modules} & {'pydantic', 'tree_sitter', 'rules'}; "
        "print(sorted(heavy), file=sys.stderr); sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "hook", "claude-code"],
        input=json.dumps(claude("Bash", {"command": "git status"})),
        capture_output=True,
        text=True,
        env={**os.environ, "WARDEN_SOCKET": str(gate_socket)},
        timeout=30,
        check=False,
    )
    assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "allow"
    assert result.stderr.strip() == "[]"
