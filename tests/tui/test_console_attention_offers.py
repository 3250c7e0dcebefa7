"""The console calls for the person once per burst, and offers only the settings allowed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, Select

from gate.audit import AuditLog
from gate.config import NotificationsConfig
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer
from rules.loader import Requirements
from tests.tui.console_helpers import ASK, Agent, make_gate, until
from tui.app import WardenApp
from tui.session_panel import SessionPanel

SIZE = (120, 36)


async def test_three_queued_actions_make_one_call_saying_three(tmp_path: Path) -> None:
    agent = Agent()
    async with GateServer(make_gate(tmp_path)):
        app = WardenApp(notifications=NotificationsConfig(bell=True, desktop=True))
        rings: list[int] = []
        written: list[str] = []
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.client is not None)
            # The seams to the terminal: headless runs write nothing, so record instead.
            app.attention.ring = lambda: rings.append(1)
            app.attention.write = written.append
            for n in range(3):
                agent.submit(ASK, f"act-{n}")
            await until(pilot, lambda: rings)
            await pilot.pause(0.2)
        await agent.close()
    assert rings == [1]
    assert len(written) == 1
    assert "\x1b]9;Warden: 3 actions wait for you\x07" in written[0]
    assert "\x1b]777;notify;Warden;3 actions wait for you\x07" in written[0]


async def test_the_session_panel_offers_only_what_the_requirements_allow(tmp_path: Path) -> None:
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        toggles=Toggles(auto_review=False),
        requirements=Requirements(
            allowed_approval_policies=("untrusted", "on-request"),
            allowed_sandbox_modes=("read-only",),
            unknown_hosts="block",
        ),
    )
    async with GateServer(gate):
        app = WardenApp()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.client is not None)
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, SessionPanel))
            panel = app.screen

            def offered(name: str) -> list[object]:
                return [value for _, value in panel.query_one(f"#{name}", Select)._options]

            assert offered("approval_policy") == ["untrusted", "on-request"]
            assert offered("sandbox_mode") == ["read-only"]
            assert offered("unknown_hosts") == ["block"]
            assert not panel.query("#auto_review")  # no reviewer: nothing to switch on
            reviewer = str(panel.query_one("#reviewer", Label).render())
            assert "set [reviewer] model in the config" in reviewer
