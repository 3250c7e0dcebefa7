"""Sandboxed commands reach the network only through the proxy: real bwrap, gate and web server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from local_web import FETCH, NETWORK_RULES
from sandbox_tree import PYTHON, Tree

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Event, Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from sandbox.errors import SandboxUnavailable
from sandbox.proxy import NetworkProxy
from sandbox.result import RunResult
from sandbox.runner import run
from sandbox.spec import SandboxSpec


@pytest.fixture
async def gate(tree: Tree) -> AsyncIterator[Gate]:
    (tree.root / "rules.toml").write_text(NETWORK_RULES)
    gate = Gate(
        rulebook=Rulebook(extra=[tree.root / "rules.toml"]),
        grants=GrantStore(tree.root / "grants.json"),
        audit=AuditLog(tree.root / "audit.jsonl"),
        toggles=Toggles(auto_review=False),
    )
    yield gate
    await gate.close()


@pytest.fixture
async def proxied(gate: Gate, tree: Tree) -> AsyncIterator[SandboxSpec]:
    socket = tree.root / "proxy.sock"
    async with NetworkProxy(gate, socket):
        yield SandboxSpec(workspace=tree.workspace, network="proxy", proxy_socket=socket)


async def fetch(spec: SandboxSpec, url: str) -> RunResult:
    return await run([PYTHON, "-c", FETCH, url], spec, timeout_s=30)


async def test_allowed_host_is_reachable_through_the_proxy(proxied: SandboxSpec, web: int) -> None:
    result = await fetch(proxied, f"http://127.0.0.1:{web}/")
    assert (result.exit_code, result.stdout) == (0, b"hello\n"), result.stderr


async def test_the_host_is_not_reachable_directly(proxied: SandboxSpec, web: int) -> None:
    code = f"import socket; socket.create_connection(('127.0.0.1', {web}), timeout=5)"
    result = await run([PYTHON, "-c", code], proxied)
    assert result.exit_code == 1
    assert b"Connection refused" in result.stderr


async def test_blocked_host_gets_403(proxied: SandboxSpec) -> None:
    result = await fetch(proxied, "http://blocked.example/")
    assert result.exit_code == 3
    assert result.stdout.startswith(b"403 warden: blocked.example:80 denied: not this one")


@pytest.mark.parametrize(("answer", "code"), [("allow", 0), ("deny", 3)])
async def test_unknown_host_is_held_until_decided(
    gate: Gate, proxied: SandboxSpec, web: int, answer: str, code: int
) -> None:
    events = gate.subscribe()
    held = asyncio.create_task(fetch(proxied, f"http://localhost:{web}/"))
    asked: Event = (await asyncio.wait_for(_queued(events), 20))["pending"]["action"]
    assert (asked["kind"], asked["host"], asked["port"]) == ("network", "localhost", web)
    await gate.decide(asked["id"], answer)
    assert (await held).exit_code == code


async def test_command_exit_code_and_missing_program(proxied: SandboxSpec) -> None:
    assert (await run(["sh", "-c", "exit 9"], proxied)).exit_code == 9
    assert (await run(["no-such-program-here"], proxied)).exit_code == 127


async def test_no_proxy_listening_is_refused(tree: Tree) -> None:
    spec = SandboxSpec(
        workspace=tree.workspace, network="proxy", proxy_socket=tree.root / "none.sock"
    )
    with pytest.raises(SandboxUnavailable, match="no proxy listens"):
        await run(["true"], spec)


async def _queued(events: asyncio.Queue[Event]) -> Event:
    while (event := await events.get())["type"] != "queued":
        pass
    return event


def test_bridge_is_standard_library_only() -> None:
    source = (Path(__file__).parents[2] / "sandbox" / "bridge.py").read_text()
    assert "from sandbox" not in source
    assert "from gate" not in source
