"""The auto-review subagent: an LLM's verdict on an action, mapped by Warden, failing closed."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI

from reviewer.breaker import CircuitBreaker, TokenLedger
from reviewer.cache import VerdictCache, cache_key
from reviewer.context import DEFAULT_TURN_BUDGET, review_document
from reviewer.endpoint import Endpoint
from reviewer.errors import AnswerError, ReviewFailed
from reviewer.prompt import PROMPT_VERSION, messages
from reviewer.verdict import ModelVerdict, ReviewOutcome, Threshold, concluded, failed, parse_answer
from rules.action import Action
from rules.model import Verdict


@dataclass(frozen=True)
class Review:
    """One review: Warden's outcome, and the model's verdict or the failure."""

    outcome: ReviewOutcome
    verdict: ModelVerdict | None = None
    cached: bool = False
    failure: ReviewFailed | None = None


class Reviewer:
    """Reviews actions with a model behind any OpenAI-compatible endpoint.

    Usable as the gate's `ReviewFn`: `await reviewer(action, verdict)` returns a
    `ReviewOutcome`, never raises for a failed review, and never approves on failure.

    Args:
        client: the endpoint's client (the caller keeps ownership; see `aclose`).
        model: the model name.
        timeout_s: seconds a review may take once it is sent (the retry included).
        threshold: the highest risk approved without a person.
        max_concurrent: reviews in flight at once; more wait their turn.
        daily_token_cap: tokens per day before auto-review pauses; None for no cap.
        token_file: where the day's token count is kept (default in the state dir).
        sandbox_mode: the sandbox mode shown for actions Warden executes (the gate may update it).
        turn_budget: tokens of the agent's recent turns shown to the model.
        circuit_breaker: pause after 3 denials in a row or 20 in the session.
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        timeout_s: float = 30.0,
        threshold: Threshold = "low",
        max_concurrent: int = 4,
        daily_token_cap: int | None = None,
        token_file: Path | None = None,
        sandbox_mode: str | None = None,
        turn_budget: int = DEFAULT_TURN_BUDGET,
        circuit_breaker: bool = True,
    ) -> None:
        self.client = client
        self.model = model
        self.endpoint = Endpoint(client, model)
        self.timeout_s = timeout_s
        self.threshold: Threshold = threshold
        self.sandbox_mode = sandbox_mode
        self.turn_budget = turn_budget
        self.breaker = CircuitBreaker() if circuit_breaker else None
        self.ledger = TokenLedger(token_file, daily_token_cap)
        self.cache = VerdictCache()
        self._slots = asyncio.Semaphore(max_concurrent)

    async def __call__(self, action: Action, verdict: Verdict) -> ReviewOutcome:
        """Review an action; the gate's `ReviewFn`."""
        return (await self.review(action, verdict)).outcome

    @property
    def paused_reason(self) -> str | None:
        """Why auto-review is paused (denials, token cap), or None while it runs."""
        return (self.breaker.reason if self.breaker else None) or self.ledger.reason

    def resume(self) -> None:
        """Lift a circuit-breaker pause (the token cap holds until tomorrow)."""
        if self.breaker is not None:
            self.breaker.reset()

    async def aclose(self) -> None:
        """Close the client this reviewer was given."""
        await self.client.close()

    async def review(self, action: Action, verdict: Verdict) -> Review:
        """Review an action: Warden's outcome plus the model's verdict, for CLIs and the log.

        Args:
            action: the proposed action, with the user's task and the agent's turns.
            verdict: the rules' verdict on it (matched rules and risk signals).

        Returns:
            The review; a failure or a pause is an `escalate` outcome whose `error` says why.
        """
        started = time.monotonic()
        reason = self.paused_reason
        if reason is not None:
            return Review(failed(reason))
        document = review_document(action, verdict, self.sandbox_mode, self.turn_budget)
        session = (action.agent.name, action.agent.session)
        key = cache_key(session, self.model, PROMPT_VERSION, document)
        known = self.cache.get(key)
        if known is not None:
            review = Review(concluded(known, self.threshold, _ms(started), 0), known, cached=True)
        else:
            review = await self._ask(document)
            if review.verdict is not None:
                self.cache.put(key, review.verdict)
        if self.breaker is not None and review.verdict is not None:
            self.breaker.record(review.outcome.outcome == "deny")
        return review

    async def _ask(self, document: dict[str, Any]) -> Review:
        async with self._slots:
            started = time.monotonic()  # latency is the endpoint's, not the wait for a slot
            try:
                answer = await self.endpoint.complete(messages(document), self.timeout_s)
            except ReviewFailed as exc:
                return Review(failed(str(exc), _ms(started)), failure=exc)
        await asyncio.to_thread(self.ledger.add, answer.tokens)
        try:
            if answer.refusal:
                raise AnswerError(f"the model refused to review: {answer.refusal}")
            verdict = parse_answer(answer.text)
        except AnswerError as exc:
            return Review(failed(str(exc), _ms(started), answer.tokens), failure=exc)
        return Review(concluded(verdict, self.threshold, _ms(started), answer.tokens), verdict)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
