"""The detail pane says where an action came from: the task, the command, what the agent said."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gate.server import GateServer
from tests.tui.console_helpers import Agent, action, make_gate, until
from tui.action_detail import ActionDetail
from tui.app import WardenApp

SIZE = (120, 36)


@pytest.fixture
async def agent(tmp_path: Path) -> AsyncIterator[Agent]:
    async with GateServer(make_gate(tmp_path)):
        submitting = Agent()
        yield submitting
        await submitting.close()


def detail_text(app: WardenApp) -> str:
    return str(app.screen.query_one(ActionDetail).query_one("#detail-body").render())


async def test_a_connection_shows_the_command_and_the_conversation_behind_it(
    agent: Agent,
) -> None:
    question = {
        "kind": "network",
        "host": "pypi.org",
        "port": 443,
        "cwd": "/w",
        "executor": "warden",
        "agent": {"name": "demo", "session": "s1"},
        "context": {
            "task": "Fix the failing test in calc.py",
            "turns": [
                {"role": "assistant", "text": "Reading the tests first."},
                {"role": "assistant", "text": "I will   install requests\nto call the API."},
                {"role": "command", "text": "pip install requests"},
            ],
        },
    }
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        waiting = asyncio.create_task(agent.client.submit(question))
        await until(pilot, lambda: "pypi.org" in detail_text(app))
        shown = detail_text(app)
        waiting.cancel()
    assert "task Fix the failing test in calc.py" in shown
    assert "from $ pip install requests" in shown
    assert "said I will install requests to call the API." in shown  # the last one, one line
    assert "Reading the tests first." not in shown


async def test_an_action_without_context_shows_none(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        waiting = asyncio.create_task(agent.client.submit(action("frobnicate --now")))
        await until(pilot, lambda: "frobnicate" in detail_text(app))
        shown = detail_text(app)
        waiting.cancel()
    assert "task " not in shown
    assert "said " not in shown
