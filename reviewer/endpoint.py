"""One chat-completions call: structured output detected per endpoint, one retry, errors named."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Literal

import openai
from openai import AsyncOpenAI, Omit, omit
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat
from openai.types.shared_params import ResponseFormatJSONObject, ResponseFormatJSONSchema
from openai.types.shared_params.response_format_json_schema import JSONSchema

from reviewer.context import estimate_tokens
from reviewer.errors import EndpointError, ReviewTimeout
from reviewer.verdict import VERDICT_SCHEMA

Format = Literal["json_schema", "json_object", "plain"]
FORMATS: tuple[Format, ...] = ("json_schema", "json_object", "plain")
RETRY_DELAY_S = 0.2
# A 400 or 422 that names one of these is the endpoint refusing the response format.
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "format")


@dataclass(frozen=True)
class Answer:
    """What the model said, what it cost, and the response format that worked."""

    text: str
    refusal: str | None
    tokens: int
    format: Format


class _FormatRejected(EndpointError):
    """The endpoint does not take this response format (never leaves this module)."""


class Endpoint:
    """An OpenAI-compatible endpoint and model, remembering which response format it takes.

    Args:
        client: the client; its own retries are switched off (one retry happens here).
        model: the model name sent with each request.
    """

    def __init__(self, client: AsyncOpenAI, model: str) -> None:
        self.client = client.with_options(max_retries=0)
        self.model = model
        self.url = str(client.base_url)
        self.format: Format | None = None

    async def complete(
        self, messages: list[ChatCompletionMessageParam], timeout_s: float
    ) -> Answer:
        """Ask for a completion within `timeout_s`, falling back through the response formats.

        Tries `json_schema` (strict), then `json_object`, then no response format, moving on
        only when the endpoint rejects the format; the first accepted one is remembered.

        Raises:
            ReviewTimeout: no answer within `timeout_s`.
            EndpointError: the endpoint is unreachable or answered with an error.
        """
        deadline = asyncio.get_running_loop().time() + timeout_s
        try:
            async with asyncio.timeout_at(deadline):
                return await self._complete(messages, deadline)
        except TimeoutError as exc:
            raise ReviewTimeout(timeout_s) from exc

    async def _complete(
        self, messages: list[ChatCompletionMessageParam], deadline: float
    ) -> Answer:
        formats = list(FORMATS[FORMATS.index(self.format) :] if self.format else FORMATS)
        retries = 1
        while True:
            try:
                answer = await self._call(messages, formats[0], deadline)
            except _FormatRejected:
                formats.pop(0)  # never empties: "plain" sends no format to reject
                continue
            except EndpointError as exc:
                left = deadline - asyncio.get_running_loop().time()
                if not exc.transient or not retries or left < 2 * RETRY_DELAY_S:
                    raise
                retries -= 1
                await asyncio.sleep(RETRY_DELAY_S)
                continue
            self.format = answer.format
            return answer

    async def _call(
        self, messages: list[ChatCompletionMessageParam], fmt: Format, deadline: float
    ) -> Answer:
        timeout = max(deadline - asyncio.get_running_loop().time(), 0.001)
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                response_format=_response_format(fmt),
                timeout=timeout,
            )
        except openai.APITimeoutError as exc:
            raise TimeoutError from exc
        except openai.APIConnectionError as exc:
            raise EndpointError(
                f"reviewer cannot reach {self.url}: {_cause(exc)}", transient=True
            ) from exc
        except openai.APIStatusError as exc:
            status = exc.status_code
            if fmt != "plain" and status in (400, 422) and _names_format(exc):
                raise _FormatRejected(exc.message, status) from exc
            raise EndpointError(
                f"reviewer endpoint answered HTTP {status}: {_said(exc)}",
                status,
                transient=status in (408, 409, 429) or status >= 500,
            ) from exc
        except ValueError as exc:  # the body was not JSON
            raise EndpointError(f"reviewer endpoint sent no chat completion: {exc}") from exc
        return _answer(response, fmt, messages)


def _response_format(fmt: Format) -> ResponseFormat | Omit:
    if fmt == "json_schema":
        schema = JSONSchema(name="review_verdict", schema=VERDICT_SCHEMA, strict=True)
        return ResponseFormatJSONSchema(type="json_schema", json_schema=schema)
    if fmt == "json_object":
        return ResponseFormatJSONObject(type="json_object")
    return omit


def _answer(response: object, fmt: Format, messages: list[ChatCompletionMessageParam]) -> Answer:
    if not isinstance(response, ChatCompletion) or not response.choices:
        raise EndpointError("reviewer endpoint sent no chat completion (no choices)")
    message = response.choices[0].message
    if message is None:
        raise EndpointError("reviewer endpoint sent no chat completion (no message)")
    text = message.content if isinstance(message.content, str) else ""
    usage = response.usage
    tokens = usage.total_tokens if usage is not None and usage.total_tokens else 0
    if not tokens:  # some local servers report no usage: estimate, so the cap still holds
        tokens = estimate_tokens(json.dumps(messages)) + estimate_tokens(text)
    return Answer(text, message.refusal, tokens, fmt)


def _names_format(exc: openai.APIStatusError) -> bool:
    said = f"{exc.message} {exc.param or ''} {exc.body or ''}".lower()
    return any(word in said for word in _FORMAT_WORDS)


def _cause(exc: BaseException) -> str:
    """The root cause of a connection error, in words: `connection refused`, a DNS failure..."""
    last = str(exc)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        last = str(seen) or last
        seen = seen.__cause__ or seen.__context__
    return re.sub(r"^\[Errno -?\d+\] ", "", last)


def _said(exc: openai.APIStatusError, limit: int = 200) -> str:
    """The server's own error message, without the client's `Error code: N - ` prefix."""
    body = exc.body
    said = body.get("message") if isinstance(body, dict) else None
    if not isinstance(said, str):
        said = re.sub(r"^Error code: \d+ - ", "", exc.message)
    flat = " ".join(said.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
