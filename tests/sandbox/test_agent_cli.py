"""`warden agent` end to end: the real openai client against a scripted chat-completions server,
every tool call judged by a real gate and run by real bubblewrap."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sandbox_tree import Tree, next_event

from gate.pipeline import Gate
from sandbox.agent import NOTICE_S
from sandbox.cli_agent import main
from tests.reviewer.chat_server import ChatServer, Reply

TASK = "make the README say hello world"


def call(name: str, arguments: Any, call_id: str) -> dict[str, Any]:
    """A tool call as the model sends it (`arguments` as given when a string, else as JSON)."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}


def tool_answers(request: dict[str, Any]) -> dict[str, str]:
    """The tool results a request carries, by tool call id."""
    return {m["tool_call_id"]: m["content"] for m in request["messages"] if m["role"] == "tool"}


@pytest.fixture
def workspace(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workspace as the current folder, with a README, and a user rule allowing reads in it."""
    monkeypatch.chdir(tree.workspace)
    (tree.workspace / "README").write_text("hello\n")
    rules = tree.root / "config" / "warden" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text(
        "version = 1\n\n[[path]]\n"
        f'glob = "{tree.workspace}/**"\naccess = "read"\ndecision = "allow"\n'
        'reason = "the workspace is readable"\n'
    )
    return tree.workspace


def agent(chat: ChatServer, *extra: str) -> list[str]:
    return ["--model", "test-model", "--base-url", chat.url, *extra, TASK]


def test_tool_calls_are_judged_run_confined_and_answered(
    chat: ChatServer, workspace: Path, tree: Tree, capfd: Any
) -> None:
    escape = tree.outside / "escaped"
    chat.replies = [
        Reply(content="Let me look.", tool_calls=[call("read_file", {"path": "README"}, "c1")]),
        Reply(
            content=None,
            tool_calls=[
                call(
                    "shell",
                    {"command": f"echo from-sandbox; touch made-here; touch {escape}"},
                    "c2",
                )
            ],
        ),
        Reply(content=None, tool_calls=[call("shell", {"command": "rm -rf ~"}, "c3")]),
        Reply(
            content=None,
            tool_calls=[
                call("shell", "{not json", "c4"),
                call("launch_rockets", {}, "c5"),
                call("write_file", {"path": "README"}, "c6"),
            ],
        ),
        Reply(content="Done: the README is as asked."),
    ]
    assert main(agent(chat)) == 0
    first, second, third, fourth, fifth = chat.requests
    assert first["tools"][0]["function"]["name"] == "shell"
    assert first["messages"][-1] == {"role": "user", "content": TASK}
    # The rules allow the read: the file's content reaches the model.
    assert tool_answers(second) == {"c1": "hello\n"}
    # The shell command ran in the sandbox: the workspace is writable, the outside is not.
    ran = tool_answers(third)["c2"]
    assert ran.startswith("exit code 1 · ")
    assert "ran in the sandbox (workspace-write)" in ran
    assert "from-sandbox" in ran
    assert "Read-only file system" in ran
    assert (workspace / "made-here").exists()
    assert not escape.exists()
    # The denial and its reason reach the model as the tool's result.
    assert tool_answers(fourth)["c3"].startswith("Warden denied this (builtin): recursively")
    # Broken calls are answered as tool errors, and the run goes on.
    broken = tool_answers(fifth)
    assert broken["c4"].startswith("shell: the arguments are not valid JSON")
    assert broken["c5"].startswith("unknown tool 'launch_rockets'; the tools are shell")
    assert broken["c6"] == "write_file: missing argument 'content'"
    out = capfd.readouterr().out
    assert "gate: a private headless gate" in out
    assert "[1] → read_file README" in out
    assert "✗ denied (builtin): recursively deletes" in out
    assert "done after 5 model requests." in out


def test_the_audit_log_records_every_judged_call(
    chat: ChatServer, workspace: Path, tree: Tree
) -> None:
    chat.replies = [
        Reply(content=None, tool_calls=[call("shell", {"command": "exit 4"}, "c1")]),
        Reply(content="Stopping."),
    ]
    assert main(agent(chat)) == 0
    audit = tree.root / "state" / "warden" / "audit.jsonl"
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    [decided] = [r for r in records if r["event"] == "action.decided"]
    [result] = [r for r in records if r["event"] == "action.result"]
    assert (decided["agent"], decided["executor"], decided["decision"]) == (
        "warden-agent",
        "warden",
        "allow",
    )
    assert (result["action_id"], result["exit_code"]) == (decided["action_id"], 4)


def test_stops_after_max_turns(chat: ChatServer, workspace: Path, capfd: Any) -> None:
    chat.default = Reply(content=None, tool_calls=[call("shell", {"command": "true"}, "c")])
    assert main(agent(chat, "--max-turns", "2")) == 1
    assert len(chat.requests) == 2
    assert "stopped after 2 model requests (--max-turns)" in capfd.readouterr().out


def test_unreachable_endpoint_exits_125(workspace: Path, capfd: Any) -> None:
    argv = ["--model", "m", "--base-url", "http://127.0.0.1:9/v1", TASK]
    assert main(argv) == 125
    assert "warden agent: cannot reach the model at http://127.0.0.1:9/v1/" in (
        capfd.readouterr().err
    )


def test_endpoint_error_status_exits_125(chat: ChatServer, workspace: Path, capfd: Any) -> None:
    chat.default = Reply(status=404, error="model 'test-model' not found")
    assert main(agent(chat)) == 125
    assert "answered HTTP 404: model 'test-model' not found" in capfd.readouterr().err


def test_no_model_configured_exits_125(workspace: Path, capfd: Any) -> None:
    assert main([TASK]) == 125
    assert "no model configured: pass --model, or set `model` under [agent]" in (
        capfd.readouterr().err
    )


def test_no_task_exits_125(capfd: Any) -> None:
    assert main(["--model", "m"]) == 125
    assert "no task given" in capfd.readouterr().err


def test_reviewer_endpoint_is_the_default(
    chat: ChatServer, workspace: Path, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tree.root / "config" / "warden" / "config.toml"
    config.write_text(f'[reviewer]\nmodel = "review-model"\nbase_url = "{chat.url}"\n')
    monkeypatch.setenv("WARDEN_AGENT__MODEL", "agent-model")
    chat.replies = [Reply(content="Nothing to do.")]
    # Auto-review is on for the private gate too, but no action reaches it here.
    assert main([TASK]) == 0
    assert chat.requests[0]["model"] == "agent-model"


async def test_running_gate_asks_the_person_with_the_transcript(
    chat: ChatServer, workspace: Path, served: Gate, capfd: Any
) -> None:
    chat.replies = [
        Reply(
            content="I will create the file.",
            tool_calls=[call("shell", {"command": "touch approved"}, "c1")],
        ),
        Reply(content=None, tool_calls=[call("shell", {"command": "touch refused"}, "c2")]),
        Reply(content="One of two."),
    ]
    events = served.subscribe()
    running = asyncio.create_task(asyncio.to_thread(main, agent(chat, "--policy", "never")))
    first = (await next_event(events, "queued"))["pending"]["action"]
    assert (first["command"], first["agent"]["name"]) == ("touch approved", "warden-agent")
    assert first["context"]["task"] == TASK
    assert {"role": "assistant", "text": "I will create the file."} in first["context"]["turns"]
    await asyncio.sleep(NOTICE_S + 0.5)  # long enough for the transcript to say it waits
    await served.decide(first["id"], "allow")
    second = (await next_event(events, "queued"))["pending"]["action"]
    await served.decide(second["id"], "deny", "not that one")
    assert await running == 0
    assert (workspace / "approved").exists()
    assert not (workspace / "refused").exists()
    assert tool_answers(chat.requests[2])["c2"] == "Warden denied this (user): not that one"
    out, err = capfd.readouterr()
    assert "[1] → shell touch approved\n    … waiting: for Warden's decision" in out
    assert "a gate is running; its own approval policy (untrusted) applies, not --policy never" in (
        err
    )
