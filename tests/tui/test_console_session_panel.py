"""The session panel against a real gate: settings go through `set_toggle`, grants are revoked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import OptionList, Select

from gate.server import GateServer
from tests.tui.console_helpers import ASK, Agent, audit_events, make_gate, until
from tui.app import WardenApp
from tui.session_panel import SessionPanel

SIZE = (120, 36)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GateServer]:
    async with GateServer(make_gate(tmp_path)) as running:
        yield running


async def test_a_setting_changes_in_the_gate(server: GateServer) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SessionPanel))
        app.screen.query_one("#approval_policy", Select).value = "untrusted"
        await until(pilot, lambda: app.state.toggles["approval_policy"] == "untrusted")
        assert server.gate.toggles().approval_policy == "untrusted"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SessionPanel))


async def test_a_grant_is_revoked(tmp_path: Path, server: GateServer) -> None:
    app, agent = WardenApp(), Agent()
    async with app.run_test(size=SIZE) as pilot:
        agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("s")
        await until(pilot, lambda: app.screen.query("#scopes"))
        await pilot.press("enter")
        await until(pilot, lambda: app.state.grants)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SessionPanel))
        app.screen.query_one("#grants", OptionList).focus()
        await pilot.press("x")
        await until(pilot, lambda: not app.state.grants)
        assert server.gate.grant_store.list() == []
    await agent.close()
    assert len(audit_events(tmp_path, "grant.revoked")) == 1
