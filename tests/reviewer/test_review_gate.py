"""The real Reviewer plugged into the gate: its outcome has the gate's fields, its source shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from chat_server import ChatServer, Reply, verdict_json
from review_samples import action

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import ReviewResult
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from reviewer.review import Reviewer
from reviewer.verdict import ReviewOutcome
from rules.action import Action, Decision

MakeReviewer = Callable[..., Reviewer]


def test_review_outcome_has_exactly_the_gate_s_fields() -> None:
    assert list(ReviewOutcome.model_fields) == list(ReviewResult.model_fields)
    outcome = ReviewOutcome(outcome="escalate", error="reviewer timed out after 30 s")
    assert ReviewResult.model_validate(outcome.model_dump()).summary() == outcome.summary()


def make_gate(tmp_path: Path, reviewer: Reviewer) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        reviewer=reviewer,
    )


async def submit(gate: Gate, proposed: Action) -> Decision:
    """Submit from a task of its own, as the server does (`close` waits for open submissions)."""
    return await asyncio.create_task(gate.submit(proposed, "c1"))


async def test_the_gate_allows_what_the_reviewer_approves(
    chat: ChatServer, make_reviewer: MakeReviewer, tmp_path: Path
) -> None:
    gate = make_gate(tmp_path, make_reviewer())
    decision = await submit(gate, action(command="make deploy-docs"))
    await gate.close()
    assert (decision.decision, decision.source) == ("allow", "reviewer")
    assert decision.reviewer is not None
    assert decision.reviewer["risk"] == "low"
    assert decision.reviewer["tokens"] == 100
    assert len(chat.requests) == 1


async def test_the_gate_denies_a_critical_verdict(
    chat: ChatServer, make_reviewer: MakeReviewer, tmp_path: Path
) -> None:
    chat.default = Reply(content=verdict_json(risk="critical", outcome="escalate", rationale="No."))
    gate = make_gate(tmp_path, make_reviewer())
    decision = await submit(gate, action(command="make wipe"))
    await gate.close()
    assert (decision.decision, decision.source, decision.message) == ("deny", "reviewer", "No.")
