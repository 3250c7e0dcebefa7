"""The reviewer over real HTTP: formats, timeouts, HTTP errors, garbage — each fails closed."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from chat_server import ChatServer, Reply, verdict_json
from openai import AsyncOpenAI
from review_samples import action, ask

from reviewer.review import Reviewer
from reviewer.verdict import VERDICT_SCHEMA

MakeReviewer = Callable[..., Reviewer]


async def test_json_schema_is_tried_first_and_strict(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    reviewer = make_reviewer()
    result = await reviewer(action(), ask())
    assert result.outcome == "approve"
    response_format = chat.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"] == VERDICT_SCHEMA
    assert chat.requests[0]["model"] == "test-model"
    assert reviewer.endpoint.format == "json_schema"


async def test_falls_back_to_json_object_and_remembers_it(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.unsupported = {"json_schema"}
    reviewer = make_reviewer()
    assert (await reviewer(action(command="pytest -q a"), ask())).outcome == "approve"
    assert (await reviewer(action(command="pytest -q b"), ask())).outcome == "approve"
    assert chat.formats() == ["json_schema", "json_object", "json_object"]
    assert reviewer.endpoint.format == "json_object"


async def test_falls_back_to_plain_json_and_remembers_it(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.unsupported = {"json_schema", "json_object"}
    reviewer = make_reviewer()
    assert (await reviewer(action(command="pytest -q a"), ask())).outcome == "approve"
    assert (await reviewer(action(command="pytest -q b"), ask())).outcome == "approve"
    assert chat.formats() == ["json_schema", "json_object", None, None]
    assert reviewer.endpoint.format == "plain"


async def test_plain_answer_in_a_code_fence_is_read(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.unsupported = {"json_schema", "json_object"}
    chat.default = Reply(content=f"Here is my verdict:\n```json\n{verdict_json()}\n```")
    assert (await make_reviewer()(action(), ask())).outcome == "approve"


async def test_a_400_about_something_else_is_no_fallback(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(status=400, error="maximum context length is 8192 tokens")
    result = await make_reviewer()(action(), ask())
    assert result.outcome == "escalate"
    assert result.error is not None
    assert result.error.startswith("reviewer endpoint answered HTTP 400: maximum context length")
    assert len(chat.requests) == 1


async def test_an_answer_slower_than_the_timeout_escalates(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(delay=5)
    result = await make_reviewer(timeout_s=0.3)(action(), ask())
    assert result.outcome == "escalate"
    assert result.error == "reviewer timed out after 0.3 s"
    assert result.risk is None


async def test_one_500_is_retried(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.replies = [Reply(status=500)]
    result = await make_reviewer(timeout_s=2)(action(), ask())
    assert result.outcome == "approve"
    assert len(chat.requests) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_repeated_transient_errors_escalate_after_one_retry(
    chat: ChatServer, make_reviewer: MakeReviewer, status: int
) -> None:
    chat.default = Reply(status=status, error="overloaded")
    result = await make_reviewer(timeout_s=2)(action(), ask())
    assert result.outcome == "escalate"
    assert result.error == f"reviewer endpoint answered HTTP {status}: overloaded"
    assert len(chat.requests) == 2


async def test_a_401_is_not_retried(chat: ChatServer, make_reviewer: MakeReviewer) -> None:
    chat.default = Reply(status=401, error="invalid api key")
    result = await make_reviewer()(action(), ask())
    assert result.outcome == "escalate"
    assert result.error == "reviewer endpoint answered HTTP 401: invalid api key"
    assert len(chat.requests) == 1


async def test_connection_refused_escalates(tmp_path: object) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AsyncOpenAI(api_key="k", base_url=f"http://127.0.0.1:{port}/v1") as client:
        reviewer = Reviewer(client, model="m", timeout_s=2)
        result = await reviewer(action(), ask())
    assert result.outcome == "escalate"
    assert result.error == f"reviewer cannot reach http://127.0.0.1:{port}/v1/: connection refused"


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(raw=b"<html>Bad gateway</html>"), "reviewer endpoint sent no chat completion"),
        (Reply(raw=b'{"choices": []}'), "reviewer endpoint sent no chat completion"),
        (Reply(content="Looks fine to me!"), "the model's answer is not JSON: 'Looks fine to me!'"),
        (Reply(content=""), "the model's answer was empty"),
        (Reply(content=None), "the model's answer was empty"),
        (
            Reply(content='{"risk": "low", "outcome": "approve"}'),
            "the model's answer does not fit the verdict schema: rationale: Field required",
        ),
        (
            Reply(content=verdict_json(risk="negligible")),
            "the model's answer does not fit the verdict schema: risk: Input should be",
        ),
        (
            Reply(content=verdict_json(outcome="deny")),
            "the model's answer does not fit the verdict schema: outcome: Input should be",
        ),
        (Reply(content="[1, 2]"), "the model's answer does not fit the verdict schema"),
        (
            Reply(content=None, refusal="I can't help with that."),
            "the model refused to review: I can't help with that.",
        ),
    ],
)
async def test_unusable_answers_escalate_and_name_the_failure(
    chat: ChatServer, make_reviewer: MakeReviewer, reply: Reply, error: str
) -> None:
    chat.default = reply
    result = await make_reviewer()(action(), ask())
    assert result.outcome == "escalate"
    assert result.risk is None
    assert result.error is not None
    assert result.error.startswith(error)


async def test_tokens_and_latency_are_recorded(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(tokens=321)
    result = await make_reviewer()(action(), ask())
    assert result.tokens == 321
    assert result.latency_ms > 0


async def test_tokens_are_estimated_when_the_server_reports_no_usage(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    chat.default = Reply(tokens=None)
    result = await make_reviewer()(action(), ask())
    assert result.outcome == "approve"
    assert result.tokens > 100  # the system prompt alone is several hundred tokens
