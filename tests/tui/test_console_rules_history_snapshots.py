"""Snapshots of the rules and history screens at 120 by 36 and 80 by 24, with a fixed clock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from gate.audit import AuditLog
from gate.audit_files import ZERO_HASH, line_hash
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from tests.tui.console_helpers import until
from tui.app import WardenApp
from tui.history_screen import HistoryScreen
from tui.rules_screen import RulesScreen

SIZES = [(120, 36), (80, 24)]
NOW = 1_795_600_000.0
RULES = """\
# Team rules: reviewed in the weekly sync.
version = 1

[[command]]
id = "make-checks"
prefix = ["make", ["test", "lint"]]
decision = "allow"
reason = "the project's own checks"
examples = ["make test", "make lint -j4"]
not_examples = ["make install"]

[[path]]
glob = "~/.aws/**"
access = "any"
decision = "block"
reason = "cloud credentials"
"""
DECISIONS = [
    ("claude-code", "a1b2c3d4", "exec", "git status", "allow", "builtin"),
    ("claude-code", "a1b2c3d4", "exec", "rm -rf ~", "deny", "builtin"),
    ("codex", "77e0f1aa", "exec", "make test", "allow", "rules"),
    ("codex", "77e0f1aa", "network", "connect files.pythonhosted.org:443", "allow", "reviewer"),
    ("claude-code", "a1b2c3d4", "exec", "git push origin main", "deny", "user"),
    ("codex", "77e0f1aa", "write", "write ~/.bashrc", "deny", "grant"),
]


@pytest.fixture(autouse=True)
def fixed_place(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> Iterator[Path]:
    """UTC clock times, and config, state and project under the home, so paths show as `~/…`."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_env / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(isolated_env / ".local" / "state"))
    project = isolated_env / "shop"
    (project / ".git").mkdir(parents=True)
    monkeypatch.chdir(project)
    yield isolated_env
    monkeypatch.undo()
    time.tzset()


def _gate(home: Path) -> Gate:
    state = home / ".local" / "state" / "warden"
    state.mkdir(parents=True, exist_ok=True)
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(state / "grants.json"),
        audit=AuditLog(state / "audit.jsonl"),
        toggles=Toggles(auto_review=False),
    )


def _app(home: Path) -> WardenApp:
    return WardenApp(gate_factory=lambda: _gate(home), clock=lambda: NOW)


def _write_history(home: Path) -> None:
    log = home / ".local" / "state" / "warden" / "audit.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    prev, lines = ZERO_HASH, []
    for seq, (agent, session, kind, summary, decision, source) in enumerate(DECISIONS, 1):
        record = {
            "seq": seq,
            "ts": f"2026-11-25T11:{seq * 7:02d}:{seq * 3:02d}+00:00",
            "event": "action.decided",
            "prev": prev,
            "action_id": f"act-{seq:04d}",
            "agent": agent,
            "session": session,
            "kind": kind,
            "summary": summary,
            "decision": decision,
            "source": source,
        }
        line = json.dumps(record, separators=(",", ":")).encode()
        lines.append(line)
        prev = line_hash(line)
    log.write_bytes(b"\n".join(lines) + b"\n")


async def _quiet(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WardenApp)
    await until(pilot, lambda: app.origin == "own gate")  # after its "started one" notice
    app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
    app.clear_notifications()


class TestRulesScreen:
    async def _rules(self, pilot: Pilot[Any], extra: str = "") -> None:
        await _quiet(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RulesScreen))
        screen = pilot.app.screen
        assert isinstance(screen, RulesScreen)
        screen.editor.cursor_blink = False
        screen.query_one("#rules-cmd", Input).cursor_blink = False
        if extra:
            screen.editor.insert(extra, screen.editor.document.end)
        await pilot.press("ctrl+t", *"make test && make install")
        await until(
            pilot, lambda: "make install" in str(screen.query_one("#rules-verdict").content)
        )
        await pilot.press("escape")  # back to the editor
        screen.editor.move_cursor((0, 0))
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    def test_valid_file(self, snap_compare: Any, fixed_place: Path, size: tuple[int, int]) -> None:
        path = fixed_place / ".config" / "warden" / "rules.toml"
        path.parent.mkdir(parents=True)
        path.write_text(RULES)
        assert snap_compare(_app(fixed_place), terminal_size=size, run_before=self._rules)

    def test_error_at_its_line(self, snap_compare: Any, fixed_place: Path) -> None:
        path = fixed_place / ".config" / "warden" / "rules.toml"
        path.parent.mkdir(parents=True)
        path.write_text(RULES)

        async def run_before(pilot: Pilot[Any]) -> None:
            broken = '\n[[network]]\nhost = "*.corp.example"\ndecision = "maybe"\n'
            await self._rules(pilot, broken)
            screen = pilot.app.screen
            assert isinstance(screen, RulesScreen)
            await until(pilot, lambda: not screen.check.ok)

        assert snap_compare(_app(fixed_place), terminal_size=(120, 36), run_before=run_before)


class TestHistoryScreen:
    async def _history(self, pilot: Pilot[Any], query: str = "") -> None:
        await _quiet(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        screen = pilot.app.screen
        filter_box = screen.query_one("#history-query", Input)
        filter_box.cursor_blink = False
        if query:
            filter_box.value = query
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    def test_every_decision(
        self, snap_compare: Any, fixed_place: Path, size: tuple[int, int]
    ) -> None:
        _write_history(fixed_place)
        assert snap_compare(_app(fixed_place), terminal_size=size, run_before=self._history)

    def test_filtered(self, snap_compare: Any, fixed_place: Path) -> None:
        _write_history(fixed_place)

        async def run_before(pilot: Pilot[Any]) -> None:
            await self._history(pilot, "decision:deny agent:claude")

        assert snap_compare(_app(fixed_place), terminal_size=(120, 36), run_before=run_before)

    def test_one_record(self, snap_compare: Any, fixed_place: Path) -> None:
        _write_history(fixed_place)

        async def run_before(pilot: Pilot[Any]) -> None:
            await self._history(pilot)
            await pilot.press("j", "enter")
            await until(pilot, lambda: pilot.app.screen.query("#record-json"))

        assert snap_compare(_app(fixed_place), terminal_size=(120, 36), run_before=run_before)
