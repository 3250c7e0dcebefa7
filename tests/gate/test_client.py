"""The stdlib client against a real gate on a Unix socket: sync, async, failures, import weight."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import gate.client
from gate.audit import AuditLog
from gate.client import AsyncGateClient, GateClient, GateProtocolError, GateUnavailable
from gate.grants import GrantStore
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer

ASK = {"kind": "exec", "command": "frobnicate --now", "cwd": "/w"}
SAFE = {"kind": "exec", "command": "git status", "cwd": "/w"}


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GateServer]:
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
    )
    async with GateServer(gate) as running:
        yield running


async def next_event(events: asyncio.Queue[dict[str, Any]], kind: str) -> dict[str, Any]:
    while (event := await asyncio.wait_for(events.get(), 5))["type"] != kind:
        pass
    return event


def test_importing_the_client_loads_only_the_standard_library() -> None:
    code = "import sys, gate.client\nprint(*sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert {"pydantic", "pydantic_core", "rules", "tomlkit", "tree_sitter"}.isdisjoint(loaded)
    assert {name for name in loaded if name.startswith("gate")} <= {
        "gate",
        "gate.client",
        "gate.errors",
        "gate.paths",
    }


async def test_sync_client_round_trip(server: GateServer) -> None:
    def agent() -> list[dict[str, Any]]:
        with GateClient(server.agent_path) as client:
            hello = client.hello({"name": "script", "session": "s1"})
            decision = client.submit(SAFE)
            client.result(decision["action_id"], 0, 12.5)
            return [hello, decision, {"cancelled": client.cancel("act-none")}]

    hello, decision, cancelled = await asyncio.to_thread(agent)
    assert hello == {"gate_version": "1"}
    assert (decision["decision"], decision["source"]) == ("allow", "builtin")
    assert cancelled == {"cancelled": False}


async def test_module_submit_finds_the_gate_through_warden_socket(
    server: GateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_SOCKET", str(server.agent_path))
    blocked = await asyncio.to_thread(gate.client.submit, {**SAFE, "command": "rm -rf /"})
    assert blocked["decision"] == "deny"


async def test_invalid_action_is_a_protocol_error(server: GateServer) -> None:
    with pytest.raises(GateProtocolError) as caught:
        await asyncio.to_thread(gate.client.submit, {"kind": "exec"}, server.agent_path)
    assert caught.value.code == -32602
    assert "a exec action needs command or argv" in caught.value.message
    async with AsyncGateClient(server.agent_path) as client:
        with pytest.raises(GateProtocolError, match="invalid params"):
            await client.submit({"kind": "teleport"})


def test_no_gate_is_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "gate.sock"
    with pytest.raises(GateUnavailable, match="no gate at"):
        gate.client.submit(SAFE, missing)
    with pytest.raises(GateUnavailable, match="no gate at"):
        asyncio.run(AsyncGateClient(missing).submit(SAFE))


def test_refused_connection_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "gate.sock"
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(path))
    with pytest.raises(GateUnavailable, match="no gate at"):
        GateClient(path).hello({"name": "x"})


async def test_sync_timeout_hangs_up_and_so_cancels(server: GateServer) -> None:
    def impatient() -> None:
        GateClient(server.agent_path, timeout=0.2).submit(ASK)

    events = server.gate.subscribe()
    with pytest.raises(GateUnavailable, match=r"no answer from the gate within 0\.2 s"):
        await asyncio.to_thread(impatient)
    await next_event(events, "cancelled")
    assert server.gate.pending == {}


async def test_async_timeout_withdraws_the_action(server: GateServer) -> None:
    async with AsyncGateClient(server.agent_path, timeout=0.2) as client:
        with pytest.raises(GateUnavailable, match="no answer"):
            await client.submit(ASK)
        assert server.gate.pending == {}
        assert (await client.submit(SAFE))["decision"] == "allow"


async def test_async_calls_share_one_connection(server: GateServer) -> None:
    events = server.gate.subscribe()
    async with AsyncGateClient(server.agent_path) as client:
        slow = asyncio.create_task(client.submit(ASK))
        action_id = (await next_event(events, "queued"))["pending"]["action"]["id"]
        fast = await asyncio.gather(*(client.submit(SAFE) for _ in range(10)))
        assert {d["decision"] for d in fast} == {"allow"}
        await server.gate.decide(action_id, "deny", "not now")
        assert (await slow)["message"] == "not now"


async def test_gate_stopping_answers_then_the_client_is_unavailable(
    server: GateServer,
) -> None:
    events = server.gate.subscribe()
    client = AsyncGateClient(server.agent_path)
    waiting = asyncio.create_task(client.submit(ASK))
    await next_event(events, "queued")
    await server.close()
    answer = await waiting
    assert (answer["decision"], answer["message"]) == ("deny", "the gate stopped")
    with pytest.raises(GateUnavailable, match="closed the connection"):
        await client.submit(SAFE)
    await client.close()
