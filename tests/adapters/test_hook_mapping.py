"""Tool → Action tables for each agent, in process (no gate needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.adapters import claude, codex, gemini
from gate.adapters.decide import CONTENT_LIMIT, Answer
from gate.adapters.payload import PayloadError


def call(tool: str, tool_input: dict[str, Any], cwd: str = "/w") -> dict[str, Any]:
    return {"tool_name": tool, "tool_input": tool_input, "cwd": cwd, "session_id": "s"}


CLAUDE = [
    ("Bash", {"command": "ls -la"}, {"kind": "exec", "command": "ls -la"}),
    ("Read", {"file_path": "src/a.py"}, {"kind": "read", "path": "/w/src/a.py"}),
    ("NotebookRead", {"notebook_path": "/n.ipynb"}, {"kind": "read", "path": "/n.ipynb"}),
    ("Glob", {"pattern": "**/*.py"}, {"kind": "read", "path": "/w/**/*.py"}),
    ("Grep", {"pattern": "TODO", "path": "~/src"}, {"kind": "read"}),
    ("WebFetch", {"url": "http://h.example:81/p"}, {"kind": "network", "host": "h.example"}),
    ("WebSearch", {"query": "q"}, {"kind": "network", "arguments": {"query": "q"}}),
    ("mcp__gh__issue", {"n": 1}, {"kind": "tool", "tool": "mcp__gh__issue", "arguments": {"n": 1}}),
    ("Task", {"prompt": "p"}, {"kind": "tool", "tool": "Task", "arguments": {"prompt": "p"}}),
    ("NotebookEdit", {"notebook_path": "n.ipynb", "new_source": "x"}, {"kind": "write"}),
]


@pytest.mark.parametrize(("tool", "tool_input", "expected"), CLAUDE)
def test_claude_tools(tool: str, tool_input: dict[str, Any], expected: dict[str, Any]) -> None:
    action = claude.to_action(call(tool, tool_input))
    assert {k: action[k] for k in expected} == expected


def test_claude_grep_expands_the_home() -> None:
    action = claude.to_action(call("Grep", {"pattern": "x", "path": "~/src"}))
    assert action["path"] == str(Path.home() / "src")


def test_claude_write_of_a_new_file_diffs_against_nothing(tmp_path: Path) -> None:
    action = claude.to_action(
        call("Write", {"file_path": "new.txt", "content": "hi\n"}, str(tmp_path))
    )
    assert action["path"] == str(tmp_path / "new.txt")
    assert action["content"] == "hi\n"
    assert action["diff"].endswith("+hi\n")


def test_claude_multiedit_applies_edits_in_order(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("x = 1\nx = 1\n")
    edits = [
        {"old_string": "x = 1", "new_string": "y = 2", "replace_all": True},
        {"old_string": "y = 2\ny", "new_string": "z = 3\ny"},
    ]
    action = claude.to_action(
        call("MultiEdit", {"file_path": "f.py", "edits": edits}, str(tmp_path))
    )
    assert action["content"] == "z = 3\ny = 2\n"


def test_an_edit_of_an_unreadable_file_diffs_the_fragments() -> None:
    edit = {"file_path": "/nonexistent/f", "old_string": "a\n", "new_string": "b\n"}
    action = claude.to_action(call("Edit", edit))
    assert "content" not in action
    assert "-a\n+b\n" in action["diff"]


def test_big_content_is_cut_with_size_and_hash_kept() -> None:
    content = "x" * (CONTENT_LIMIT + 10)
    action = claude.to_action(call("Write", {"file_path": "/nonexistent/big", "content": content}))
    assert len(action["content"]) == CONTENT_LIMIT
    assert len(action["diff"]) <= CONTENT_LIMIT
    assert action["content_size"] == CONTENT_LIMIT + 10
    assert len(action["content_sha256"]) == 64


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [("Bash", {}), ("Read", {"file_path": 3}), ("WebFetch", {}), ("Write", {"file_path": "a"})],
)
def test_claude_inputs_missing_their_field_are_errors(
    tool: str, tool_input: dict[str, Any]
) -> None:
    with pytest.raises(PayloadError):
        claude.to_action(call(tool, tool_input))


GEMINI = [
    ("run_shell_command", {"command": "ls"}, [{"kind": "exec", "command": "ls"}]),
    ("read_file", {"file_path": "a.txt"}, [{"kind": "read", "path": "/w/a.txt"}]),
    ("list_directory", {"path": "/etc"}, [{"kind": "read", "path": "/etc"}]),
    ("read_many_files", {"paths": ["a", "/b"]}, [{"path": "/w/a"}, {"path": "/b"}]),
    ("glob", {"pattern": "*.md"}, [{"kind": "read", "path": "/w"}]),
    ("write_file", {"file_path": "o.txt", "content": "c"}, [{"kind": "write", "content": "c"}]),
    (
        "web_fetch",
        {"prompt": "sum https://a.example/x and http://b.example:8080/"},
        [{"host": "a.example", "scheme": "https"}, {"host": "b.example", "port": 8080}],
    ),
    ("google_web_search", {"query": "q"}, [{"kind": "network"}]),
    ("mcp_gh_issue", {"n": 1}, [{"kind": "tool", "tool": "mcp_gh_issue"}]),
]


@pytest.mark.parametrize(("tool", "tool_input", "expected"), GEMINI)
def test_gemini_tools(
    tool: str, tool_input: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    found = gemini.to_actions(call(tool, tool_input))
    assert [{k: a[k] for k in e} for a, e in zip(found, expected, strict=True)] == expected


def test_codex_apply_patch_names_every_file() -> None:
    patch = (
        "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: b.py\n*** Move to: c.py\n"
        "@@\n-y\n+z\n*** Delete File: /abs/d\n*** End Patch\n"
    )
    found = codex.to_actions(call("apply_patch", {"command": patch}))
    assert [a["path"] for a in found] == ["/w/a.txt", "/w/b.py", "/w/c.py", "/abs/d"]
    assert {a["kind"] for a in found} == {"write"}


def test_codex_shell_and_mcp() -> None:
    assert codex.to_actions(call("Bash", {"command": "ls"})) == [{"kind": "exec", "command": "ls"}]
    assert codex.to_actions(call("mcp__fs__read", {"p": 1}))[0]["tool"] == "mcp__fs__read"


@pytest.mark.parametrize("decision", ["allow", "deny", "ask"])
def test_codex_never_lets_an_undecided_call_through(decision: str) -> None:
    answer = Answer(decision, "m")  # type: ignore[arg-type]
    pre = codex.output("PreToolUse", answer)
    request = codex.output("PermissionRequest", answer)
    assert request is not None
    if decision == "allow":
        assert pre is None
        assert request["hookSpecificOutput"]["decision"] == {"behavior": "allow"}
    else:
        assert pre is not None
        assert pre["hookSpecificOutput"]["permissionDecision"] == "deny"
        assert request["hookSpecificOutput"]["decision"]["behavior"] == "deny"
