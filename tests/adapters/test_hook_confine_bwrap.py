"""`warden hook claude-code --confine` end to end: the rewritten Bash call really runs in bwrap."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hookgate import running_gate, shim

from gate.audit import read_records
from sandbox.errors import SandboxUnavailable
from sandbox.runner import check

try:
    check()
except SandboxUnavailable as exc:
    pytest.skip(f"bubblewrap cannot start on this machine:\n{exc}", allow_module_level=True)


@pytest.fixture
def root() -> Iterator[Path]:
    """A scratch tree under /var/tmp: inside a sandbox /tmp is private, /var/tmp is not."""
    folder = Path(tempfile.mkdtemp(prefix="warden-confine-test-", dir="/var/tmp")).resolve()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_confined_bash_call_writes_its_workspace_and_nothing_else(root: Path) -> None:
    workspace, outside = root / "workspace", root / "outside"
    workspace.mkdir()
    outside.mkdir()
    target = outside / "target"
    target.write_text("original\n")
    command = f"echo confined > made.txt && echo changed > {target}"
    payload = {
        "session_id": "c-9",
        "cwd": str(workspace),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": "toolu_9",
    }
    with running_gate(root / "state", root / "sockets" / "gate.sock") as socket_path:
        answer = shim("claude-code", "--confine", payload=payload, socket_path=socket_path)
        assert answer.returncode == 0, answer.stderr
        specific = json.loads(answer.stdout)["hookSpecificOutput"]
        assert specific["permissionDecision"] == "allow"
        rewritten = specific["updatedInput"]["command"]
        assert rewritten.startswith("warden exec -- ")

        # What Claude Code then does with the rewritten input: run it with its shell.
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "WARDEN_SOCKET": str(socket_path),
        }
        ran = subprocess.run(
            ["bash", "-c", rewritten],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # The write inside the workspace happened; the one outside it was refused by the sandbox.
    assert (workspace / "made.txt").read_text() == "confined\n"
    assert target.read_text() == "original\n"
    assert ran.returncode != 0
    assert "Read-only file system" in ran.stderr, ran.stderr
    # Both decisions are on record, the hook's and `warden exec`'s own, then how the run went.
    records = list(read_records(root / "state" / "audit.jsonl"))
    decided = [r for r in records if r["event"] == "action.decided"]
    assert [(r["agent"], r["executor"], r["decision"]) for r in decided] == [
        ("claude-code", "warden", "allow"),
        ("warden-exec", "warden", "allow"),
    ]
    assert all(command in r["summary"] for r in decided)
    (result,) = [r for r in records if r["event"] == "action.result"]
    assert (result["action_id"], result["exit_code"]) == (decided[1]["action_id"], 1)
