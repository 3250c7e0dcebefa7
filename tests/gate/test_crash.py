"""Crash safety: SIGKILL the gate under load; every decision a client heard is in the log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from gate.audit import verify
from gate.client import GateClient, GateError
from gate.paths import socket_paths
from rules.paths import state_dir

SERVE = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
COMMANDS = ["git status", "ls -la", "rm -rf /", "cat README.md", "frobnicate --now"]


def agent(path: Path, heard: list[str], stop: threading.Event) -> None:
    try:
        with GateClient(path, timeout=10) as client:
            i = 0
            while not stop.is_set():
                command = COMMANDS[i % len(COMMANDS)]
                answer = client.submit({"kind": "exec", "command": command, "cwd": "/w"})
                heard.append(answer["action_id"])
                i += 1
    except (GateError, OSError):
        return  # the gate died under us: what we heard so far is what counts


def test_sigkill_mid_load_loses_no_reported_decision(tmp_path: Path) -> None:
    agent_path, _ = socket_paths(tmp_path / "run" / "gate.sock")
    gate = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--policy", "never", "--socket", str(agent_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert gate.stdout is not None
    assert "listening" in gate.stdout.readline()
    heard: list[list[str]] = [[] for _ in range(8)]
    stop = threading.Event()
    threads = [threading.Thread(target=agent, args=(agent_path, heard[i], stop)) for i in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while sum(map(len, heard)) < 400 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(gate.pid, signal.SIGKILL)
    gate.communicate(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    received = {action_id for ids in heard for action_id in ids}
    assert len(received) >= 400
    log = state_dir() / "audit.jsonl"
    report = verify(log)
    assert report.ok, report.problems
    decided = {
        record["action_id"]
        for record in map(json.loads, log.read_text().splitlines())
        if record.get("event") == "action.decided"
    }
    assert received <= decided
