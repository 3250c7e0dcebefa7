"""`warden run`: an agent confined with the gate's socket inside, its profile and the proxy."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_tree import PYTHON, WARDEN, Tree

from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.server import GateServer
from rules.paths import config_dir
from sandbox.cli_run import SOCKET_INSIDE, main

CONFIG = """
[agents.tester]
env = ["TESTER_KEY"]
writable = ["~/.tester/", "~/.tester.json", "~/.not-there.json"]
hosts = ["localhost"]
"""
# Run inside the sandbox: reports what it sees as one JSON line.
AGENT = """
import json, os, socket, sys, urllib.request
gate_sock, console_sock, outside, url = sys.argv[1:5]
seen = {"env": {k: os.environ.get(k) for k in ("WARDEN_SOCKET", "TESTER_KEY", "SECRET_TOKEN")}}

def rpc(path, method, params):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                              "params": params}).encode() + b"\\n")
        return json.loads(s.makefile().readline())

seen["hello"] = rpc(os.environ["WARDEN_SOCKET"], "hello", {"agent": {"name": "inner"}})
seen["submit"] = rpc(os.environ["WARDEN_SOCKET"], "submit",
                     {"action": {"kind": "exec", "argv": ["ls"], "cwd": os.getcwd()}})
for name, path in (("console", console_sock), ("host_gate", gate_sock)):
    try:
        rpc(path, "toggles", {})
        seen[name] = "reached"
    except OSError as exc:
        seen[name] = type(exc).__name__
seen["tmp"] = sorted(os.listdir("/tmp"))
def write(path):
    try:
        open(path, "w").write("x")
        return "written"
    except OSError as exc:
        return exc.strerror
seen["write_profile_dir"] = write(os.path.expanduser("~/.tester/state"))
seen["write_profile_file"] = write(os.path.expanduser("~/.tester.json"))
seen["write_home"] = write(os.path.expanduser("~/.bashrc"))
seen["write_outside"] = write(os.path.join(outside, "x"))
seen["fetch"] = urllib.request.urlopen(url, timeout=20).read().decode()
print(json.dumps(seen))
"""


@pytest.fixture
def workspace(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text(CONFIG)
    (tree.root / "home" / ".tester.json").write_text("{}")
    monkeypatch.setenv("TESTER_KEY", "tk-123")
    monkeypatch.setenv("SECRET_TOKEN", "must-not-leak")
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.chdir(tree.workspace)
    return tree.workspace


@pytest.fixture
async def served(workspace: Path) -> AsyncIterator[Gate]:
    """A gate from the config (so its profiles apply) on the default socket, hidden inside."""
    gate = Gate.from_settings()
    server = GateServer(gate)
    await server.start()
    yield gate
    await server.close()


async def test_agent_reaches_the_gate_and_nothing_else_of_warden(
    served: Gate, tree: Tree, web: int, capfd: Any
) -> None:
    gate_sock, console_sock = socket_paths()
    argv = ["--profile", "tester", "--", PYTHON, "-c", AGENT]
    argv += [str(gate_sock), str(console_sock), str(tree.outside), f"http://localhost:{web}/"]
    assert await asyncio.to_thread(main, argv) == 0
    captured = capfd.readouterr()
    seen = json.loads(captured.out)
    assert seen["env"] == {
        "WARDEN_SOCKET": str(SOCKET_INSIDE),
        "TESTER_KEY": "tk-123",
        "SECRET_TOKEN": None,
    }
    assert seen["hello"]["result"]["gate_version"]
    assert seen["submit"]["result"]["decision"] == "allow"
    # The console socket beside the gate's is hidden with Warden's runtime dir; /tmp holds only
    # the one socket bound in (and the proxy's folder).
    assert (seen["console"], seen["host_gate"]) == ("FileNotFoundError", "FileNotFoundError")
    assert SOCKET_INSIDE.name in seen["tmp"]
    assert not [n for n in seen["tmp"] if "console" in n]
    assert seen["write_profile_dir"] == seen["write_profile_file"] == "written"
    assert seen["write_home"] == seen["write_outside"] == "Read-only file system"
    # localhost is no rule's: the profile's hosts let it through the proxy without a question.
    assert seen["fetch"] == "hello"
    assert (tree.root / "home" / ".tester" / "state").read_text() == "x"
    assert "~/.not-there.json" not in captured.err
    assert f"{tree.root}/home/.not-there.json does not exist" in captured.err
    decided = [r for r in _audit() if r["event"] == "action.decided" and r["kind"] == "network"]
    assert [(r["agent"], r["source"], r["rule"]["id"]) for r in decided] == [
        ("tester", "rules", "profile.tester")
    ]
    assert f"localhost:{web}" in decided[0]["summary"]


async def test_hosts_outside_the_profile_are_asked_about(
    served: Gate, workspace: Path, web: int, capfd: Any
) -> None:
    events = served.subscribe()
    fetch = f"import urllib.request as u; print(u.urlopen('{_url(web)}', timeout=20).read())"
    running = asyncio.create_task(
        asyncio.to_thread(main, ["--profile", "tester", "--", PYTHON, "-c", fetch])
    )
    while (event := await asyncio.wait_for(events.get(), 20))["type"] != "queued":
        pass
    asked = event["pending"]["action"]
    assert (asked["host"], asked["agent"]["name"]) == ("127.0.0.1", "tester")
    await served.decide(asked["id"], "deny", "not for this agent")
    assert await running == 1
    assert "HTTP Error 403: Forbidden" in capfd.readouterr().err


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


def _audit() -> list[dict[str, Any]]:
    from rules.paths import state_dir

    lines = (state_dir() / "audit.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


async def test_mode_is_never_looser_than_the_gate(served: Gate, tree: Tree, capfd: Any) -> None:
    await served.set_toggle("sandbox_mode", "read-only")
    argv = ["--mode", "workspace-write", "--", "touch", str(tree.workspace / "x")]
    assert await asyncio.to_thread(main, argv) == 1
    assert "runs in read-only, the gate's sandbox mode, not the looser workspace-write" in (
        capfd.readouterr().err
    )
    assert not (tree.workspace / "x").exists()


@pytest.mark.parametrize("console", ["none", "auto"])
def test_no_gate_refuses_to_start(workspace: Path, capfd: Any, console: str) -> None:
    assert main(["--console", console, "--", "touch", "ran"]) == 125
    err = capfd.readouterr().err
    assert "no gate is running" in err
    assert "start the console (`warden`) in another terminal" in err
    assert not (workspace / "ran").exists()


def test_unknown_profile_names_the_known_ones(workspace: Path, capfd: Any) -> None:
    assert main(["--profile", "nobody", "--", "true"]) == 125
    assert "no agent profile 'nobody'; known: claude, codex, gemini, tester" in (
        capfd.readouterr().err
    )


def test_no_command_exits_125(workspace: Path) -> None:
    assert main(["--"]) == 125


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_inside_tmux_a_pane_opens_the_console(tree: Tree, workspace: Path) -> None:
    socket = tree.root / "tmux.sock"
    tmux = ["tmux", "-S", str(socket), "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-x", "160", "-y", "40"], check=True)
    try:
        pid = subprocess.run(
            [*tmux, "display-message", "-p", "#{pid}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        done = subprocess.run(
            [WARDEN, "run", "--console", "tmux", "--", "sh", "-c", 'test -S "$WARDEN_SOCKET"'],
            env={**_environ(), "TMUX": f"{socket},{pid},0"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "opened the console in a tmux pane" in done.stderr
        panes = subprocess.run(
            [*tmux, "list-panes", "-F", "#{pane_current_command}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(panes) == 2
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
