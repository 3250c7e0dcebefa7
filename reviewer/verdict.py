"""The model's verdict, how Warden maps it to an outcome, and how an answer is parsed."""

from __future__ import annotations

import json
import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewer.errors import AnswerError

Risk = Literal["low", "medium", "high", "critical"]
Threshold = Literal["low", "medium", "high"]
Authorization = Literal["unknown", "low", "medium", "high"]
Outcome = Literal["approve", "escalate", "deny"]
RISK_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}
RATIONALE_CHARS = 500


class ModelVerdict(BaseModel):
    """What the model answers. Keys beyond these four are ignored; these four are required."""

    model_config = ConfigDict(extra="ignore")

    rationale: str
    risk: Risk
    user_authorized: Authorization
    outcome: Literal["approve", "escalate"]


class ReviewOutcome(BaseModel):
    """Warden's conclusion from a review: the fields of the gate's `ReviewResult`, exactly.

    `outcome` is Warden's decision, not the model's; `error` names a failure or a pause.
    """

    outcome: Outcome
    risk: Risk | None = None
    user_authorized: str | None = None
    rationale: str = ""
    error: str | None = None
    latency_ms: float = 0.0
    tokens: int = 0

    def summary(self) -> dict[str, Any]:
        """The reviewer part of a decision, for the agent, the console and the audit log."""
        return self.model_dump(exclude_none=True)


# Sent as the `json_schema` response format. Strict mode needs every key required and no others.
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rationale": {
            "type": "string",
            "description": "One or two short sentences for the person: what the action does "
            "and why it fits the task or not.",
        },
        "risk": {"type": "string", "enum": list(get_args(Risk))},
        "user_authorized": {
            "type": "string",
            "enum": list(get_args(Authorization)),
            "description": "How clearly the user's own request asks for this action.",
        },
        "outcome": {"type": "string", "enum": ["approve", "escalate"]},
    },
    "required": ["rationale", "risk", "user_authorized", "outcome"],
    "additionalProperties": False,
}


def decide(verdict: ModelVerdict, threshold: Threshold) -> Outcome:
    """Warden's outcome for a verdict: the model proposes, the threshold disposes.

    Args:
        verdict: the model's verdict.
        threshold: the highest risk that may be approved without a person.

    Returns:
        `deny` for critical risk; `approve` when the model approves at or under the
        threshold; `escalate` otherwise.
    """
    if verdict.risk == "critical":
        return "deny"
    if verdict.outcome == "approve" and RISK_ORDER[verdict.risk] <= RISK_ORDER[threshold]:
        return "approve"
    return "escalate"


def concluded(
    verdict: ModelVerdict, threshold: Threshold, latency_ms: float, tokens: int
) -> ReviewOutcome:
    """The outcome of a review that produced a verdict."""
    rationale = verdict.rationale.strip()
    if len(rationale) > RATIONALE_CHARS:
        rationale = rationale[: RATIONALE_CHARS - 1] + "…"
    return ReviewOutcome(
        outcome=decide(verdict, threshold),
        risk=verdict.risk,
        user_authorized=verdict.user_authorized,
        rationale=rationale,
        latency_ms=round(latency_ms, 1),
        tokens=tokens,
    )


def failed(error: str, latency_ms: float = 0.0, tokens: int = 0) -> ReviewOutcome:
    """The outcome of a review that produced no verdict: always escalate, naming why."""
    return ReviewOutcome(
        outcome="escalate", error=error, latency_ms=round(latency_ms, 1), tokens=tokens
    )


_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)


def parse_answer(text: str) -> ModelVerdict:
    """Read a verdict from the model's answer, tolerating code fences and prose around it.

    Raises:
        AnswerError: the answer is empty, holds no JSON object, or does not fit the schema.
    """
    text = _THINKING.sub("", text).strip()
    if not text:
        raise AnswerError("the model's answer was empty")
    try:
        data = json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        try:
            data = json.loads(text[start : end + 1]) if 0 <= start < end else None
        except ValueError:
            data = None
        if data is None:
            raise AnswerError(f"the model's answer is not JSON: {_excerpt(text)}") from None
    try:
        return ModelVerdict.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()
        )
        raise AnswerError(
            f"the model's answer does not fit the verdict schema: {problems}"
        ) from exc


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")
