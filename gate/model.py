"""What moves through the gate: grants, review results, pending actions, toggles, events."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from reviewer.verdict import ReviewOutcome
from rules.action import Action, Decision
from rules.model import Verdict

Scope = Literal["exact", "prefix", "program", "host", "path", "folder", "tool"]
ApprovalPolicy = Literal["untrusted", "on-request", "on-failure", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
Risk = Literal["low", "medium", "high", "critical"]
RISK_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def new_id(prefix: str) -> str:
    """A short id such as `act-3f9a1c2b-1f`: this process's random tag, then a counter.

    Unique within the process by the counter, and across processes and restarts (grants are
    kept) by the 32-bit tag; no system call per id, which a busy gate would notice.
    """
    return f"{prefix}-{_PROCESS_TAG}-{next(_COUNTER):x}"


_PROCESS_TAG = secrets.token_hex(4)
_COUNTER = itertools.count(1)


class GrantSpec(BaseModel):
    """What a person approves "for this session": a scope and the value it covers.

    `value` by scope: exact → [command]; prefix → the words (`["git", "push", "origin"]`);
    program → [name]; host → [host]; path / folder → [absolute path]; tool → [tool name].
    `access` (path / folder only) is the access approved: a read grant never covers a write.
    """

    scope: Scope
    value: list[str]
    all_sessions: bool = False
    access: Literal["read", "write"] | None = None

    def label(self) -> str:
        """How the console shows the grant: `prefix git push origin`, `folder /src (write)`."""
        access = f" ({self.access})" if self.access else ""
        return f"{self.scope} {' '.join(self.value)}{access}"


class Grant(GrantSpec):
    """A session grant in force: who it belongs to and where it came from."""

    id: str = Field(default_factory=lambda: new_id("grant"))
    agent: str = ""
    session: str = ""
    created: float = Field(default_factory=time.time)
    action_id: str | None = None


ReviewResult = ReviewOutcome
"""What the auto-reviewer concluded (the reviewer package's own model)."""

# The auto-reviewer seam: given an action and the rules' verdict, a ReviewResult.
ReviewFn = Callable[[Action, Verdict], Awaitable[ReviewResult]]


@dataclass
class Pending:
    """An action waiting for a person: its verdict, review, and the future its agent awaits."""

    action: Action
    verdict: Verdict
    client: str
    future: asyncio.Future[Decision]
    queued_at: float = field(default_factory=time.time)
    review: ReviewResult | None = None
    reviewing: bool = False
    deadline: float | None = None

    @property
    def id(self) -> str:
        """The action id (always set once queued)."""
        assert self.action.id is not None
        return self.action.id

    def to_json(self) -> dict[str, Any]:
        """The pending action as the console sees it."""
        return {
            "action": self.action.model_dump(mode="json", exclude_none=True),
            "verdict": self.verdict.to_json(),
            "queued_at": self.queued_at,
            "review": self.review.summary() if self.review else None,
            "reviewing": self.reviewing,
            "deadline": self.deadline,
        }


class Toggles(BaseModel):
    """Session settings a console can change (only within what the requirements allow)."""

    auto_review: bool = True
    review_threshold: Risk = "low"
    auto_deny_critical: bool = True
    approval_policy: ApprovalPolicy = "on-request"
    sandbox_mode: SandboxMode = "workspace-write"
    unknown_hosts: Literal["ask", "block"] = "ask"


Event = dict[str, Any]
"""A console event: `{"type": "queued" | "decided" | "cancelled" | "reviewed" | "grant" |
"revoked" | "toggle" | "paused" | "result", ...}`."""
