"""A scratch tree that sandboxes can see (not under the private /tmp), and helpers to use it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gate.model import Event
from sandbox.result import RunResult
from sandbox.runner import run_sync
from sandbox.spec import SandboxSpec

# Inside a sandbox /tmp is a private tmpfs, so pytest's tmp_path would be invisible there and an
# escape test could "pass" by writing into that throwaway tmpfs. /var/tmp stays visible.
VISIBLE_TMP = Path("/var/tmp")
PYTHON = sys.executable
WARDEN = str(Path(sys.executable).with_name("warden"))


@dataclass
class Tree:
    """A scratch tree: a workspace, a folder outside it, and Warden's own dirs beside them."""

    root: Path
    workspace: Path
    outside: Path

    def run(self, argv: list[str], **spec: Any) -> RunResult:
        """Run `argv` in a sandbox over this workspace (workspace-write unless told otherwise)."""
        return run_sync(argv, SandboxSpec(workspace=self.workspace, **spec))

    def sh(self, script: str, **spec: Any) -> RunResult:
        """Run `sh -c script` in a sandbox over this workspace."""
        return self.run(["sh", "-c", script], **spec)

    def py(self, code: str, **spec: Any) -> RunResult:
        """Run Python code in a sandbox over this workspace."""
        return self.run([PYTHON, "-c", code], **spec)


def git(cwd: Path, *args: str) -> str:
    """Run git on the host with a fixed identity; return its output."""
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


async def next_event(events: asyncio.Queue[Event], kind: str, seconds: float = 20) -> Event:
    """The next gate event of this type (each wait at most `seconds`)."""
    while (event := await asyncio.wait_for(events.get(), seconds))["type"] != kind:
        pass
    return event
