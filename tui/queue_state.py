"""What the console knows of the gate: pending actions (FIFO), decisions, settings, grants."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from rules.action import Action

FEED_LENGTH = 200


@dataclass
class FeedRow:
    """One decision the gate made without the person (or a person's, shown the same way)."""

    at: float
    action_id: str
    decision: str
    source: str
    agent: str
    summary: str
    message: str


@dataclass
class QueueState:
    """Built from the `watch` snapshot and kept current by applying each event."""

    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    toggles: dict[str, Any] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)
    paused: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # The reviewer's model (None: no reviewer) and the values the requirements allow per setting.
    reviewer: str | None = None
    allowed: dict[str, list[Any]] = field(default_factory=dict)
    feed: deque[FeedRow] = field(default_factory=lambda: deque(maxlen=FEED_LENGTH))
    decided_for_you: int = 0
    decided_by_you: int = 0
    # Actions seen queued keep their summary after they leave the queue, for the feed.
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)

    def load(self, snapshot: dict[str, Any]) -> None:
        """Replace everything with a `watch` snapshot."""
        self.pending = {p["action"]["id"]: p for p in snapshot.get("pending", [])}
        self.toggles = dict(snapshot.get("toggles", {}))
        self.grants = list(snapshot.get("grants", []))
        self.paused = list(snapshot.get("paused", []))
        self.problems = [str(p) for p in snapshot.get("problems", [])]
        self.reviewer = snapshot.get("reviewer")
        self.allowed = dict(snapshot.get("allowed", {}))
        for pending in self.pending.values():
            self._remember(pending)

    def apply(self, event: dict[str, Any], now: float) -> None:
        """Update from one gate event."""
        match event.get("type"):
            case "queued":
                pending = event["pending"]
                self.pending[pending["action"]["id"]] = pending
                self._remember(pending)
            case "reviewing":
                if (pending := self.pending.get(event["action_id"])) is not None:
                    pending["reviewing"] = True
            case "reviewed":
                if (pending := self.pending.get(event["action_id"])) is not None:
                    pending.update(review=event.get("review"), reviewing=False)
            case "decided":
                self._decided(event, now)
            case "cancelled":
                self.pending.pop(event["action_id"], None)
            case "grant":
                self.grants.append(event["grant"])
            case "revoked":
                self.grants = [g for g in self.grants if g["id"] != event["grant_id"]]
            case "toggle":
                self.toggles[event["name"]] = event["value"]
            case "paused":
                self._paused(event)

    def is_paused(self, agent: str, session: str) -> bool:
        """Whether the gate holds this agent session's new actions."""
        return {"agent": agent, "session": session} in self.paused

    def _decided(self, event: dict[str, Any], now: float) -> None:
        action_id = event["action_id"]
        self.pending.pop(action_id, None)
        agent, summary = self.seen.pop(action_id, ("", ""))
        agent = event.get("agent") or agent
        summary = event.get("summary") or summary
        if event["source"] == "user":
            self.decided_by_you += 1
        else:
            self.decided_for_you += 1
        row = FeedRow(
            now, action_id, event["decision"], event["source"], agent, summary, event["message"]
        )
        self.feed.appendleft(row)

    def _paused(self, event: dict[str, Any]) -> None:
        key = {"agent": event["agent"], "session": event.get("session") or ""}
        self.paused = [p for p in self.paused if p != key]
        if event["paused"]:
            self.paused.append(key)

    def _remember(self, pending: dict[str, Any]) -> None:
        action = pending["action"]
        self.seen[action["id"]] = (action["agent"]["name"], summary_of(action))


def summary_of(action: dict[str, Any]) -> str:
    """The one-line summary the gate logs for an action."""
    return Action.model_validate(action).summary()
