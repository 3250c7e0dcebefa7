"""What pauses auto-review: a run of denials (the circuit breaker) and the daily token cap."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rules.atomic import locked, write_atomic
from rules.paths import state_dir

DENIALS_IN_A_ROW = 3
DENIALS_PER_SESSION = 20


class CircuitBreaker:
    """Counts the reviewer's denials; too many in a row, or in a session, pause auto-review.

    A verdict that is not a denial ends a run; failures (no verdict) change nothing.
    """

    def __init__(
        self, in_a_row: int = DENIALS_IN_A_ROW, per_session: int = DENIALS_PER_SESSION
    ) -> None:
        self.in_a_row = in_a_row
        self.per_session = per_session
        self.run = 0
        self.total = 0

    def record(self, denied: bool) -> None:
        """Count one verdict."""
        self.run = self.run + 1 if denied else 0
        self.total += denied

    @property
    def reason(self) -> str | None:
        """Why auto-review is paused, or None when it is not."""
        if self.run >= self.in_a_row:
            return f"auto-review paused after {self.run} denials in a row"
        if self.total >= self.per_session:
            return f"auto-review paused after {self.total} denials this session"
        return None

    def reset(self) -> None:
        """Resume: forget the denials counted so far."""
        self.run = self.total = 0


class TokenLedger:
    """The tokens the reviewer spent today, kept in a file shared by every Warden process.

    Args:
        path: the ledger file (default `state_dir()/reviewer-tokens.json`).
        cap: tokens per day before auto-review pauses; None for no cap.
        today: the clock (tests pass a fixed day).
    """

    def __init__(
        self,
        path: Path | None = None,
        cap: int | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.path = path or state_dir() / "reviewer-tokens.json"
        self.cap = cap
        self.today = today

    def spent(self) -> int:
        """Tokens spent today (0 when the file is missing, unreadable or from another day)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        if not isinstance(data, dict) or data.get("day") != self.today().isoformat():
            return 0
        tokens = data.get("tokens")
        return tokens if isinstance(tokens, int) and tokens > 0 else 0

    def add(self, tokens: int) -> int:
        """Add tokens to today's count; returns the new count."""
        if tokens <= 0:
            return self.spent()
        with locked(self.path):
            total = self.spent() + tokens
            record = {"day": self.today().isoformat(), "tokens": total}
            write_atomic(self.path, json.dumps(record) + "\n", mode=0o600)
        return total

    @property
    def reason(self) -> str | None:
        """Why auto-review is paused by the cap, or None."""
        if self.cap is None:
            return None
        spent = self.spent()
        if spent < self.cap:
            return None
        return f"auto-review paused: daily token cap reached ({spent:,} of {self.cap:,} tokens)"
