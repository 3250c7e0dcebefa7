"""Calling for the person: escape sequences, one call per burst, a real notify-send on PATH."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.attention import (
    GATHER_S,
    MIN_INTERVAL_S,
    Attention,
    attention_text,
    desktop_sequences,
)


class Harness:
    """An Attention on a fake clock, with timers run by hand and everything recorded."""

    def __init__(self, notify_send: str | None = None, **options: bool) -> None:
        self.now = 1000.0
        self.count, self.summary = 0, ""
        self.rings = 0
        self.written: list[str] = []
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.attention = Attention(
            self._ring,
            self.written.append,
            lambda delay, callback: self.timers.append((self.now + delay, callback)),
            lambda: (self.count, self.summary),
            clock=lambda: self.now,
            notify_send=notify_send,
            **options,
        )

    def _ring(self) -> None:
        self.rings += 1

    def queue(self, summary: str = "git push origin main") -> None:
        self.count, self.summary = self.count + 1, summary
        self.attention.needed()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in sorted(t for t in self.timers if t[0] <= self.now):
            self.timers.remove(timer)
            timer[1]()


def test_the_sequences_are_osc_9_and_osc_777() -> None:
    sequences = desktop_sequences("Warden", "1 action waits for you: rm -rf x\x07;y")
    assert sequences == (
        "\x1b]9;Warden: 1 action waits for you: rm -rf x;y\x07"
        "\x1b]777;notify;Warden;1 action waits for you: rm -rf x;y\x07"
    )


def test_inside_tmux_they_go_through_its_passthrough() -> None:
    wrapped = desktop_sequences("Warden", "hi", in_tmux=True)
    assert wrapped == (
        "\x1bPtmux;\x1b\x1b]9;Warden: hi\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;Warden;hi\x07\x1b\\"
    )


def test_a_burst_of_fifty_is_one_call_saying_fifty() -> None:
    harness = Harness(bell=True, desktop=True)
    for _ in range(50):
        harness.queue()
    assert harness.rings == 0  # gathered first
    harness.advance(GATHER_S)
    assert harness.rings == 1
    assert len(harness.written) == 1
    assert "50 actions wait for you" in harness.written[0]
    harness.advance(60)
    assert harness.rings == 1


def test_calls_are_spaced_by_the_interval() -> None:
    harness = Harness(bell=True, desktop=True)
    harness.queue("make deploy")
    harness.advance(GATHER_S)
    assert "1 action waits for you: make deploy" in harness.written[0]
    harness.advance(1)
    harness.queue()
    harness.advance(GATHER_S)
    assert harness.rings == 1  # too soon after the first
    harness.advance(MIN_INTERVAL_S)
    assert harness.rings == 2
    assert "2 actions wait for you" in harness.written[1]


def test_nothing_when_the_actions_were_decided_meanwhile() -> None:
    harness = Harness(bell=True, desktop=True)
    harness.queue()
    harness.count = 0
    harness.advance(GATHER_S)
    assert (harness.rings, harness.written) == (0, [])


@pytest.mark.parametrize(("bell", "desktop"), [(True, False), (False, True), (False, False)])
def test_the_settings_choose_bell_and_desktop(bell: bool, desktop: bool) -> None:
    harness = Harness(bell=bell, desktop=desktop)
    harness.queue()
    harness.advance(GATHER_S)
    assert harness.rings == int(bell)
    assert len(harness.written) == int(desktop)


def fake_notify_send(tmp_path: Path, exit_code: int = 0) -> Path:
    """A real executable named notify-send that records its arguments, one per line."""
    script = tmp_path / "bin" / "notify-send"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{tmp_path}/calls"\nexit {exit_code}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_notify_send_on_path_gets_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = fake_notify_send(tmp_path)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    harness = Harness(notify_send=shutil.which("notify-send"), bell=False, desktop=True)
    harness.queue("git push origin main")
    harness.advance(GATHER_S)
    calls = tmp_path / "calls"
    wait_for(calls.exists)
    wait_for(lambda: all(child.poll() is not None for child in harness.attention.children))
    harness.attention.reap()
    expected = ["--app-name=Warden", "Warden", "1 action waits for you: git push origin main"]
    assert calls.read_text().splitlines() == expected


def test_a_failing_notify_send_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    harness = Harness(notify_send=str(fake_notify_send(tmp_path, 3)), bell=False, desktop=True)
    for _ in range(3):
        harness.queue()
        harness.advance(MIN_INTERVAL_S)
        wait_for(lambda: all(child.poll() is not None for child in harness.attention.children))
        harness.attention.reap()
    assert len((tmp_path / "calls").read_text().splitlines()) == 9  # still tried each time
    warnings = [r.getMessage() for r in caplog.records if r.name == "tui.attention"]
    assert len(warnings) == 1
    assert "exited with status 3" in warnings[0]


def test_a_missing_program_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    harness = Harness(notify_send="/nonexistent/notify-send", bell=False, desktop=True)
    for _ in range(2):
        harness.queue()
        harness.advance(MIN_INTERVAL_S)
    assert len(harness.written) == 2  # the terminal still gets its sequences
    warnings = [r.getMessage() for r in caplog.records if r.name == "tui.attention"]
    assert len(warnings) == 1
    assert "cannot run /nonexistent/notify-send" in warnings[0]


def test_the_text_names_one_action_or_counts_many() -> None:
    assert attention_text(1, "ls") == "1 action waits for you: ls"
    assert attention_text(3, "ls") == "3 actions wait for you"
