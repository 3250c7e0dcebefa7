"""The console's `review` method: a person re-runs the real reviewer on a pending action."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openai import AsyncOpenAI

from gate.audit import AuditLog
from gate.client import AsyncGateClient, GateProtocolError
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer
from reviewer.review import Reviewer
from tests.reviewer.chat_server import ChatServer, Reply, verdict_json

ASK = "frobnicate --now"  # unmatched, run by the agent: a person decides under on-request
ACTION = {"kind": "exec", "command": ASK, "cwd": "/w", "agent": {"name": "a", "session": "s1"}}


class Console:
    """A console connection: calls, and the events of its `watch` stream kept apart."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.events: list[dict[str, Any]] = []
        self.answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.reading = asyncio.create_task(self._read())
        self.ids = 0

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.ids += 1
        answer = self.answers[self.ids] = asyncio.get_running_loop().create_future()
        message = {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params or {}}
        self.writer.write(json.dumps(message).encode() + b"\n")
        await self.writer.drain()
        return await asyncio.wait_for(answer, 5)

    async def event(self, kind: str, action_id: str | None = None) -> dict[str, Any]:
        for _ in range(250):
            for event in self.events:
                if event["type"] == kind and action_id in (None, event.get("action_id")):
                    return event
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {kind} event")

    async def close(self) -> None:
        self.reading.cancel()
        self.writer.close()

    async def _read(self) -> None:
        while line := await self.reader.readline():
            message = json.loads(line)
            if message.get("method") == "event":
                self.events.append(message["params"])
            else:
                self.answers[message["id"]].set_result(message)


async def serve(tmp_path: Path, reviewer: Reviewer | None, toggles: Toggles) -> GateServer:
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        reviewer=reviewer,
        toggles=toggles,
    )
    server = GateServer(gate)
    await server.start()
    return server


@pytest.fixture
async def reviewer(chat: ChatServer, tmp_path: Path) -> AsyncIterator[Reviewer]:
    async with AsyncOpenAI(api_key="test-key", base_url=chat.url) as client:
        yield Reviewer(client, model="test-model", timeout_s=0.5, token_file=tmp_path / "t.json")


async def open_console(server: GateServer) -> tuple[Console, dict[str, Any]]:
    console = Console(*await asyncio.open_unix_connection(str(server.console_path)))
    return console, (await console.call("watch"))["result"]


async def test_a_failed_review_rerun_approves_and_the_agent_hears_it(
    chat: ChatServer, reviewer: Reviewer, tmp_path: Path
) -> None:
    chat.replies = [Reply(status=401, error="invalid api key")]  # the first review fails
    server = await serve(tmp_path, reviewer, Toggles())
    console, snapshot = await open_console(server)
    assert snapshot["reviewer"] == "test-model"
    agent = AsyncGateClient(server.agent_path)
    answer = asyncio.create_task(agent.submit(dict(ACTION, id="act-1")))
    queued = await console.event("queued")
    assert queued["pending"]["reviewing"] is True
    first = await console.event("reviewed", "act-1")
    assert "invalid api key" in first["review"]["error"]
    assert not answer.done()  # a failure escalates to the person

    result = (await console.call("review", {"action_id": "act-1"}))["result"]

    assert result["decided"] == "allow"
    assert result["review"]["risk"] == "low"
    assert await console.event("reviewing", "act-1")
    decision = await answer
    assert (decision["decision"], decision["source"]) == ("allow", "reviewer")
    assert len(chat.requests) == 2
    await agent.close()
    await console.close()
    await server.close()


async def test_a_rerun_that_escalates_leaves_the_action_waiting(
    chat: ChatServer, reviewer: Reviewer, tmp_path: Path
) -> None:
    chat.replies = [Reply(delay=1)]  # the first review times out
    chat.default = Reply(content=verdict_json(risk="high", outcome="escalate", rationale="No."))
    server = await serve(tmp_path, reviewer, Toggles())
    console, _ = await open_console(server)
    agent = AsyncGateClient(server.agent_path)
    answer = asyncio.create_task(agent.submit(dict(ACTION, id="act-2")))
    await console.event("queued")
    busy = await console.call("review", {"action_id": "act-2"})
    assert "being reviewed already" in busy["error"]["message"]
    await console.event("reviewed", "act-2")

    result = (await console.call("review", {"action_id": "act-2"}))["result"]

    assert (result["decided"], result["review"]["rationale"]) == (None, "No.")
    assert (await console.event("reviewed", "act-2"))["review"]["error"]  # the timed-out one
    assert not answer.done()
    await console.call("decide", {"action_id": "act-2", "decision": "deny"})
    assert (await answer)["decision"] == "deny"
    await agent.close()
    await console.close()
    await server.close()


@pytest.mark.parametrize(
    ("with_reviewer", "toggles", "action_id", "error"),
    [
        (False, Toggles(auto_review=False), "act-3", "no reviewer is configured"),
        (True, Toggles(auto_review=False), "act-3", "auto-review is off"),
        (True, Toggles(), "act-unknown", "no pending action 'act-unknown'"),
    ],
)
async def test_review_refuses_with_a_clear_error(
    reviewer: Reviewer,
    tmp_path: Path,
    with_reviewer: bool,
    toggles: Toggles,
    action_id: str,
    error: str,
) -> None:
    server = await serve(tmp_path, reviewer if with_reviewer else None, toggles)
    console, snapshot = await open_console(server)
    assert snapshot["reviewer"] == ("test-model" if with_reviewer else None)
    agent = AsyncGateClient(server.agent_path)
    answer = asyncio.create_task(agent.submit(dict(ACTION, id="act-3")))
    await console.event("queued")
    refused = await console.call("review", {"action_id": action_id})
    assert error in refused["error"]["message"]
    with pytest.raises(GateProtocolError, match="method not found"):
        await agent.call("review", {"action_id": "act-3"})  # agents cannot ask for reviews
    await console.call("decide", {"action_id": "act-3", "decision": "deny"})
    await answer
    await agent.close()
    await console.close()
    await server.close()


async def test_the_snapshot_offers_what_the_requirements_allow(tmp_path: Path) -> None:
    from rules.loader import Requirements

    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        requirements=Requirements(
            allowed_approval_policies=("untrusted", "on-request"),
            allowed_sandbox_modes=("read-only",),
            unknown_hosts="block",
        ),
    )
    allowed = gate.snapshot()["allowed"]
    await gate.close()
    assert allowed == {
        "approval_policy": ["untrusted", "on-request"],
        "sandbox_mode": ["read-only"],
        "unknown_hosts": ["block"],
    }
