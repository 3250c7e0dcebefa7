"""The shims without a gate (rules only) and with input they cannot read: never a silent pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hookgate import shim

SHELL = {"claude-code": "Bash", "codex": "Bash", "gemini": "run_shell_command"}


def payload(agent: str, command: str) -> dict[str, object]:
    return {
        "session_id": "s",
        "cwd": "/w",
        "hook_event_name": "BeforeTool" if agent == "gemini" else "PreToolUse",
        "tool_name": SHELL[agent],
        "tool_input": {"command": command},
    }


def answer(agent: str, stdout: str) -> tuple[str, str]:
    """(decision, reason) out of any agent's output; Codex's silence is an allow."""
    if not stdout:
        return "allow", ""
    data = json.loads(stdout)
    if agent == "gemini":
        return data["decision"], data["reason"]
    specific = data["hookSpecificOutput"]
    return specific["permissionDecision"], specific["permissionDecisionReason"]


@pytest.mark.parametrize("agent", list(SHELL))
@pytest.mark.parametrize(
    ("command", "decision", "reason"),
    [
        ("git status", "allow", ""),
        ("frobnicate --now", "deny", "no rule allows this; start Warden: `warden`"),
        ("rm -rf /", "deny", "blocked by Warden's rules: recursively deletes the root"),
    ],
)
def test_without_a_gate_the_rules_answer(
    agent: str, command: str, decision: str, reason: str
) -> None:
    result = shim(agent, payload=payload(agent, command))
    assert result.returncode == 0, result.stderr
    got, why = answer(agent, result.stdout)
    assert got == decision
    assert reason in why


def test_rules_that_cannot_load_block_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "requirements.toml"
    broken.write_text("version = 1\n[[command\n")
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(broken))
    for agent in SHELL:
        result = shim(agent, payload=payload(agent, "git status"))
        assert (result.returncode, result.stdout) == (2, ""), agent
        assert "Warden blocked this call" in result.stderr
        assert str(broken) in result.stderr


@pytest.mark.parametrize("agent", list(SHELL))
@pytest.mark.parametrize(
    "stdin",
    ["", "not json", "[]", '{"tool_name": "Bash"}', '{"tool_name": 3, "tool_input": {}}'],
)
def test_unreadable_input_blocks_with_exit_2(agent: str, stdin: str) -> None:
    result = shim(agent, payload=stdin)
    assert (result.returncode, result.stdout) == (2, "")
    assert "Warden blocked this call" in result.stderr


@pytest.mark.parametrize("agent", list(SHELL))
def test_a_shell_call_without_a_command_blocks(agent: str) -> None:
    bad = {**payload(agent, ""), "tool_input": {"command": ["not", "a", "string"]}}
    result = shim(agent, payload=bad)
    assert (result.returncode, result.stdout) == (2, "")
    assert "has no command" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["claude-code", "--evnt", "x"],
        ["claude-code", "--wait", "0"],
        ["codex", "--wait", "nan"],
        ["no-such-agent"],
    ],
)
def test_bad_arguments_block_with_exit_2(args: list[str]) -> None:
    result = shim(*args, payload=payload("claude-code", "git status"))
    assert (result.returncode, result.stdout) == (2, "")
