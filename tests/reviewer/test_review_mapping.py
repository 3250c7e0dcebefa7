"""Warden decides, not the model: the verdict mapping table, over the wire and in-process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chat_server import ChatServer, Reply, verdict_json
from review_samples import action, ask

from reviewer.review import Reviewer
from reviewer.verdict import ModelVerdict, decide

MakeReviewer = Callable[..., Reviewer]

# (model's risk, model's outcome, threshold) → Warden's outcome
TABLE = [
    ("low", "approve", "low", "approve"),
    ("medium", "approve", "low", "escalate"),
    ("medium", "approve", "medium", "approve"),
    ("high", "approve", "low", "escalate"),
    ("high", "approve", "medium", "escalate"),
    ("high", "approve", "high", "approve"),
    ("critical", "approve", "high", "deny"),
    ("critical", "escalate", "low", "deny"),
    ("low", "escalate", "low", "escalate"),
    ("high", "escalate", "high", "escalate"),
]


@pytest.mark.parametrize(("risk", "said", "threshold", "expected"), TABLE)
def test_mapping_table(risk: str, said: str, threshold: str, expected: str) -> None:
    verdict = ModelVerdict.model_validate(
        {"rationale": "r", "risk": risk, "user_authorized": "high", "outcome": said}
    )
    assert decide(verdict, threshold) == expected  # type: ignore[arg-type]


async def test_an_approve_with_high_risk_is_not_an_approval(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(content=verdict_json(risk="high", rationale="Pushes to main."))
    result = await make_reviewer()(action(command="git push origin main"), ask())
    assert result.outcome == "escalate"
    assert result.risk == "high"
    assert result.rationale == "Pushes to main."
    assert result.error is None


async def test_a_critical_verdict_denies_with_its_rationale(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(
        content=verdict_json(
            risk="critical", outcome="escalate", rationale="Deletes the home directory."
        )
    )
    result = await make_reviewer()(action(command="rm -rf ~"), ask())
    assert result.outcome == "deny"
    assert result.risk == "critical"
    assert result.rationale == "Deletes the home directory."


async def test_the_threshold_can_be_raised(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.default = Reply(content=verdict_json(risk="medium"))
    assert (await make_reviewer()(action(), ask())).outcome == "escalate"
    assert (await make_reviewer(threshold="medium")(action(), ask())).outcome == "approve"


async def test_a_long_rationale_is_cut_for_the_screen(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(content=verdict_json(rationale="word " * 400))
    result = await make_reviewer()(action(), ask())
    assert len(result.rationale) == 500
    assert result.rationale.endswith("…")
