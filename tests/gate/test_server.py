"""The gate's socket server over real Unix sockets: framing, errors, concurrency, consoles."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gate.audit import AuditLog
from gate.client import AsyncGateClient, GateProtocolError
from gate.errors import GateError
from gate.grants import GrantStore
from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.rpc import MAX_LINE
from gate.rulebook import Rulebook
from gate.server import GateServer

ASK = "frobnicate --now"  # unmatched, run by the agent: a person decides under on-request


def action(command: str, session: str = "s1", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "exec",
        "command": command,
        "cwd": "/w",
        "agent": {"name": "test-agent", "session": session},
        **extra,
    }


def make_gate(tmp_path: Path) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
    )


def audit_events(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def next_event(events: asyncio.Queue[dict[str, Any]], kind: str) -> dict[str, Any]:
    while (event := await asyncio.wait_for(events.get(), 5))["type"] != kind:
        pass
    return event


class Line:
    """A raw connection: writes bytes or objects as lines, reads answers and events apart."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.events: list[dict[str, Any]] = []
        self._ids = 0

    @classmethod
    async def open(cls, path: Path) -> Line:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=64 << 20)
        return cls(reader, writer)

    async def send(self, message: bytes | dict[str, Any]) -> None:
        data = message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n"
        self.writer.write(data)
        await self.writer.drain()

    async def read(self) -> dict[str, Any] | None:
        line = await asyncio.wait_for(self.reader.readline(), 5)
        return json.loads(line) if line else None

    async def answer(self) -> dict[str, Any]:
        """The next response, keeping the notifications that come before it."""
        while (message := await self.read()) is not None:
            if "method" in message:
                self.events.append(message["params"])
            else:
                return message
        raise AssertionError("the connection closed")

    async def event(self, kind: str) -> dict[str, Any]:
        """The next event of that type (earlier ones of other types are kept aside)."""
        while True:
            for index, found in enumerate(self.events):
                if found["type"] == kind:
                    return self.events.pop(index)
            message = await self.read()
            assert message is not None, f"closed before a {kind} event"
            assert message.get("method") == "event", message
            self.events.append(message["params"])

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._ids += 1
        request = {"jsonrpc": "2.0", "id": self._ids, "method": method, "params": params or {}}
        await self.send(request)
        response = await self.answer()
        assert response["id"] == self._ids
        return response

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GateServer]:
    async with GateServer(make_gate(tmp_path)) as running:
        yield running


@pytest.fixture
async def console(server: GateServer) -> AsyncIterator[Line]:
    line = await Line.open(server.console_path)
    snapshot = await line.call("watch")
    assert snapshot["result"]["pending"] == []
    yield line
    await line.close()


async def test_hello_and_rule_decided_submits(server: GateServer) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        assert await client.hello({"name": "test-agent", "session": "s1"}) == {"gate_version": "1"}
        allowed = await client.submit(action("git status"))
        blocked = await client.submit(action("rm -rf /"))
    assert allowed["decision"] == "allow"
    assert allowed["source"] == "builtin"
    assert allowed["action_id"].startswith("act-")
    assert allowed["rule"]["id"] == "safe.git-read"
    assert blocked["decision"] == "deny"
    assert blocked["rule"]["id"] == "guard.rm-root-or-home"
    assert blocked["message"]


async def test_twenty_concurrent_clients(server: GateServer, tmp_path: Path) -> None:
    async def agent(number: int) -> list[dict[str, Any]]:
        async with AsyncGateClient(server.agent_path) as client:
            commands = ["git status", "ls -la", "rm -rf /"] * 4
            session = f"s{number}"
            return await asyncio.gather(*(client.submit(action(c, session)) for c in commands))

    results = [r for batch in await asyncio.gather(*map(agent, range(20))) for r in batch]
    assert len(results) == 240
    assert len({r["action_id"] for r in results}) == 240
    assert [r["decision"] for r in results].count("deny") == 80
    decided = [e for e in audit_events(tmp_path) if e["event"] == "action.decided"]
    assert sorted(e["action_id"] for e in decided) == sorted(r["action_id"] for r in results)


HELLO = {"jsonrpc": "2.0", "method": "hello", "params": {"agent": {"name": "x"}}}


@pytest.mark.parametrize(
    ("line", "code", "request_id"),
    [
        (b"{not json\n", -32700, None),
        (b"\xff\xfe{}\n", -32700, None),
        (b"[" * 100_000 + b"\n", -32700, None),
        (b"[1, 2]\n", -32600, None),
        (b"42\n", -32600, None),
        (b'{"id": 1, "method": "hello"}\n', -32600, 1),
        (b'{"jsonrpc": "2.0", "id": true, "method": "hello"}\n', -32600, None),
        (b'{"jsonrpc": "2.0", "id": 2, "method": "nope"}\n', -32601, 2),
        (b'{"jsonrpc": "2.0", "id": 3, "method": "hello", "params": [1]}\n', -32602, 3),
        (b'{"jsonrpc": "2.0", "id": "x", "method": "hello", "params": {}}\n', -32602, "x"),
        (b'{"jsonrpc": "2.0", "id": 4, "method": "submit", "params": {"action": {}}}\n', -32602, 4),
    ],
)
async def test_malformed_input_gets_an_error_and_the_connection_lives_on(
    server: GateServer, line: bytes, code: int, request_id: object
) -> None:
    agent = await Line.open(server.agent_path)
    await agent.send(line)
    response = await agent.answer()
    assert response["jsonrpc"] == "2.0"
    assert response["id"] == request_id
    assert response["error"]["code"] == code
    assert (await agent.call("hello", HELLO["params"]))["result"] == {"gate_version": "1"}
    await agent.close()


async def test_invalid_params_name_each_problem(server: GateServer) -> None:
    agent = await Line.open(server.agent_path)
    response = await agent.call("submit", {"action": {"kind": "exec", "port": 99999}, "x": 1})
    error = response["error"]
    assert error["code"] == -32602
    assert {p["loc"] for p in error["data"]} == {"action.port", "x"}
    assert "action.port" in error["message"]
    await agent.close()


async def test_notifications_get_no_answer(server: GateServer) -> None:
    agent = await Line.open(server.agent_path)
    await agent.send({"jsonrpc": "2.0", "method": "nope"})
    await agent.send({"jsonrpc": "2.0", "method": "hello", "params": {"bad": 1}})
    await agent.send(HELLO)
    response = await agent.call("hello", HELLO["params"])
    assert response["id"] == 1
    assert "result" in response
    await agent.close()


async def test_a_line_of_exactly_the_limit_is_read(server: GateServer) -> None:
    agent = await Line.open(server.agent_path)
    body = json.dumps({**HELLO, "id": 7}).encode()
    await agent.send(body + b" " * (MAX_LINE - len(body)) + b"\n")
    assert (await agent.answer())["result"] == {"gate_version": "1"}
    await agent.close()


async def test_oversized_line_closes_only_that_connection(server: GateServer) -> None:
    bystander = await Line.open(server.agent_path)
    assert "result" in await bystander.call("hello", HELLO["params"])
    agent = await Line.open(server.agent_path)
    await agent.send(b'{"jsonrpc": "2.0", "id": 1, "method": "hello", "x": "' + b"a" * MAX_LINE)
    await agent.send(b'"}\n')
    response = await agent.answer()
    assert response["error"]["code"] == -32600
    assert "longer than" in response["error"]["message"]
    assert await agent.read() is None  # closed: the stream cannot be resynced
    await agent.close()
    allowed = await bystander.call("submit", {"action": action("git status")})
    assert allowed["result"]["decision"] == "allow"
    await bystander.close()


@pytest.mark.parametrize(
    "method", ["decide", "watch", "scopes", "grants", "revoke", "toggles", "set_toggle", "pause"]
)
async def test_agent_socket_has_no_console_methods(server: GateServer, method: str) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        with pytest.raises(GateProtocolError) as caught:
            await client.call(method, {"action_id": "act-1", "decision": "allow"})
    assert caught.value.code == -32601


async def test_console_decides_and_the_agent_hears_it(server: GateServer, console: Line) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        waiting = asyncio.create_task(client.submit(action(ASK)))
        queued = await console.event("queued")
        action_id = queued["pending"]["action"]["id"]
        scopes = await console.call("scopes", {"action_id": action_id})
        assert scopes["result"]["scopes"][0]["scope"] == "exact"
        decided = await console.call("decide", {"action_id": action_id, "decision": "allow"})
        assert decided["result"] == {"decided": [action_id]}
        answer = await waiting
    assert answer == {**answer, "action_id": action_id, "decision": "allow", "source": "user"}
    assert (await console.event("decided"))["action_id"] == action_id


async def test_denial_carries_the_message(server: GateServer, console: Line) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        waiting = asyncio.create_task(client.submit(action(ASK)))
        action_id = (await console.event("queued"))["pending"]["action"]["id"]
        params = {"action_id": action_id, "decision": "deny", "message": "use make instead"}
        await console.call("decide", params)
        answer = await waiting
    assert (answer["decision"], answer["message"]) == ("deny", "use make instead")


async def test_watch_starts_with_what_already_waits(server: GateServer) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        events = server.gate.subscribe()
        waiting = asyncio.create_task(client.submit(action(ASK, id="act-early")))
        await next_event(events, "queued")
        console = await Line.open(server.console_path)
        snapshot = (await console.call("watch"))["result"]
        assert [p["action"]["id"] for p in snapshot["pending"]] == ["act-early"]
        assert snapshot["toggles"]["approval_policy"] == "on-request"
        again = await console.call("watch")
        assert again["error"]["code"] == -32600
        await console.call("decide", {"action_id": "act-early", "decision": "allow"})
        assert (await waiting)["decision"] == "allow"
        await console.close()


async def test_disconnect_mid_wait_cancels_the_action(
    server: GateServer, console: Line, tmp_path: Path
) -> None:
    agent = await Line.open(server.agent_path)
    await agent.send(
        {"jsonrpc": "2.0", "id": 1, "method": "submit", "params": {"action": action(ASK)}}
    )
    action_id = (await console.event("queued"))["pending"]["action"]["id"]
    await agent.close()
    assert (await console.event("cancelled"))["action_id"] == action_id
    assert server.gate.pending == {}
    assert any(
        e["event"] == "action.cancelled" and e["action_id"] == action_id
        for e in audit_events(tmp_path)
    )


async def test_cancel_on_the_same_connection_while_submit_waits(
    server: GateServer, console: Line
) -> None:
    async with AsyncGateClient(server.agent_path) as client:
        waiting = asyncio.create_task(client.submit(action(ASK, id="act-mine")))
        await console.event("queued")
        assert await client.cancel("act-mine") is True
        with pytest.raises(GateProtocolError) as caught:
            await waiting
        assert caught.value.code == -32000
        assert await client.cancel("act-mine") is False


async def test_an_agent_cannot_cancel_another_agents_action(
    server: GateServer, console: Line
) -> None:
    async with AsyncGateClient(server.agent_path) as owner:
        waiting = asyncio.create_task(owner.submit(action(ASK, id="act-owned")))
        await console.event("queued")
        async with AsyncGateClient(server.agent_path) as other:
            assert await other.cancel("act-owned") is False
        await console.call("decide", {"action_id": "act-owned", "decision": "deny"})
        assert (await waiting)["decision"] == "deny"


async def test_console_settings_grants_and_pause(server: GateServer, console: Line) -> None:
    toggles = await console.call("toggles")
    assert toggles["result"]["approval_policy"] == "on-request"
    changed = await console.call("set_toggle", {"name": "approval_policy", "value": "never"})
    assert changed["result"]["approval_policy"] == "never"
    assert (await console.event("toggle"))["value"] == "never"
    bad = await console.call("set_toggle", {"name": "nope", "value": 1})
    assert bad["error"]["code"] == -32000
    assert (await console.call("grants"))["result"] == {"grants": []}
    assert (await console.call("revoke", {"grant_id": "grant-x"}))["result"] == {"revoked": False}
    assert (await console.call("pause", {"agent": "test-agent"}))["result"] == {}
    assert (await console.event("paused"))["paused"] is True
    unknown = await console.call("decide", {"action_id": "act-gone", "decision": "allow"})
    assert unknown["error"]["code"] == -32000
    assert "no pending action" in unknown["error"]["message"]


async def test_sockets_are_private(server: GateServer) -> None:
    directory = server.agent_path.parent
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in (server.agent_path, server.console_path):
        assert stat.S_ISSOCK(path.stat().st_mode)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_default_location_is_the_runtime_dir(server: GateServer) -> None:
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert (server.agent_path, server.console_path) == socket_paths()
    assert server.agent_path == runtime / "warden" / "gate.sock"


async def test_stale_socket_is_replaced(tmp_path: Path) -> None:
    agent_path, _ = socket_paths()
    agent_path.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(agent_path))  # bound, never listening: what a killed gate leaves behind
    async with GateServer(make_gate(tmp_path)) as server, AsyncGateClient() as client:
        assert (await client.submit(action("ls -la")))["decision"] == "allow"
        assert server.agent_path == agent_path


async def test_second_gate_is_refused_and_the_first_keeps_serving(
    server: GateServer, tmp_path: Path
) -> None:
    second = GateServer(make_gate(tmp_path / "second"))
    with pytest.raises(GateError, match="a gate is already running at"):
        await second.start()
    async with AsyncGateClient(server.agent_path) as client:
        assert (await client.submit(action("git status")))["decision"] == "allow"


async def test_a_directory_others_can_enter_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(GateError, match="open to other users"):
        await GateServer(make_gate(tmp_path), shared / "gate.sock").start()
    assert not (shared / "gate.sock").exists()


async def test_something_else_at_the_socket_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gate.sock"
    path.write_text("not a socket")
    with pytest.raises(GateError, match="not a socket"):
        await GateServer(make_gate(tmp_path), path).start()
    assert path.read_text() == "not a socket"


async def test_stopping_denies_what_waits_and_removes_the_sockets(tmp_path: Path) -> None:
    server = GateServer(make_gate(tmp_path))
    await server.start()
    async with AsyncGateClient(server.agent_path) as client:
        events = server.gate.subscribe()
        waiting = asyncio.create_task(client.submit(action(ASK)))
        await next_event(events, "queued")
        await server.close()
        answer = await waiting
    assert (answer["decision"], answer["source"]) == ("deny", "error")
    assert answer["message"] == "the gate stopped"
    assert not server.agent_path.exists()
    assert not server.console_path.exists()
