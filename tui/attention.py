"""Getting the person's attention: bell, desktop notifications, the pending count in the title."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

log = logging.getLogger(__name__)

# Queued actions arriving within this many seconds make one call for attention...
GATHER_S = 0.5
# ...and two calls are at least this far apart: a burst of 50 is one "50 waiting".
MIN_INTERVAL_S = 10.0


def window_title(pending: int) -> str:
    """`Warden` when nothing waits, else `(3) Warden — 3 waiting`."""
    return f"({pending}) Warden — {pending} waiting" if pending else "Warden"


def set_window_title(app: App[Any], title: str) -> None:
    """Set the terminal window's title (OSC 2); nothing in headless runs (tests)."""
    write_escape(app, f"\x1b]2;{_clean(title)}\x07")


def write_escape(app: App[Any], sequence: str) -> None:
    """Write an escape sequence to the terminal; nothing in headless runs (tests)."""
    # Textual has no public call for these; the driver is how `App.bell` writes too.
    driver = app._driver
    if driver is not None and not app.is_headless:
        driver.write(sequence)


def desktop_sequences(title: str, body: str, in_tmux: bool = False) -> str:
    """OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty) and OSC 777 (foot, Ghostty, rxvt, VTE).

    Terminals ignore the one they do not know. Inside tmux each goes through its passthrough
    (shown when tmux has `allow-passthrough on`, dropped silently otherwise).
    """
    title, body = _clean(title).replace(";", ","), _clean(body)
    sequences = [f"\x1b]9;{title}: {body}\x07", f"\x1b]777;notify;{title};{body}\x07"]
    if in_tmux:
        sequences = [f"\x1bPtmux;{s.replace(chr(27), chr(27) * 2)}\x1b\\" for s in sequences]
    return "".join(sequences)


def attention_text(waiting: int, summary: str) -> str:
    """The notification's body: the one action, or how many wait."""
    if waiting == 1:
        return f"1 action waits for you: {summary}" if summary else "1 action waits for you"
    return f"{waiting} actions wait for you"


class Attention:
    """Calls for the person when actions wait, at most once per burst and interval.

    Args:
        ring: Rings the terminal bell.
        write: Writes an escape sequence to the terminal.
        schedule: Runs a callback after a delay in seconds (the app's `set_timer`).
        waiting: How many actions wait now, and the newest one's summary.
        bell: Ring the bell (`[notifications] bell`).
        desktop: Send a desktop notification (`[notifications] desktop`).
        clock: Monotonic seconds.
        notify_send: The `notify-send` program, or None when it is not on PATH.
    """

    def __init__(
        self,
        ring: Callable[[], None],
        write: Callable[[str], None],
        schedule: Callable[[float, Callable[[], None]], object],
        waiting: Callable[[], tuple[int, str]],
        *,
        bell: bool = True,
        desktop: bool = False,
        clock: Callable[[], float] = time.monotonic,
        notify_send: str | None = None,
    ) -> None:
        self.ring, self.write, self.schedule, self.waiting = ring, write, schedule, waiting
        self.bell, self.desktop, self.clock = bell, desktop, clock
        self.notify_send = notify_send
        self.last_call: float | None = None
        self.due = False
        self.children: list[subprocess.Popen[bytes]] = []
        self.failed = False

    def needed(self) -> None:
        """An action now waits for a person: call for them soon (once for a burst)."""
        if self.due or not (self.bell or self.desktop):
            return
        self.due = True
        now = self.clock()
        at = now + GATHER_S
        if self.last_call is not None:
            at = max(at, self.last_call + MIN_INTERVAL_S)
        self.schedule(at - now, self.call)

    def call(self) -> None:
        """Ring and notify now, with the count of what still waits (nothing if none does)."""
        self.due = False
        count, summary = self.waiting()
        if count == 0:
            return
        self.last_call = self.clock()
        if self.bell:
            self.ring()
        if self.desktop:
            body = attention_text(count, summary)
            self.write(desktop_sequences("Warden", body, in_tmux="TMUX" in os.environ))
            self._notify_send("Warden", body)

    def _notify_send(self, title: str, body: str) -> None:
        self.reap()
        if self.notify_send is None:
            return
        try:
            child = subprocess.Popen(
                [self.notify_send, "--app-name=Warden", title, body],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # never gets the terminal's signals
            )
        except OSError as exc:
            self._failed(f"cannot run {self.notify_send}: {exc}")
            return
        self.children.append(child)

    def reap(self) -> None:
        """Collect finished notify-send processes (no zombies), noting a failure once."""
        for child in list(self.children):
            code = child.poll()
            if code is not None:
                self.children.remove(child)
                if code != 0:
                    self._failed(f"{self.notify_send} exited with status {code}")

    def _failed(self, why: str) -> None:
        if not self.failed:
            self.failed = True
            log.warning("desktop notifications: %s (further failures are not logged)", why)

    @classmethod
    def for_app(
        cls, app: App[Any], waiting: Callable[[], tuple[int, str]], bell: bool, desktop: bool
    ) -> Attention:
        """Wired to an app's bell, terminal and timers; `notify-send` found on PATH."""
        return cls(
            app.bell,
            lambda sequence: write_escape(app, sequence),
            lambda delay, callback: app.set_timer(delay, callback),
            waiting,
            bell=bell,
            desktop=desktop,
            notify_send=None if app.is_headless else shutil.which("notify-send"),
        )


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())
