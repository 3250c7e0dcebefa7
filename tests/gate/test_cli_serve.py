"""`warden serve` as a real process: listens, decides, stops on SIGTERM, refuses bad input."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from gate.client import GateClient
from gate.paths import socket_paths

SERVE = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


def warden(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", SERVE, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_with_policy_never_denies_what_would_ask_and_stops_cleanly(tmp_path: Path) -> None:
    agent_path, console_path = socket_paths(tmp_path / "run" / "gate.sock")
    gate = warden("serve", "--policy", "never", "--socket", str(agent_path))
    assert gate.stdout is not None
    try:
        first = gate.stdout.readline()
        assert f"listening for agents on {agent_path}" in first
        with GateClient(agent_path, timeout=10) as client:
            unmatched = client.submit({"kind": "exec", "command": "frobnicate --now", "cwd": "/w"})
            safe = client.submit({"kind": "exec", "command": "git status", "cwd": "/w"})
        assert (unmatched["decision"], unmatched["source"]) == ("deny", "policy")
        assert safe["decision"] == "allow"
    finally:
        gate.send_signal(signal.SIGTERM)
        out, err = gate.communicate(timeout=30)
    assert gate.returncode == 0, err
    assert "gate stopped" in out
    assert not agent_path.exists()
    assert not console_path.exists()


def test_a_broken_rules_file_stops_the_start(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('version = 1\n[[command]]\nprefix = ["git"]\ndecision = "perhaps"\n')
    gate = warden("serve", "--rules", str(rules), "--socket", str(tmp_path / "gate.sock"))
    _, err = gate.communicate(timeout=30)
    assert gate.returncode == 2
    assert f"{rules}:4" in err


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    gate = warden("serve", "--ask-timeout", "0")
    _, err = gate.communicate(timeout=30)
    assert gate.returncode == 2
    assert "positive number of seconds" in err
