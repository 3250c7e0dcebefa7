"""Snapshots of the queue screen and its modals at 120 by 36, with a fixed clock and fixed ids."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.console_helpers import Agent, make_gate, until
from tui.app import WardenApp

SIZE = (120, 36)
NOW = 1_795_600_000.0


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clock times render the same in every time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class SnapshotApp(WardenApp):
    """The console with the test's agent, hung up before the gate stops."""

    agent: Agent | None = None

    async def on_unmount(self) -> None:
        if self.agent is not None:
            await self.agent.close()


class TestQueueScreen:
    def _app(self, tmp_path: Path) -> WardenApp:
        return SnapshotApp(gate_factory=lambda: make_gate(tmp_path), clock=lambda: NOW)

    async def _queue(self, pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SnapshotApp)
        await until(pilot, lambda: app.client is not None)
        agent = app.agent = Agent()
        agent.submit("git status", "act-status")  # the builtin rules allow it: the feed
        agent.submit("git push origin main", "act-push")
        agent.submit("frobnicate --now", "act-frob")
        await until(pilot, lambda: len(app.state.pending) == 2 and app.state.feed)
        for age, pending in zip((14, 9), app.state.pending.values(), strict=True):
            pending["queued_at"] = NOW - age
        app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
        app.clear_notifications()
        app.refresh_queue()
        await pilot.pause()

    def test_two_pending(self, snap_compare: Any, tmp_path: Path) -> None:
        assert snap_compare(self._app(tmp_path), terminal_size=SIZE, run_before=self._queue)

    def test_deny_with_message(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await self._queue(pilot)
            await pilot.press("d", *"run the tests instead")

        assert snap_compare(self._app(tmp_path), terminal_size=SIZE, run_before=run_before)

    def test_session_scopes(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await self._queue(pilot)
            await pilot.press("s")
            await until(pilot, lambda: pilot.app.screen.query("#scopes"))

        assert snap_compare(self._app(tmp_path), terminal_size=SIZE, run_before=run_before)

    def test_session_panel(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await self._queue(pilot)
            await pilot.press("t")
            await until(pilot, lambda: pilot.app.screen.query("#toggles"))

        assert snap_compare(self._app(tmp_path), terminal_size=SIZE, run_before=run_before)
