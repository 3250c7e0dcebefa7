"""A console that finds no gate starts one; quitting it stops that gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.paths import socket_paths
from tests.tui.console_helpers import ASK, Agent, audit_events, make_gate, until
from tui.app import WardenApp
from tui.cli import main
from tui.confirm_modal import ConfirmModal
from tui.queue_state import QueueState

SIZE = (120, 36)


async def test_starts_a_gate_agents_reach_and_stops_it_on_quit(tmp_path: Path) -> None:
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    agent = Agent()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        assert app.origin == "own gate"
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        decision = await answer
        await until(pilot, lambda: not app.is_running)
    await agent.close()
    assert (decision["decision"], decision["message"]) == ("deny", "the gate stopped")
    assert not socket_paths()[1].exists()
    assert audit_events(tmp_path, "action.decided")[0]["source"] == "error"


def test_without_a_terminal_warden_prints_usage_instead(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main([])  # pytest's stdout is no terminal: usage and the self-check instead
    assert "usage: warden" in capsys.readouterr().out


def test_events_keep_the_queue_current() -> None:
    state = QueueState()
    pending = {
        "action": {"id": "a1", "kind": "exec", "command": "ls", "agent": {"name": "x"}},
        "queued_at": 0.0,
    }
    state.apply({"type": "queued", "pending": pending}, 1.0)
    state.apply({"type": "paused", "agent": "x", "session": None, "paused": True}, 1.0)
    assert state.is_paused("x", "")
    state.apply(
        {
            "type": "decided",
            "action_id": "a1",
            "decision": "deny",
            "source": "user",
            "message": "no",
        },
        2.0,
    )
    assert not state.pending
    assert (state.feed[0].summary, state.decided_by_you) == ("ls", 1)
