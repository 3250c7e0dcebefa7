"""A real gate on a real Unix socket in a background thread, and a shim run as a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer

WARDEN = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


@contextmanager
def running_gate(state: Path, agent_socket: Path) -> Iterator[Path]:
    """Run a gate with the built-in rules until the block ends; yields its agent socket."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        gate = Gate(
            rulebook=Rulebook(),
            grants=GrantStore(state / "grants.json"),
            audit=AuditLog(state / "audit.jsonl"),
        )
        async with GateServer(gate, agent_socket):
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    try:
        assert ready.wait(10), "the gate did not start"
        yield agent_socket
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


def shim(
    *args: str, payload: Any, socket_path: Path | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run `warden hook ARGS` with a payload (an object is sent as JSON) on stdin."""
    env = dict(os.environ)
    env["WARDEN_SOCKET"] = str(socket_path or "/nonexistent/warden/gate.sock")
    data = payload if isinstance(payload, str) else json.dumps(payload)
    command = [sys.executable, "-c", WARDEN, "hook", *args]
    return subprocess.run(
        command, input=data, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def shim_decided(
    *args: str, payload: Any, socket_path: Path, decision: str, message: str = ""
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run `warden hook ARGS` while a console decides the action it queues.

    Returns:
        The shim's result and the action as the console saw it.
    """
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(shim, *args, payload=payload, socket_path=socket_path)
        action = decide_next(socket_path, decision, message)
        return running.result(30), action


def decide_next(agent_socket: Path, decision: str, message: str = "") -> dict[str, Any]:
    """As a console: wait for the next queued action and decide it; returns that action."""
    console = socket_paths(agent_socket)[1]
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(20)
        sock.connect(str(console))
        lines = sock.makefile("rwb")
        lines.write(b'{"jsonrpc":"2.0","id":1,"method":"watch"}\n')
        lines.flush()
        snapshot = json.loads(lines.readline())["result"]
        pending = snapshot["pending"][0] if snapshot["pending"] else None
        while pending is None:
            event = json.loads(lines.readline())
            if event.get("params", {}).get("type") == "queued":
                pending = event["params"]["pending"]
        params = {"action_id": pending["action"]["id"], "decision": decision, "message": message}
        request = {"jsonrpc": "2.0", "id": 2, "method": "decide", "params": params}
        lines.write(json.dumps(request).encode() + b"\n")
        lines.flush()
        while "id" not in (answer := json.loads(lines.readline())) or answer["id"] != 2:
            pass
        assert "result" in answer, answer
        lines.close()
        return dict(pending["action"])
