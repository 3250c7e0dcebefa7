"""Shared pieces of the console tests: a real gate on tmp paths, an agent, waiting on the app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from gate.audit import AuditLog
from gate.client import AsyncGateClient
from gate.grants import GrantStore
from gate.model import Toggles
from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.rulebook import Rulebook

ASK = "frobnicate --now"  # unmatched, run by the agent: a person decides under on-request


def action(command: str, action_id: str | None = None, session: str = "s1") -> dict[str, Any]:
    found = {"id": action_id} if action_id else {}
    agent = {"name": "test-agent", "session": session}
    return {"kind": "exec", "command": command, "cwd": "/w", "agent": agent, **found}


def make_gate(tmp_path: Path) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        toggles=Toggles(auto_review=False),  # no reviewer here, as without a configured model
    )


def audit_events(tmp_path: Path, event: str) -> list[dict[str, Any]]:
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return [r for r in records if r["event"] == event]


class Agent:
    """An agent on the agent socket whose submits run as tasks."""

    def __init__(self) -> None:
        self.client = AsyncGateClient(socket_paths()[0])
        self.tasks: list[asyncio.Task[dict[str, Any]]] = []

    def submit(self, command: str, action_id: str | None = None) -> asyncio.Task[dict[str, Any]]:
        task = asyncio.create_task(self.client.submit(action(command, action_id)))
        self.tasks.append(task)
        return task

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()  # what still waits is withdrawn when the connection closes
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.close()


async def until(pilot: Pilot[Any], condition: Callable[[], object], seconds: float = 5) -> None:
    """Let the app run until the condition holds (fails the test after `seconds`)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never held")
