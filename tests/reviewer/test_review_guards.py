"""Concurrency, the verdict cache, the circuit breaker and the daily token cap."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from chat_server import ChatServer, Reply, verdict_json
from review_samples import TASK, action, ask

from reviewer.breaker import CircuitBreaker, TokenLedger
from reviewer.review import Reviewer

MakeReviewer = Callable[..., Reviewer]
CRITICAL = Reply(content=verdict_json(risk="critical", outcome="escalate", rationale="Wipes."))


async def test_reviews_run_in_parallel(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.hold = 4  # each request waits at the server until four are in flight
    reviewer = make_reviewer(max_concurrent=4, timeout_s=10)
    results = await asyncio.gather(
        *(reviewer(action(command=f"pytest -q t{n}"), ask()) for n in range(4))
    )
    assert [r.outcome for r in results] == ["approve"] * 4
    assert chat.max_in_flight == 4


async def test_parallel_reviews_are_bounded(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.default = Reply(delay=0.05)  # long enough for a third request to arrive, if one could
    reviewer = make_reviewer(max_concurrent=2, timeout_s=10)
    results = await asyncio.gather(
        *(reviewer(action(command=f"pytest -q t{n}"), ask()) for n in range(6))
    )
    assert [r.outcome for r in results] == ["approve"] * 6
    assert len(chat.requests) == 6
    assert chat.max_in_flight == 2


async def test_an_identical_action_in_the_same_session_reuses_the_verdict(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    reviewer = make_reviewer()
    first = await reviewer.review(action(id="a1"), ask())
    again = await reviewer.review(action(id="a2"), ask())
    assert len(chat.requests) == 1
    assert again.cached
    assert again.verdict == first.verdict
    assert again.outcome.outcome == "approve"
    assert again.outcome.tokens == 0


async def test_a_new_session_or_context_asks_again(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    reviewer = make_reviewer()
    await reviewer(action(), ask())
    await reviewer(action(session="s2"), ask())
    await reviewer(action(context={"task": "Deploy to production"}), ask())
    await reviewer(action(context={"task": TASK, "turns": [{"role": "user", "text": "go"}]}), ask())
    assert len(chat.requests) == 4


async def test_failures_are_not_cached(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.replies = [Reply(content="not json")]
    reviewer = make_reviewer()
    assert (await reviewer(action(), ask())).outcome == "escalate"
    assert (await reviewer(action(), ask())).outcome == "approve"
    assert len(chat.requests) == 2


async def test_three_denials_in_a_row_pause_auto_review(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = CRITICAL
    reviewer = make_reviewer()
    outcomes = [(await reviewer(action(command=f"rm -rf /{n}"), ask())).outcome for n in range(3)]
    assert outcomes == ["deny"] * 3
    assert reviewer.paused_reason == "auto-review paused after 3 denials in a row"
    paused = await reviewer(action(), ask())
    assert paused.outcome == "escalate"
    assert paused.error == "auto-review paused after 3 denials in a row"
    assert len(chat.requests) == 3
    reviewer.resume()
    assert reviewer.paused_reason is None
    chat.default = Reply()
    assert (await reviewer(action(), ask())).outcome == "approve"


async def test_a_verdict_that_is_no_denial_ends_the_run(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.replies = [CRITICAL, CRITICAL, Reply(), CRITICAL, CRITICAL]
    reviewer = make_reviewer()
    for n in range(5):
        await reviewer(action(command=f"cmd {n}"), ask())
    assert reviewer.paused_reason is None


def test_twenty_denials_in_a_session_pause_auto_review() -> None:
    breaker = CircuitBreaker()
    for _ in range(10):
        breaker.record(True)
        breaker.record(True)
        breaker.record(False)
    assert breaker.reason == "auto-review paused after 20 denials this session"


async def test_the_daily_token_cap_pauses_auto_review(
    chat: ChatServer, make_reviewer: MakeReviewer, tmp_path: Path
) -> None:
    chat.default = Reply(tokens=60)
    reviewer = make_reviewer(daily_token_cap=100)
    assert (await reviewer(action(command="a"), ask())).outcome == "approve"
    assert (await reviewer(action(command="b"), ask())).outcome == "approve"
    paused = await reviewer(action(command="c"), ask())
    reason = "auto-review paused: daily token cap reached (120 of 100 tokens)"
    assert paused.outcome == "escalate"
    assert paused.error == reason
    assert len(chat.requests) == 2
    ledger = json.loads((tmp_path / "reviewer-tokens.json").read_text())
    assert ledger == {"day": date.today().isoformat(), "tokens": 120}
    assert make_reviewer(daily_token_cap=100).paused_reason == reason  # shared by every session
    reviewer.resume()  # the breaker's resume does not lift the cap
    assert reviewer.paused_reason == reason


def test_the_token_count_starts_again_each_day(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    assert TokenLedger(path, today=lambda: date(2025, 1, 1)).add(500) == 500
    assert TokenLedger(path, cap=100, today=lambda: date(2025, 1, 1)).reason is not None
    tomorrow = TokenLedger(path, cap=100, today=lambda: date(2025, 1, 2))
    assert tomorrow.spent() == 0
    assert tomorrow.reason is None


def test_an_unreadable_ledger_counts_as_nothing_spent(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{torn")
    assert TokenLedger(path).spent() == 0
    assert TokenLedger(path).add(7) == 7
