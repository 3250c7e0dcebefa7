"""`r` re-runs the review against a real gate and a real reviewer on a local chat server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openai import AsyncOpenAI

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer
from reviewer.review import Reviewer
from tests.reviewer.chat_server import ChatServer, Reply
from tests.tui.console_helpers import ASK, Agent, audit_events, make_gate, until
from tui.action_detail import ActionDetail
from tui.app import WardenApp
from tui.queue_screen import QueueScreen

SIZE = (120, 36)


@pytest.fixture
async def reviewed(chat: ChatServer, tmp_path: Path) -> AsyncIterator[GateServer]:
    """A shared gate whose reviewer asks the local chat server."""
    async with AsyncOpenAI(api_key="test-key", base_url=chat.url) as client:
        reviewer = Reviewer(client, model="test-model", timeout_s=1, token_file=tmp_path / "t")
        gate = Gate(
            rulebook=Rulebook(),
            grants=GrantStore(tmp_path / "grants.json"),
            audit=AuditLog(tmp_path / "audit.jsonl"),
            reviewer=reviewer,
        )
        async with GateServer(gate) as running:
            yield running


@pytest.fixture
async def agent() -> AsyncIterator[Agent]:
    """An agent hung up in teardown, whatever the test did."""
    submitting = Agent()
    yield submitting
    await submitting.close()


def detail_text(app: WardenApp) -> str:
    return str(app.screen.query_one(ActionDetail).query_one("#detail-body").render())


async def test_r_reruns_a_failed_review_which_approves(
    chat: ChatServer, reviewed: GateServer, tmp_path: Path, agent: Agent
) -> None:
    chat.replies = [Reply(status=401, error="invalid api key")]
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: "invalid api key" in detail_text(app))  # drawn within a frame
        assert app.state.reviewer == "test-model"
        assert "auto-review on (test-model)" in str(app.screen.query_one("#header").render())
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.check_action("rereview", ()) is True
        await pilot.press("r")
        decision = await answer
        await until(pilot, lambda: not app.state.pending)
    assert (decision["decision"], decision["source"]) == ("allow", "reviewer")
    assert len(chat.requests) == 2
    assert [r["source"] for r in audit_events(tmp_path, "action.decided")] == ["reviewer"]


async def test_r_is_greyed_out_without_a_reviewer(tmp_path: Path, agent: Agent) -> None:
    async with GateServer(make_gate(tmp_path)):
        app = WardenApp()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.client is not None)
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            assert screen.check_action("rereview", ()) is None  # nothing selected
            agent.submit(ASK)
            await until(pilot, lambda: app.state.pending)
            assert app.state.reviewer is None
            assert screen.check_action("rereview", ()) is None  # no reviewer
            await pilot.press("r")
            await pilot.pause()
            assert not next(iter(app.state.pending.values()))["reviewing"]
            await until(pilot, lambda: "auto-review is off" in detail_text(app))
        await agent.close()  # before the gate stops


async def test_r_is_greyed_out_while_auto_review_is_off(
    chat: ChatServer, reviewed: GateServer, agent: Agent
) -> None:
    await reviewed.gate.set_toggle("auto_review", False)
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        agent.submit(ASK)
        await until(pilot, lambda: "t turns it on, then r reviews this one" in detail_text(app))
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.check_action("rereview", ()) is None
    assert chat.requests == []
