"""`warden exec` end to end: a private gate or a running one, real bubblewrap, its exit codes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sandbox_tree import PYTHON, Tree, next_event

from gate.pipeline import Gate
from sandbox.cli_exec import main


@pytest.fixture
def workspace(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tree.workspace)
    return tree.workspace


def test_allowed_command_exits_with_its_own_code(workspace: Path, capfd: Any) -> None:
    assert main(["--", "sh", "-c", "echo hi; exit 3"]) == 3
    assert capfd.readouterr().out == "hi\n"


def test_denied_command_exits_126_with_the_reason(workspace: Path, capfd: Any) -> None:
    assert main(["--", "mkfs.ext4", str(workspace / "disk")]) == 126
    assert "denied (builtin): creates a file system" in capfd.readouterr().err


def test_private_gate_has_no_person_to_ask(workspace: Path, capfd: Any) -> None:
    assert main(["--policy", "untrusted", "--", "touch", "x"]) == 126
    assert "no console is running to ask a person" in capfd.readouterr().err
    assert not (workspace / "x").exists()


def test_private_gate_uses_the_given_policy(workspace: Path) -> None:
    assert main(["--policy", "never", "--", "touch", "x"]) == 0
    assert (workspace / "x").exists()


def test_no_bubblewrap_exits_125_and_nothing_runs(
    workspace: Path, capfd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/bin/false")
    assert main(["--", "touch", "ran"]) == 125
    assert "bubblewrap could not start the sandbox, so nothing ran" in capfd.readouterr().err
    assert not (workspace / "ran").exists()


def test_no_command_exits_125(workspace: Path) -> None:
    assert main(["--"]) == 125


async def test_running_gate_decides_and_gets_the_result(served: Gate, tree: Tree) -> None:
    assert await asyncio.to_thread(main, ["--", "sh", "-c", "exit 7"]) == 7
    records = [json.loads(line) for line in (tree.root / "audit.jsonl").read_text().splitlines()]
    [decided] = [r for r in records if r["event"] == "action.decided"]
    [result] = [r for r in records if r["event"] == "action.result"]
    assert (decided["agent"], decided["executor"]) == ("warden-exec", "warden")
    assert (result["action_id"], result["exit_code"]) == (decided["action_id"], 7)


async def test_policy_cannot_loosen_a_running_gate(
    served: Gate, workspace: Path, capfd: Any
) -> None:
    events = served.subscribe()
    running = asyncio.create_task(
        asyncio.to_thread(main, ["--policy", "never", "--", "touch", "x"])
    )
    # Under `never` this would have run at once; the gate's `untrusted` asks a person.
    queued = (await next_event(events, "queued"))["pending"]["action"]
    assert (queued["argv"], queued["executor"]) == (["touch", "x"], "warden")
    await served.decide(queued["id"], "deny", "not now")
    assert await running == 126
    err = capfd.readouterr().err
    assert "its own approval policy (untrusted) applies, not --policy never" in err
    assert "denied (user): not now" in err
    assert not (workspace / "x").exists()


async def test_mode_cannot_loosen_a_running_gate(served: Gate, tree: Tree, capfd: Any) -> None:
    await served.set_toggle("approval_policy", "never")
    target = tree.outside / "new"
    argv = ["--mode", "danger-full-access", "--", "touch", str(target)]
    assert await asyncio.to_thread(main, argv) == 1
    assert "ran in workspace-write, the gate's sandbox mode" in capfd.readouterr().err
    assert not target.exists()


async def test_on_failure_escalation_through_a_running_gate(
    served: Gate, tree: Tree, capfd: Any
) -> None:
    await served.set_toggle("approval_policy", "on-failure")
    events = served.subscribe()
    target = tree.outside / "new"
    running = asyncio.create_task(asyncio.to_thread(main, ["--", "touch", str(target)]))
    asked = (await next_event(events, "queued"))["pending"]["action"]
    assert asked["escalate"] is True
    assert f"'{target}': Read-only file system" in asked["justification"]
    await served.decide(asked["id"], "allow")
    assert await running == 0
    assert target.exists()
    captured = capfd.readouterr().err
    assert "Read-only file system" in captured
    assert "rerun outside the sandbox allowed" in captured


FETCH = """import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())
except urllib.error.HTTPError as exc:
    sys.exit(f"{exc.code} {exc.read().decode().strip()}")
"""


async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    await writer.drain()
    writer.close()


@pytest.mark.parametrize(("answer", "code"), [("allow", 0), ("deny", 1)])
async def test_network_goes_through_the_proxy_and_asks_the_gate(
    served: Gate, workspace: Path, capfd: Any, answer: str, code: int
) -> None:
    await served.set_toggle("approval_policy", "on-request")
    (workspace / "fetch.py").write_text(FETCH)
    web = await asyncio.start_server(hello, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{web.sockets[0].getsockname()[1]}/"
    events = served.subscribe()
    running = asyncio.create_task(asyncio.to_thread(main, ["--", PYTHON, "fetch.py", url]))
    asked = (await next_event(events, "queued"))["pending"]["action"]
    assert (asked["kind"], asked["host"], asked["agent"]["name"]) == (
        "network",
        "127.0.0.1",
        "warden-exec",
    )
    await served.decide(asked["id"], answer, "no network today")
    assert await running == code
    web.close()
    out, err = capfd.readouterr()
    if answer == "allow":
        assert out == "hello\n"
    else:
        assert "403 warden: 127.0.0.1" in err
        assert "denied: no network today" in err
