"""Getting the person's attention: the terminal bell and the pending count in the window title."""

from __future__ import annotations

from typing import Any

from textual.app import App


def window_title(pending: int) -> str:
    """`Warden` when nothing waits, else `(3) Warden — 3 waiting`."""
    return f"({pending}) Warden — {pending} waiting" if pending else "Warden"


def set_window_title(app: App[Any], title: str) -> None:
    """Set the terminal window's title (OSC 2); nothing in headless runs (tests)."""
    # Textual has no public call for the window title; the driver is how `App.bell` writes too.
    driver = app._driver
    if driver is not None and not app.is_headless:
        clean = "".join(ch for ch in title if ch.isprintable())
        driver.write(f"\x1b]2;{clean}\x07")
