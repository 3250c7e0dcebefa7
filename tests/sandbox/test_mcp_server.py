"""`warden mcp` as an MCP client sees it: the `mcp` package's own stdio client starts it, lists
its tools and calls them, while a real gate (a console's socket) decides; real bubblewrap runs."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from sandbox_tree import Tree

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Event, Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer
from rules.action import AgentRef
from sandbox.cli_mcp import main
from sandbox.gatelink import proxied_sandbox
from sandbox.judge import LocalJudge
from sandbox.mcp_server import build_server
from sandbox.tools import GatedTools

WARDEN = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
PASSED = ("HOME", "PATH", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "WARDEN_SOCKET")


def make_gate(tree: Tree, audit: str = "audit.jsonl") -> Gate:
    """A gate under `untrusted`: only what the rules allow runs unasked."""
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tree.root / "grants.json"),
        audit=AuditLog(tree.root / audit),
        toggles=Toggles(auto_review=False, approval_policy="untrusted"),
    )


@pytest.fixture
def socket(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The agent socket `warden mcp` is told about (`$WARDEN_SOCKET`)."""
    path = tree.root / "runtime" / "gate" / "gate.sock"
    monkeypatch.setenv("WARDEN_SOCKET", str(path))
    return path


@pytest.fixture
async def served(tree: Tree, socket: Path) -> AsyncIterator[Gate]:
    """A gate on a real socket, as the console runs it."""
    gate = make_gate(tree)
    server = GateServer(gate, agent_socket=socket)
    await server.start()
    yield gate
    await server.close()


def warden_mcp(workspace: Path, *args: str) -> StdioServerParameters:
    """`warden mcp` as a client's config starts it, with this test's private dirs."""
    env = {name: os.environ[name] for name in PASSED if name in os.environ}
    env["WARDEN_REQUIREMENTS"] = os.environ["WARDEN_REQUIREMENTS"]
    return StdioServerParameters(
        command=sys.executable, args=["-c", WARDEN, "mcp", *args], env=env, cwd=workspace
    )


def text(result: types.CallToolResult) -> str:
    [block] = result.content
    assert isinstance(block, types.TextContent)
    return block.text


async def next_event(events: asyncio.Queue[Event], kind: str) -> Event:
    while (event := await asyncio.wait_for(events.get(), 20))["type"] != kind:
        pass
    return event


async def test_lists_the_gated_tools_with_their_schemas(served: Gate, tree: Tree) -> None:
    async with Client(warden_mcp(tree.workspace), mode="legacy") as client:
        assert client.server_info is not None
        assert client.server_info.name == "warden"
        listed = (await client.list_tools()).tools
    assert [t.name for t in listed] == ["shell", "read_file", "write_file", "fetch"]
    write = listed[2]
    assert write.input_schema["required"] == ["path", "content"]
    assert write.input_schema["additionalProperties"] is False
    assert listed[1].annotations is not None
    assert listed[1].annotations.read_only_hint


async def test_shell_allowed_denied_and_waiting_for_the_person(served: Gate, tree: Tree) -> None:
    events = served.subscribe()
    async with Client(warden_mcp(tree.workspace), mode="legacy") as client:
        # The rules allow it: it runs in the sandbox at once and its output comes back.
        allowed = await client.call_tool("shell", {"command": "echo hello from mcp"})
        assert not allowed.is_error
        assert text(allowed).startswith("exit code 0 · ")
        assert "ran in the sandbox (workspace-write)" in text(allowed)
        assert text(allowed).endswith("stdout:\nhello from mcp")

        # A guard blocks it: the denial and its reason come back as an error result.
        denied = await client.call_tool("shell", {"command": "rm -rf ~"})
        assert denied.is_error
        assert text(denied).startswith("Warden denied this (builtin): recursively deletes")

        # Nothing decides it but a person: the call stays pending until the console decides.
        waiting = asyncio.create_task(client.call_tool("shell", {"command": "touch by-mcp"}))
        queued = (await next_event(events, "queued"))["pending"]["action"]
        assert (queued["command"], queued["executor"]) == ("touch by-mcp", "warden")
        assert queued["agent"]["name"] == "mcp"
        await asyncio.sleep(0.3)
        assert not waiting.done()
        assert not (tree.workspace / "by-mcp").exists()
        await served.decide(queued["id"], "allow")
        done = await asyncio.wait_for(waiting, 30)
        assert not done.is_error
        assert text(done).startswith("exit code 0 · ")
        assert (tree.workspace / "by-mcp").exists()


async def test_a_person_denying_reaches_the_client(served: Gate, tree: Tree) -> None:
    events = served.subscribe()
    async with Client(warden_mcp(tree.workspace), mode="legacy") as client:
        waiting = asyncio.create_task(
            client.call_tool("write_file", {"path": "notes.txt", "content": "hi\n"})
        )
        queued = (await next_event(events, "queued"))["pending"]["action"]
        assert (queued["kind"], queued["path"]) == ("write", str(tree.workspace / "notes.txt"))
        assert queued["diff"].endswith("+hi\n")
        await served.decide(queued["id"], "deny", "write it under docs/")
        done = await asyncio.wait_for(waiting, 30)
    assert done.is_error
    assert text(done) == "Warden denied this (user): write it under docs/"
    assert not (tree.workspace / "notes.txt").exists()


async def test_bad_arguments_are_a_tool_error(served: Gate, tree: Tree) -> None:
    async with Client(warden_mcp(tree.workspace), mode="legacy") as client:
        result = await client.call_tool("shell", {"cmd": "ls"})
    assert result.is_error
    assert text(result) == "shell: unknown argument 'cmd'; it takes command"


async def test_without_a_gate_a_private_one_decides_by_the_rules(tree: Tree) -> None:
    async with Client(warden_mcp(tree.workspace, "--policy", "untrusted"), mode="legacy") as c:
        allowed = await c.call_tool("shell", {"command": "echo ok"})
        asked = await c.call_tool("shell", {"command": "touch x"})
    assert text(allowed).endswith("stdout:\nok")
    assert asked.is_error
    assert "no one is here to ask — start Warden" in text(asked)
    assert not (tree.workspace / "x").exists()


async def test_a_waiting_call_reports_progress_until_decided(served: Gate, tree: Tree) -> None:
    events = served.subscribe()
    agent = AgentRef(name="mcp", session="in-process")
    judge = LocalJudge(served, "mcp")
    progress: list[tuple[float, str | None]] = []
    three = asyncio.Event()

    async def heard(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, message))
        if len(progress) >= 3:
            three.set()

    async with proxied_sandbox(judge, agent, tree.workspace, "workspace-write") as spec:
        server = build_server(GatedTools(judge, spec, agent), heartbeat_s=0.05)
        async with Client(server, mode="legacy") as client:
            waiting = asyncio.create_task(
                client.call_tool("shell", {"command": "touch late"}, progress_callback=heard)
            )
            queued = (await next_event(events, "queued"))["pending"]["action"]
            await asyncio.wait_for(three.wait(), 10)
            assert not waiting.done()
            await served.decide(queued["id"], "allow")
            done = await asyncio.wait_for(waiting, 30)
    assert [n for n, _ in progress[:3]] == [1, 2, 3]
    assert "Warden's decision (maybe a person's)" in (progress[0][1] or "")
    assert not done.is_error
    assert (tree.workspace / "late").exists()


async def test_follows_the_console_as_it_starts_and_restarts(tree: Tree, socket: Path) -> None:
    mcp = warden_mcp(tree.workspace, "--policy", "untrusted")
    async with Client(mcp, mode="legacy") as client:
        # No console yet: a private gate decides, and nobody can be asked.
        alone = await client.call_tool("shell", {"command": "touch alone"})
        assert alone.is_error
        assert "no one is here to ask" in text(alone)

        # The console starts: the next call waits in its queue.
        first = make_gate(tree)
        events = first.subscribe()
        server = GateServer(first, agent_socket=socket)
        await server.start()
        waiting = asyncio.create_task(client.call_tool("shell", {"command": "touch asked"}))
        queued = (await next_event(events, "queued"))["pending"]["action"]
        await first.decide(queued["id"], "allow")
        assert not (await asyncio.wait_for(waiting, 30)).is_error
        await server.close()

        # It restarts: the lost connection is dialled again.
        second = make_gate(tree, "audit-2.jsonl")
        events = second.subscribe()
        server = GateServer(second, agent_socket=socket)
        await server.start()
        again = await client.call_tool("shell", {"command": "echo again"})
        decided = await next_event(events, "decided")
        await server.close()
    assert text(again).endswith("stdout:\nagain")
    assert (decided["summary"], decided["decision"]) == ("echo again", "allow")
    assert not (tree.workspace / "alone").exists()
    assert (tree.workspace / "asked").exists()


def test_a_broken_config_stops_it_before_serving(
    tree: Tree, capfd: pytest.CaptureFixture[str]
) -> None:
    config = tree.root / "config" / "warden" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[policy]\napproval_policy = 'sometimes'\n")
    assert main(["--workspace", str(tree.workspace)]) == 125
    err = capfd.readouterr().err
    assert err.startswith(f"warden mcp: {config}:2")
    assert "approval_policy" in err


def test_a_missing_workspace_is_refused(tree: Tree, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--workspace", str(tree.root / "nowhere")]) == 125
    assert "is not a folder" in capfd.readouterr().err
