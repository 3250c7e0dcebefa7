"""A labelled sample session: real actions through the real gate, decided for real, never run."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from gate.client import AsyncGateClient
from gate.errors import GateError

SAMPLE_AGENT = {"name": "sample", "session": "demo"}
NOTICE = "Sample session: real actions decided by the real gate. Sample actions: nothing runs."


def sample_actions(cwd: str) -> list[dict[str, Any]]:
    """A handful of everyday and dangerous actions, in the shapes agents send."""
    home = str(Path.home())
    return [
        {"kind": "exec", "command": "git status", "cwd": cwd},
        {"kind": "exec", "command": "make deploy", "cwd": cwd},
        {"kind": "exec", "command": "rm -rf ~", "cwd": cwd},
        {"kind": "read", "path": f"{home}/.ssh/id_rsa", "cwd": cwd},
        {"kind": "network", "host": "files.pythonhosted.org", "port": 443, "cwd": cwd},
        {"kind": "exec", "command": "git push origin main", "cwd": cwd},
    ]


async def run_sample(agent_socket: Path, cwd: str | None = None) -> list[dict[str, Any]]:
    """Submit the sample actions as agent `sample` and wait for every decision.

    Nothing is ever executed: the decisions are only collected. The connection stays open
    until all are decided (closing it would withdraw what still waits).
    """
    where = cwd or os.getcwd()
    async with AsyncGateClient(agent_socket) as client:
        await client.hello(SAMPLE_AGENT)
        answers = await asyncio.gather(
            *(
                _submit(client, {**action, "agent": SAMPLE_AGENT})
                for action in sample_actions(where)
            )
        )
    return answers


async def _submit(client: AsyncGateClient, action: dict[str, Any]) -> dict[str, Any]:
    try:
        return await client.submit(action)
    except GateError as exc:  # withdrawn or the gate went away: as every client, a denial
        return {"decision": "deny", "message": str(exc)}
