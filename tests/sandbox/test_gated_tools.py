"""The gated tools core shared by `warden agent` and `warden mcp`: an in-process gate, real
bubblewrap, a local HTTP server for `fetch`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sandbox_tree import Tree

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from rules.action import CONTENT_LIMIT, Action, ActionContext, AgentRef, Turn
from sandbox.errors import SandboxSpecError
from sandbox.executor import execute
from sandbox.gatelink import proxied_sandbox
from sandbox.judge import LocalJudge
from sandbox.spec import SandboxSpec
from sandbox.tools import READ_LIMIT, TEXT_LIMIT, WRITE_LIMIT, GatedTools

AGENT = AgentRef(name="tools-test", session="s1")


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        pages: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/page": (200, {"Content-Type": "text/plain; charset=utf-8"}, b"hello, fetch\n"),
            "/same": (302, {"Location": "/page"}, b""),
            "/other": (302, {"Location": f"http://localhost:{port}/page"}, b""),
            "/missing": (404, {"Content-Type": "text/plain"}, b"no such page\n"),
            "/binary": (200, {"Content-Type": "application/octet-stream"}, b"\0\1\2" * 10),
            "/big": (200, {"Content-Type": "text/plain"}, b"x" * (2 << 20)),
        }
        status, headers, body = pages.get(self.path, (500, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    """A local HTTP server; its base URL on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def rules(tree: Tree) -> Path:
    """User rules: 127.0.0.1 may be reached; everything else is as built in."""
    path = tree.root / "config" / "warden" / "rules.toml"
    path.parent.mkdir(parents=True)
    path.write_text('version = 1\n\n[[network]]\nhost = "127.0.0.1"\ndecision = "allow"\n')
    return path


async def make_gate(tree: Tree, **toggles: Any) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tree.root / "grants.json"),
        audit=AuditLog(tree.root / "audit.jsonl"),
        toggles=Toggles(auto_review=False, **toggles),
        ask_person=toggles.get("approval_policy") == "untrusted",
    )


@pytest.fixture
async def tools(tree: Tree, rules: Path) -> AsyncIterator[GatedTools]:
    """The tools over a gate no person can reach (on-request): what needs a person is denied."""
    gate = await make_gate(tree)
    judge = LocalJudge(gate, AGENT.name)
    async with proxied_sandbox(judge, AGENT, tree.workspace, "workspace-write") as spec:
        yield GatedTools(judge, spec, AGENT)
    await gate.close()


async def test_fetch_an_allowed_host(tools: GatedTools, site: str) -> None:
    result = await tools.fetch(f"{site}/page")
    assert not result.error
    assert result.text == (
        f"HTTP 200 OK · text/plain; charset=utf-8 · 13 bytes\n{site}/page\n\nhello, fetch\n"
    )
    assert result.decision is not None
    assert result.decision.source == "rules"


async def test_fetch_follows_a_redirect_on_the_same_host(tools: GatedTools, site: str) -> None:
    result = await tools.fetch(f"{site}/same")
    assert result.text.startswith("HTTP 200 OK")
    assert result.text.endswith("hello, fetch\n")


async def test_fetch_judges_the_host_a_redirect_leads_to(tools: GatedTools, site: str) -> None:
    result = await tools.fetch(f"{site}/other")
    assert result.error
    assert result.text.startswith("Warden denied this (policy): no one is here to ask")


async def test_fetch_error_status_binary_and_big_bodies(tools: GatedTools, site: str) -> None:
    missing = await tools.fetch(f"{site}/missing")
    assert missing.error
    assert missing.text.startswith("HTTP 404 Not Found · text/plain")
    binary = await tools.fetch(f"{site}/binary")
    assert binary.text.endswith("\n\n(binary content, not shown)")
    big = await tools.fetch(f"{site}/big")
    assert big.text.startswith(f"HTTP 200 OK · text/plain · {1 << 20} bytes (cut)")
    assert f"[… {(1 << 20) - TEXT_LIMIT} characters cut …]" in big.text


async def test_fetch_refuses_what_is_not_http(tools: GatedTools) -> None:
    result = await tools.fetch("file:///etc/passwd")
    assert result.error
    assert result.text == "fetch: 'file:///etc/passwd' is not an http:// or https:// URL"
    assert result.decision is None


async def test_fetch_that_gets_no_answer_says_why(tools: GatedTools) -> None:
    result = await tools.fetch("http://127.0.0.1:9/")
    assert result.error
    assert result.text.startswith("fetch failed: http://127.0.0.1:9/: ")


async def test_read_file_runs_in_the_sandbox(tools: GatedTools, tree: Tree) -> None:
    (tree.workspace / "notes.txt").write_text("some notes\n")
    (tree.workspace / "blob").write_bytes(b"\0binary")
    assert (await tools.read_file("notes.txt")).text == "some notes\n"
    assert (await tools.read_file("blob")).text == "(a binary file of 7 bytes)"
    missing = await tools.read_file("nowhere.txt")
    assert missing.error
    assert missing.text.startswith("read_file failed: /bin/cat: ")
    assert "No such file or directory" in missing.text


async def test_a_long_file_is_shown_head_and_tail_with_a_hint(
    tools: GatedTools, tree: Tree
) -> None:
    lines = "".join(f"{n:07d}\n" for n in range(20_000))  # 160,000 characters
    (tree.workspace / "long.txt").write_text(lines)
    text = (await tools.read_file("long.txt")).text
    assert text.startswith("0000000\n")
    assert "0019999\n" in text
    assert f"[… {len(lines) - READ_LIMIT} characters cut …]" in text
    assert text.endswith("print it with shell: sed -n 'FROM,TOp' FILE]")


async def test_warden_own_state_is_hidden_from_read_file(tools: GatedTools, tree: Tree) -> None:
    audit = tree.root / "state" / "warden" / "audit.jsonl"
    audit.parent.mkdir(parents=True, exist_ok=True)
    audit.write_text('{"secret": "decisions"}\n')
    # A rule allows reading it (a grant or a careless rule could); the sandbox still hides it.
    result = await tools.read_file(str(audit))
    assert result.error
    assert "No such file or directory" in result.text


async def test_write_file_writes_inside_and_not_outside(tools: GatedTools, tree: Tree) -> None:
    wrote = await tools.write_file("new.txt", "fresh\n")
    assert wrote.text == f"wrote 6 bytes to {tree.workspace / 'new.txt'}"
    assert (tree.workspace / "new.txt").read_text() == "fresh\n"
    # Outside the writable roots, on-request asks a person (and none is here).
    outside = await tools.write_file(str(tree.outside / "target"), "changed\n")
    assert outside.error
    assert "no one is here to ask" in outside.text
    assert (tree.outside / "target").read_text() == "original\n"


async def test_the_sandbox_holds_what_the_policy_lets_through(tree: Tree, rules: Path) -> None:
    gate = await make_gate(tree, approval_policy="never")
    judge = LocalJudge(gate, AGENT.name)
    async with proxied_sandbox(judge, AGENT, tree.workspace, "workspace-write") as spec:
        tools = GatedTools(judge, spec, AGENT)
        outside = await tools.write_file(str(tree.outside / "target"), "changed\n")
    await gate.close()
    assert outside.error
    assert outside.text.startswith("write_file failed: ")
    assert "Read-only file system" in outside.text
    assert outside.decision is not None
    assert outside.decision.decision == "allow"
    assert (tree.outside / "target").read_text() == "original\n"


async def test_a_big_write_is_judged_on_its_cut_content_and_written_whole(
    tree: Tree, rules: Path
) -> None:
    gate = await make_gate(tree, approval_policy="untrusted")
    events = gate.subscribe()
    judge = LocalJudge(gate, AGENT.name)
    content = "".join(f"line {n}\n" for n in range(20_000))  # about 190 KiB
    async with proxied_sandbox(judge, AGENT, tree.workspace, "workspace-write") as spec:
        tools = GatedTools(judge, spec, AGENT)
        writing = asyncio.create_task(tools.write_file("big.txt", content))
        while (event := await asyncio.wait_for(events.get(), 10))["type"] != "queued":
            pass
        action = event["pending"]["action"]
        assert len(action["content"]) == CONTENT_LIMIT
        assert action["content_size"] == len(content)
        assert len(action["diff"].encode()) <= CONTENT_LIMIT
        await gate.decide(action["id"], "allow")
        wrote = await asyncio.wait_for(writing, 30)
    await gate.close()
    assert wrote.text == f"wrote {len(content)} bytes to {tree.workspace / 'big.txt'}"
    assert (tree.workspace / "big.txt").read_text() == content


async def test_write_file_refuses_what_is_too_big(tools: GatedTools) -> None:
    result = await tools.write_file("huge.txt", "x" * (WRITE_LIMIT + 1))
    assert result.error
    assert f"one write takes at most {WRITE_LIMIT} bytes" in result.text


async def test_blocked_read_returns_the_reason(tools: GatedTools, tree: Tree) -> None:
    result = await tools.call("shell", {"command": "rm -rf ~"})
    assert result.error
    assert result.text.startswith("Warden denied this (builtin)")


async def test_actions_carry_the_context_and_a_diff(tree: Tree, rules: Path) -> None:
    gate = await make_gate(tree, approval_policy="untrusted")
    events = gate.subscribe()
    judge = LocalJudge(gate, AGENT.name)
    (tree.workspace / "README").write_text("old line\n")
    async with proxied_sandbox(judge, AGENT, tree.workspace, "workspace-write") as spec:
        tools = GatedTools(judge, spec, AGENT)
        tools.context = ActionContext(task="fix it", turns=[Turn(role="assistant", text="ok")])
        writing = asyncio.create_task(tools.write_file("README", "new line\n"))
        while (event := await asyncio.wait_for(events.get(), 10))["type"] != "queued":
            pass
        action = event["pending"]["action"]
        assert action["context"] == {
            "task": "fix it",
            "turns": [{"role": "assistant", "text": "ok"}],
        }
        assert "-old line\n+new line\n" in action["diff"]
        # The caller gives up (an MCP client cancelled): the question leaves the queue.
        writing.cancel()
        while (event := await asyncio.wait_for(events.get(), 10))["type"] != "cancelled":
            pass
        assert event["action_id"] == action["id"]
        assert not gate.pending
    assert (tree.workspace / "README").read_text() == "old line\n"
    await gate.close()


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("shell", [], "shell: the arguments must be a JSON object, not list"),
        ("shell", {"command": 3}, "shell: argument 'command' must be a string"),
        ("read_file", {"path": "a\0b"}, "read_file: argument 'path' contains a NUL character"),
        ("fetch", {}, "fetch: missing argument 'url'"),
        ("rm", {}, "unknown tool 'rm'; the tools are shell, read_file, write_file, fetch"),
    ],
)
async def test_calls_that_do_not_fit_are_answered_not_run(
    tools: GatedTools, name: str, arguments: Any, message: str
) -> None:
    result = await tools.call(name, arguments)
    assert result.error
    assert (result.text, result.decision) == (message, None)


async def test_the_executor_writes_only_the_content_the_gate_was_shown(tree: Tree) -> None:
    gate = await make_gate(tree, approval_policy="never")
    shown = "a" * (CONTENT_LIMIT + 10)
    action = Action(kind="write", path=str(tree.workspace / "f"), content=shown, executor="warden")
    spec = SandboxSpec(workspace=tree.workspace)
    with pytest.raises(SandboxSpecError, match="not the content the gate was shown"):
        await execute(action, spec, gate, content=shown[:-1] + "b")
    with pytest.raises(SandboxSpecError, match="it was cut or is missing"):
        await execute(action, spec, gate)
    outcome = await execute(action, spec, gate, content=shown)
    await gate.close()
    assert outcome.exit_code == 0
    assert (tree.workspace / "f").read_text() == shown
