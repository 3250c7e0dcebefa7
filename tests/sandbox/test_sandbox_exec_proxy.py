"""`warden sandbox exec --network proxy`: its own proxy, asking the running gate or the rules."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from local_web import FETCH, NETWORK_RULES
from sandbox_tree import PYTHON, Tree, next_event

from gate.pipeline import Gate
from rules.paths import config_dir
from sandbox.cli_sandbox import main


@pytest.fixture
def workspace(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workspace as this folder, with the user's rules allowing 127.0.0.1."""
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "rules.toml").write_text(NETWORK_RULES)
    monkeypatch.chdir(tree.workspace)
    return tree.workspace


async def fetch(url: str) -> int:
    argv = ["exec", "--network", "proxy", "--", PYTHON, "-c", FETCH, url]
    return await asyncio.to_thread(main, argv)


async def test_allowed_host_is_reached_with_no_gate(workspace: Path, web: int, capfd: Any) -> None:
    assert await fetch(f"http://127.0.0.1:{web}/") == 0
    assert capfd.readouterr().out == "hello\n"


async def test_blocked_host_is_refused_with_the_rule_reason(workspace: Path, capfd: Any) -> None:
    assert await fetch("http://blocked.example/") == 3
    assert capfd.readouterr().out == "403 warden: blocked.example:80 denied: not this one\n"


async def test_unknown_host_with_no_gate_says_to_start_warden(
    workspace: Path, web: int, capfd: Any
) -> None:
    assert await fetch(f"http://localhost:{web}/") == 3
    out = capfd.readouterr().out
    assert out.startswith(f"403 warden: localhost:{web} denied: no console to ask: start `warden`")


async def test_the_network_stays_off_without_the_flag(
    workspace: Path, web: int, capfd: Any
) -> None:
    code = f"import socket; socket.create_connection(('127.0.0.1', {web}), timeout=5)"
    assert await asyncio.to_thread(main, ["exec", "--", PYTHON, "-c", code]) == 1
    assert "Connection refused" in capfd.readouterr().err


@pytest.mark.parametrize(("answer", "code", "out"), [("allow", 0, "hello"), ("deny", 3, "403")])
async def test_unknown_host_waits_in_the_running_gate(
    workspace: Path, served: Gate, web: int, capfd: Any, answer: str, code: int, out: str
) -> None:
    events = served.subscribe()
    held = asyncio.create_task(fetch(f"http://localhost:{web}/"))
    asked = (await next_event(events, "queued"))["pending"]["action"]
    assert (asked["kind"], asked["host"], asked["port"]) == ("network", "localhost", web)
    assert asked["agent"]["name"] == "warden-sandbox"
    assert asked["agent"]["session"] == f"sandbox-{os.getpid()}"
    # The person sees which command wants the connection.
    (turn,) = asked["context"]["turns"]
    assert turn["role"] == "command"
    assert f"http://localhost:{web}/" in turn["text"]
    await served.decide(asked["id"], answer)
    assert await held == code
    assert capfd.readouterr().out.startswith(out)


async def test_running_gate_rules_decide_without_asking(
    workspace: Path, served: Gate, web: int, capfd: Any
) -> None:
    # The gate's rules are the user's file (read by its rulebook), which allows 127.0.0.1.
    assert await fetch(f"http://127.0.0.1:{web}/") == 0
    assert capfd.readouterr().out == "hello\n"
    assert not served.pending
