"""The built-in coding agent: a chat-completions loop whose every tool call goes through the gate.

Each tool call the model makes is checked, judged by the gate with the task and the latest turns
as context, and run in the sandbox (`sandbox.tools`); its result, or the reason it was denied,
goes back to the model in the next request. Broken calls (arguments that are not JSON, an
unknown tool) are answered as tool errors, so the model can correct itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion, ChatCompletionMessage

from gate.adapters.transcript import MAX_TEXT, MAX_TURNS
from reviewer.endpoint import _cause, _said
from rules.action import ActionContext, Turn
from sandbox.agent_transcript import Transcript
from sandbox.errors import SandboxError
from sandbox.tool_specs import TOOL_SPECS
from sandbox.tools import GatedTools, ToolResult

SYSTEM_PROMPT = """\
You are a careful coding agent working in the folder {workspace}.
Use the tools to inspect and change the project and to run commands; relative paths are
relative to that folder. Every tool call is judged by Warden, which stands between you and the
machine: commands run in a sandbox where only the workspace is writable and the network goes
through a proxy that may ask a person. When Warden denies a call, the result says why: do not
repeat the same call; find another way within the task, or stop and say what you would need.
When the task is done, answer with a short summary and no tool call."""
OPENAI_TOOLS = [spec.openai() for spec in TOOL_SPECS]
NOTICE_S = 2.0


class ModelError(SandboxError):
    """The model endpoint is unreachable, timed out, refused the request or sent no completion."""


@dataclass(frozen=True, slots=True)
class AgentOutcome:
    """How a run ended.

    Attributes:
        finished: The model answered without a tool call (the task is done, as it sees it).
        requests: Model requests made.
        answer: The model's last text.
    """

    finished: bool
    requests: int
    answer: str


class Agent:
    """The loop: ask the model, judge and run its tool calls, send the results back.

    Args:
        client: An OpenAI-compatible client (its own retries are left as configured).
        model: The model name.
        tools: The gated tools (gate, sandbox and agent session).
        transcript: Where the readable transcript goes.
        max_turns: Model requests before the agent stops.
        notice_s: Seconds a call may take before the transcript says it is waiting.
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        tools: GatedTools,
        transcript: Transcript,
        *,
        max_turns: int = 30,
        notice_s: float = NOTICE_S,
    ) -> None:
        self.client = client
        self.model = model
        self.tools = tools
        self.transcript = transcript
        self.max_turns = max_turns
        self.notice_s = notice_s
        self.turns: list[Turn] = []

    async def run(self, task: str) -> AgentOutcome:
        """Work on `task` until the model stops calling tools or `max_turns` requests were made.

        Raises:
            ModelError: the endpoint failed (the run cannot go on without a model).
            GateError: the gate failed or went away.
            SandboxUnavailable: the sandbox cannot start here.
        """
        workspace = self.tools.spec.workspace
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT.format(workspace=workspace)},
            {"role": "user", "content": task},
        ]
        self.tools.context = ActionContext(task=task[:MAX_TEXT])
        answer = ""
        for request in range(1, self.max_turns + 1):
            message = await self._complete(messages)
            answer = message.content or ""
            if answer:
                self.transcript.said(request, answer)
                self._remember("assistant", answer)
            calls = message.tool_calls or []
            messages.append(_assistant(message))
            if not calls:
                return AgentOutcome(True, request, answer)
            for call in calls:
                name, raw = _name_and_arguments(call)
                result = await self._call(request, name, raw)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result.text})
        return AgentOutcome(False, self.max_turns, answer)

    async def _call(self, request: int, name: str, raw: str) -> ToolResult:
        self.transcript.calling(request, name, raw)
        try:
            arguments = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            result = ToolResult(f"{name}: the arguments are not valid JSON: {exc}", error=True)
        else:
            self._remember("assistant", f"calls {name} {raw}")
            result = await self._noticed(self.tools.call(name, arguments))
        self.transcript.result(result)
        return result

    async def _noticed(self, call: Coroutine[Any, Any, ToolResult]) -> ToolResult:
        """Await a tool call, saying so when it takes a while (a person may be asked)."""
        task = asyncio.ensure_future(call)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.notice_s)
            if not done:
                self.transcript.waiting()
            return await task
        finally:
            task.cancel()

    async def _complete(self, messages: list[dict[str, Any]]) -> ChatCompletionMessage:
        url = str(self.client.base_url)
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                tools=OPENAI_TOOLS,  # type: ignore[arg-type]
            )
        except openai.APITimeoutError as exc:
            raise ModelError(f"no answer from the model at {url} in time") from exc
        except openai.APIConnectionError as exc:
            raise ModelError(f"cannot reach the model at {url}: {_cause(exc)}") from exc
        except openai.APIStatusError as exc:
            raise ModelError(
                f"the model endpoint {url} answered HTTP {exc.status_code}: {_said(exc)}"
            ) from exc
        except ValueError as exc:  # the body was not JSON
            raise ModelError(f"the model endpoint {url} sent no chat completion: {exc}") from exc
        if not isinstance(response, ChatCompletion) or not response.choices:
            raise ModelError(f"the model endpoint {url} sent no chat completion (no choices)")
        return response.choices[0].message

    def _remember(self, role: str, text: str) -> None:
        self.turns = [*self.turns, Turn(role=role, text=text[:MAX_TEXT])][-MAX_TURNS:]
        self.tools.context = self.tools.context.model_copy(update={"turns": self.turns})


def _assistant(message: ChatCompletionMessage) -> dict[str, Any]:
    """The model's message as it goes back in the next request."""
    turn: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
    if message.tool_calls:
        turn["tool_calls"] = [call.model_dump(exclude_none=True) for call in message.tool_calls]
    return turn


def _name_and_arguments(call: Any) -> tuple[str, str]:
    function = getattr(call, "function", None)
    if function is None:  # a custom (non-function) tool call: no such tool here
        return str(getattr(getattr(call, "custom", None), "name", "?")), "{}"
    return function.name, function.arguments or ""
