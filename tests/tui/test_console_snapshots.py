"""Snapshots of the queue screen, its modals and the session panel at 120x36 and 80x24.

A fixed clock, fixed action ids and a fixed reviewer verdict (the `ReviewFn` seam) make each
frame the same on every run; the gate, its sockets and the agent are real.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from gate import always
from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import ReviewResult, Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from rules.action import Action
from rules.model import Verdict
from tests.tui.console_helpers import Agent, until
from tui.app import WardenApp

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]
NOW = 1_795_600_000.0
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clock times render the same in every time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class FixedDate(date):
    """`date.today()` on a fixed day."""

    @classmethod
    def today(cls) -> FixedDate:
        return cls(2026, 11, 25)


class FixedReviewer:
    """The same verdicts every run, as a model that escalates these two actions would give."""

    model = "gpt-5-mini"

    async def __call__(self, action: Action, verdict: Verdict) -> ReviewResult:
        if action.command == "git push origin main":
            return ReviewResult(
                outcome="escalate",
                risk="high",
                user_authorized="unknown",
                rationale="Pushing publishes commits to the remote; the task asked only to fix "
                "the failing test.",
                latency_ms=1800,
                tokens=912,
            )
        return ReviewResult(
            outcome="escalate",
            risk="medium",
            user_authorized="low",
            rationale="An unknown program with a flag that may act at once.",
            latency_ms=1200,
            tokens=640,
        )


def make_gate(tmp_path: Path) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        reviewer=FixedReviewer(),
        toggles=Toggles(),
    )


class SnapshotApp(WardenApp):
    """The console with the test's agent, hung up before the gate stops."""

    agent: Agent | None = None

    async def on_unmount(self) -> None:
        if self.agent is not None:
            await self.agent.close()


def console(tmp_path: Path) -> SnapshotApp:
    return SnapshotApp(gate_factory=lambda: make_gate(tmp_path), clock=lambda: NOW)


async def queue(pilot: Pilot[Any]) -> None:
    """Two actions wait (reviewed, with ages), three were decided by the rules."""
    app = pilot.app
    assert isinstance(app, SnapshotApp)
    await until(pilot, lambda: app.client is not None)
    agent = app.agent = Agent()
    for command, action_id in [
        ("git status", "act-status"),
        ("rm -rf ~", "act-rm"),
        ("cat README.md", "act-cat"),
        ("git push origin main", "act-push"),
        ("frobnicate --now", "act-frob"),
    ]:
        agent.submit(command, action_id)
    await until(
        pilot,
        lambda: (
            len(app.state.feed) == 3
            and len(app.state.pending) == 2
            and all(p["review"] for p in app.state.pending.values())
        ),
    )
    order = {"act-status": 0, "act-rm": 1, "act-cat": 2}  # the feed's order, whatever the race
    app.state.feed = type(app.state.feed)(
        sorted(app.state.feed, key=lambda row: -order[row.action_id]),
        maxlen=app.state.feed.maxlen,
    )
    for age, pending in zip((14, 9), app.state.pending.values(), strict=True):
        pending["queued_at"] = NOW - age
    app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
    app.clear_notifications()
    app.refresh_queue()
    await pilot.pause()


def then(*keys: str, until_shown: str | None = None) -> Steps:
    """The queue, then keys pressed, then wait until a selector is on screen."""

    async def steps(pilot: Pilot[Any]) -> None:
        await queue(pilot)
        await pilot.press(*keys)
        if until_shown is not None:
            await until(pilot, lambda: pilot.app.screen.query(until_shown))
        await pilot.pause()

    return steps


class TestQueueScreen:
    @pytest.mark.parametrize("size", [*SIZES, pytest.param((200, 50), id="200x50")])
    def test_two_pending_and_the_feed(
        self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=queue)

    @pytest.mark.parametrize("size", SIZES)
    def test_detail_full_screen(
        self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        steps = then("j", "enter")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)

    @pytest.mark.parametrize("size", SIZES)
    def test_help(self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
        steps = then("question_mark", until_shown="HelpPanel")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)


class TestModals:
    @pytest.mark.parametrize("size", SIZES)
    def test_session_scopes(self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
        steps = then("s", until_shown="#scopes")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)

    @pytest.mark.parametrize("size", SIZES)
    def test_always(
        self,
        snap_compare: Any,
        tmp_path: Path,
        size: tuple[int, int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(always, "date", FixedDate)  # the rule's reason names the day
        # The preview names the user rules file: the same path on every run.
        config = Path(tempfile.gettempdir()) / "warden-snapshots" / "config"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(config))

        async def steps(pilot: Pilot[Any]) -> None:
            await then("a", until_shown="#target")(pilot)
            preview = pilot.app.screen.query_one("#preview", Label)
            await until(pilot, lambda: "Writes to" in str(preview.render()))

        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)

    @pytest.mark.parametrize("size", SIZES)
    def test_deny_with_message(
        self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        steps = then("d", *"run the tests instead")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)

    @pytest.mark.parametrize("size", SIZES)
    def test_confirm_quit(self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
        steps = then("q", until_shown="ConfirmModal Button")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)


class TestSessionPanel:
    @pytest.mark.parametrize("size", SIZES)
    def test_settings_and_grants(
        self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        steps = then("t", until_shown="#toggles")
        assert snap_compare(console(tmp_path), terminal_size=size, run_before=steps)
