"""The history screen against a real gate and audit log: filters, one record in full, live rows."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from gate.audit import AuditLog
from gate.audit_files import ZERO_HASH, line_hash
from gate.client import AsyncGateClient
from gate.grants import GrantStore
from gate.model import Toggles
from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from tests.tui.console_helpers import ASK, make_gate, until
from tui.app import WardenApp
from tui.history_screen import AHEAD, HistoryScreen
from tui.history_source import HistoryFilter, decisions_newest_first
from tui.history_table import NEAR_END, HistoryTable
from tui.record_modal import RecordModal

SIZE = (120, 36)


def _submit(client: AsyncGateClient, agent: str, command: str) -> asyncio.Task[dict[str, Any]]:
    action = {
        "kind": "exec",
        "command": command,
        "cwd": "/w",
        "agent": {"name": agent, "session": f"{agent}-1"},
    }
    return asyncio.create_task(client.submit(action))


def _summaries(screen: HistoryScreen) -> list[str]:
    return [str(record["summary"]) for record in screen.query_one(HistoryTable).rows]


def _line(table: HistoryTable, row: int) -> str:
    """The text drawn for a row (the header is line 0), scrolled as it is."""
    return table.render_line(row - table.scroll_offset.y + 1).text


async def _filter(pilot: Pilot[None], screen: HistoryScreen, text: str) -> list[str]:
    screen.query_one("#history-query", Input).value = text
    await pilot.pause()
    return _summaries(screen)


async def test_history_filters_opens_a_record_and_shows_new_decisions(tmp_path: Path) -> None:
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        client = AsyncGateClient(socket_paths()[0])
        try:
            for agent, command in [
                ("claude", "git status"),
                ("claude", "rm -rf ~"),
                ("codex", "ls -la"),
            ]:
                await asyncio.wait_for(_submit(client, agent, command), 10)
            waiting = _submit(client, "codex", ASK)
            await until(pilot, lambda: len(app.state.pending) == 1)
            await pilot.press("n")  # a person denies it
            assert (await asyncio.wait_for(waiting, 10))["source"] == "user"

            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            assert _summaries(screen) == [ASK, "ls -la", "rm -rf ~", "git status"]  # newest first
            table = screen.query_one(HistoryTable)
            assert table.render_line(0).text.split()[:4] == ["time", "agent", "·", "session"]
            assert _line(table, 0).split()[-3:] == [ASK.split()[-1], "deny", "you"]

            assert await _filter(pilot, screen, "source:builtin") == [
                "ls -la",
                "rm -rf ~",
                "git status",
            ]
            assert await _filter(pilot, screen, "decision:deny") == [ASK, "rm -rf ~"]
            assert await _filter(pilot, screen, "agent:codex") == [ASK, "ls -la"]
            assert await _filter(pilot, screen, "STATUS") == ["git status"]
            assert await _filter(pilot, screen, "decision:deny source:you") == [ASK]
            assert await _filter(pilot, screen, "agent:claude -rm") == ["git status"]
            assert await _filter(pilot, screen, "agent:claude,codex decision:allow") == [
                "ls -la",
                "git status",
            ]
            assert await _filter(pilot, screen, "source:reviewer") == []

            await pilot.press("ctrl+l")  # clear the filter
            assert len(_summaries(screen)) == 4
            table.focus()
            await pilot.press("j", "j")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, RecordModal))
            record = json.loads(app.screen.query_one(TextArea).text)
            assert record["event"] == "action.decided"
            assert record["summary"] == "rm -rf ~"
            assert record["decision"] == "deny"
            assert record["source"] == "builtin"
            assert record["rule"]["id"]
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)

            await asyncio.wait_for(
                _submit(client, "claude", "git log --oneline"), 10
            )  # decided while the screen is open
            await until(pilot, lambda: len(_summaries(screen)) == 5)
            assert _summaries(screen)[0] == "git log --oneline"
            assert table.cursor == 3  # the selected record stays selected, one row down
            assert "rm -rf ~" in _line(table, 3)

            title = screen.query_one("#history-title", Static)
            assert "waiting" not in str(title.content)
            _submit(client, "codex", ASK)  # someone needs a person while the screen is open
            await until(pilot, lambda: "1 waiting: escape" in str(title.content))

            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        finally:
            await client.close()  # withdraws what still waits
        await until(pilot, lambda: not app.state.pending)


async def test_history_opened_again_is_the_same_screen_with_what_was_decided_meanwhile(
    tmp_path: Path,
) -> None:
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        client = AsyncGateClient(socket_paths()[0])
        try:
            await asyncio.wait_for(_submit(client, "claude", "git status"), 10)
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            await until(pilot, lambda: _summaries(screen) == ["git status"])
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is not screen)
            await asyncio.wait_for(_submit(client, "codex", "ls -la"), 10)
            await pilot.press("h")
            await until(pilot, lambda: app.screen is screen)
            await until(pilot, lambda: _summaries(screen) == ["ls -la", "git status"])
            assert await _filter(pilot, screen, "ls") == ["ls -la"]  # found as a word, too
        finally:
            await client.close()


def _write_log(path: Path, count: int) -> None:
    """A well-formed audit log of `count` decisions (every third one denied), hash-chained."""
    prev = ZERO_HASH
    with path.open("wb") as handle:
        for seq in range(1, count + 1):
            record = {
                "seq": seq,
                "ts": f"2026-11-25T10:{seq // 600 % 60:02d}:{seq // 10 % 60:02d}+00:00",
                "event": "action.decided",
                "prev": prev,
                "action_id": f"act-{seq}",
                "agent": "claude" if seq % 2 else "codex",
                "session": "s",
                "kind": "exec",
                "summary": f"echo {seq}",
                "decision": "deny" if seq % 3 == 0 else "allow",
                "source": "rules",
            }
            line = json.dumps(record, separators=(",", ":")).encode()
            handle.write(line + b"\n")
            prev = line_hash(line)


async def test_ten_thousand_decisions_read_as_you_go_down(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    _write_log(log, 10_000)

    def gate() -> Gate:
        return Gate(
            rulebook=Rulebook(),
            grants=GrantStore(tmp_path / "grants.json"),
            audit=AuditLog(log),
            toggles=Toggles(auto_review=False),
        )

    app = WardenApp(gate_factory=gate)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one(HistoryTable)
        assert "echo 10000" in _line(table, 0)
        assert AHEAD <= len(screen.records) < 10_000  # the newest, not the whole log
        status = screen.query_one("#history-status", Static)
        assert "more below" in str(status.content)

        read = len(screen.records)
        while table.cursor < read - NEAR_END:  # near the end of what was read: more comes
            await pilot.press("pagedown")
        await until(pilot, lambda: len(screen.records) > read)

        await pilot.press("G")  # the oldest: everything is read, the cursor follows
        await until(pilot, lambda: screen.done, seconds=20)
        await until(pilot, lambda: table.cursor == 9_999)
        assert len(table.rows) == 10_000
        assert "echo 1 " in _line(table, 9_999)
        assert "10,000 shown" in str(status.content)
        await pilot.press("k")
        assert "echo 2 " in _line(table, table.cursor or 0)
        await pilot.press("g")
        assert table.cursor == 0

        shown = await _filter(pilot, screen, "decision:deny agent:codex")
        assert shown[:3] == ["echo 9996", "echo 9990", "echo 9984"]
        assert len(shown) == 10_000 // 6
        assert await _filter(pilot, screen, '"echo 42"') == [
            f"echo {n}" for n in range(10_000, 0, -1) if "echo 42" in f"echo {n}"
        ]  # a quoted phrase; unquoted, `echo 42` is two words


def test_only_decisions_are_read_newest_first_and_after_stops_early(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    events = [
        ("action.decided", "first"),
        ("action.queued", "waits"),
        ("note", "mentions action.decided in its text"),  # found by the byte check, then parsed
        ("action.decided", "second"),
    ]
    with log.open("w") as handle:
        for seq, (event, summary) in enumerate(events, start=1):
            record = {"seq": seq, "prev": "x", "ts": "t", "event": event, "summary": summary}
            handle.write(json.dumps(record) + "\n")  # spaced JSON: the check is on the name alone
        handle.write('{"seq": 5, "torn')  # a write cut short
    assert [r["summary"] for r in decisions_newest_first(log)] == ["second", "first"]
    assert [r["summary"] for r in decisions_newest_first(log, after=1)] == ["second"]


@pytest.mark.parametrize(
    ("query", "record", "expected"),
    [
        ("", {"decision": "allow"}, True),
        ("decision:deny", {"decision": "allow"}, False),
        ("decision:allow,deny", {"decision": "deny"}, True),
        ("source:you", {"source": "user"}, True),
        ("source:user", {"source": "user"}, True),
        ("source:rul", {"source": "rules"}, True),
        ("agent:Claude", {"agent": "claude-code"}, True),
        ("kind:net", {"kind": "exec"}, False),
        ("push", {"summary": "git push origin main"}, True),
        ("-push", {"summary": "git push origin main"}, False),
        ('"origin main"', {"summary": "git push origin main"}, True),
        ("guard.rm", {"summary": "rm -rf /", "rule": {"id": "guard.rm-root"}}, True),
        ("nosuch:thing", {"summary": "nosuch:thing here"}, True),  # not a key: a word
        ('unbalanced "quote', {"summary": 'unbalanced "quote'}, True),
    ],
)
def test_filter_words(query: str, record: dict[str, Any], expected: bool) -> None:
    assert HistoryFilter.parse(query).matches(record) is expected
