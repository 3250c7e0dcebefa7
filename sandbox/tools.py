"""The gated tools `warden agent` and `warden mcp` offer: each call judged, then run confined.

`shell`, `read_file` and `write_file` become `exec`, `read` and `write` actions that the executor
runs in the sandbox once the gate allows them; `fetch` becomes a `network` action for the URL's
host, and Warden itself makes the request once allowed (each redirect's host is judged too).
A denial comes back as the tool's result, so the model sees why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from gate.adapters.actions import network, old_content, unified
from gate.adapters.decide import bounded
from gate.errors import GateError
from rules.action import Action, ActionContext, AgentRef, Decision
from sandbox.errors import SandboxSpecError, SandboxUnavailable
from sandbox.executor import ExecOutcome, execute
from sandbox.fetch import Fetched, FetchError, http_get
from sandbox.judge import Judge, LocalJudge, RemoteJudge
from sandbox.result import RunResult
from sandbox.spec import SandboxSpec
from sandbox.tool_specs import check_arguments

# What a model is shown of each output stream, a file or a page: the head and the tail.
TEXT_LIMIT = 16 * 1024
READ_LIMIT = 64 * 1024
CAPTURE_LIMIT = 256 * 1024
COMMAND_TIMEOUT_S = 600.0
MAX_REDIRECTS = 5
WRITE_LIMIT = 4 << 20


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool call gives back to the model.

    Attributes:
        text: The result, bounded.
        error: Whether the call failed: denied, bad arguments, or the command itself failed.
        decision: The gate's (last) decision, when it was asked.
    """

    text: str
    error: bool = False
    decision: Decision | None = None


class GatedTools:
    """The four tools over one gate, one sandbox and one agent session.

    Args:
        judge: The gate that decides every call.
        spec: The sandbox calls run in (its workspace resolves relative paths).
        agent: Who calls: name and session, for the gate and the audit log.
        timeout_s: Seconds before a command is killed.

    Attributes:
        context: The task and recent turns sent with each action (the agent keeps it current).
    """

    def __init__(
        self,
        judge: Judge,
        spec: SandboxSpec,
        agent: AgentRef,
        *,
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self.judge = judge
        self.spec = spec
        # Reading and writing a file needs no network: no proxy bridge to start (~60 ms).
        self._offline = dataclasses.replace(spec, network="off", proxy_socket=None)
        self.agent = agent
        self.timeout_s = timeout_s
        self.context = ActionContext()
        self._withdrawals: set[asyncio.Task[None]] = set()

    async def call(self, name: str, arguments: Any) -> ToolResult:
        """Run one tool call; what is wrong with the call comes back as an error result.

        Raises:
            GateError: the gate failed or went away (nothing ran unless it had allowed it).
            SandboxUnavailable: the sandbox cannot start here (nothing ran).
        """
        checked = check_arguments(name, arguments)
        if isinstance(checked, str):
            return ToolResult(checked, error=True)
        try:
            match name:
                case "shell":
                    return await self.shell(checked["command"])
                case "read_file":
                    return await self.read_file(checked["path"])
                case "write_file":
                    return await self.write_file(checked["path"], checked["content"])
                case _:
                    return await self.fetch(checked["url"])
        except SandboxUnavailable:
            raise
        except SandboxSpecError as exc:
            return ToolResult(f"Warden cannot run this: {exc}", error=True)

    async def shell(self, command: str) -> ToolResult:
        """Run a shell command in the sandbox once the gate allows it."""
        if not command.strip():
            return ToolResult("shell: the command is empty", error=True)
        outcome = await self._execute(self._action(kind="exec", command=command), self.spec)
        return _command_result(outcome)

    async def read_file(self, path: str) -> ToolResult:
        """Read a file in the sandbox once the gate allows it."""
        action = self._action(kind="read", path=self._absolute(path))
        outcome = await self._execute(action, self._offline)
        if (failed := _not_done("read_file", outcome)) is not None:
            return failed
        run = outcome.final
        assert run is not None
        if _binary(run.stdout):
            text = f"(a binary file of {len(run.stdout)} bytes{' or more' * run.truncated})"
        else:
            whole = _decode(run.stdout)
            text = _cut(whole, READ_LIMIT)
            if len(whole) > READ_LIMIT:
                text += "\n[to see the part cut out, print it with shell: sed -n 'FROM,TOp' FILE]"
            if run.truncated:
                text += f"\n[cut: the file is longer than {CAPTURE_LIMIT} bytes]"
        return ToolResult(text, decision=outcome.decision)

    async def write_file(self, path: str, content: str) -> ToolResult:
        """Write a file in the sandbox once the gate, shown the diff, allows it."""
        size = len(content.encode())
        if size > WRITE_LIMIT:
            return ToolResult(
                f"write_file: the content is {size} bytes; one write takes at most "
                f"{WRITE_LIMIT} bytes (write the file in parts with shell, e.g. `cat >>`)",
                error=True,
            )
        target = self._absolute(path)
        diff = unified(target, old_content(target) or "", content)
        # The gate is shown the content and the diff cut at 64 KiB (the content's size and
        # hash kept); the executor writes the whole content only if it has that hash.
        action = self._action(kind="write", path=target, content=content, **bounded({}, None, diff))
        outcome = await self._execute(action, self._offline, content)
        if (failed := _not_done("write_file", outcome)) is not None:
            return failed
        return ToolResult(f"wrote {size} bytes to {target}", decision=outcome.decision)

    async def fetch(self, url: str) -> ToolResult:
        """GET a URL once the gate allows its host; each redirect's host is judged as well."""
        allowed: set[tuple[str, str, int | None]] = set()
        decision: Decision | None = None
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return ToolResult(f"fetch: {url!r} is not an http:// or https:// URL", error=True)
            try:
                where = (parts.scheme, parts.hostname, parts.port)
            except ValueError:
                return ToolResult(f"fetch: {url!r} has a bad port", error=True)
            if where not in allowed:
                fields = network(url, {"url": url, "method": "GET"})
                decision = await self._submit(self._action(**fields))
                if decision.decision != "allow":
                    return _denied(decision)
                allowed.add(where)
            started = time.monotonic()
            try:
                answer = await asyncio.to_thread(http_get, url)
            except FetchError as exc:
                await self._report(decision, 1, started)
                return ToolResult(f"fetch failed: {exc}", error=True, decision=decision)
            await self._report(decision, 0, started)
            if not (300 <= answer.status < 400 and answer.location):
                return _page(url, answer, decision)
            url = urljoin(url, answer.location)
        return ToolResult(f"fetch: more than {MAX_REDIRECTS} redirects", error=True)

    # -- the gate --------------------------------------------------------------------------
    def _action(self, **fields: Any) -> Action:
        return Action(
            id=f"act-{uuid.uuid4().hex[:12]}",
            agent=self.agent,
            cwd=str(self.spec.workspace),
            executor="warden",
            context=self.context,
            **fields,
        )

    def _absolute(self, path: str) -> str:
        return os.path.normpath(os.path.join(self.spec.workspace, os.path.expanduser(path)))

    async def _execute(
        self, action: Action, spec: SandboxSpec, content: str | None = None
    ) -> ExecOutcome:
        try:
            return await execute(
                action,
                spec,
                self.judge,
                max_output=CAPTURE_LIMIT,
                timeout_s=self.timeout_s,
                content=content,
            )
        except asyncio.CancelledError:
            self._withdraw(action.id or "")
            raise

    async def _submit(self, action: Action) -> Decision:
        try:
            return await self.judge.submit(action)
        except asyncio.CancelledError:
            self._withdraw(action.id or "")
            raise

    async def _report(self, decision: Decision | None, exit_code: int, started: float) -> None:
        if decision is not None and decision.action_id:
            duration_ms = round((time.monotonic() - started) * 1000)
            await self.judge.result(decision.action_id, exit_code, duration_ms)

    def _withdraw(self, action_id: str) -> None:
        """The caller gave up (an MCP client cancelled): take the question off the queue.

        Runs as its own task, since the cancelled one cannot wait for anything.
        """
        task = asyncio.ensure_future(_cancel(self.judge, action_id))
        self._withdrawals.add(task)
        task.add_done_callback(self._withdrawals.discard)


async def _cancel(judge: Judge, action_id: str) -> None:
    from sandbox.dialing import DialingJudge

    try:
        if isinstance(judge, RemoteJudge):
            await judge.client.cancel(action_id)
        elif isinstance(judge, LocalJudge):
            await judge.gate.cancel(action_id)
        elif isinstance(judge, DialingJudge):
            await judge.cancel(action_id)
    except GateError:
        pass  # the gate is gone, and with it the question


def _denied(decision: Decision) -> ToolResult:
    why = decision.message or "no reason given"
    text = f"Warden denied this ({decision.source}): {why}"
    return ToolResult(text, error=True, decision=decision)


def _not_done(tool: str, outcome: ExecOutcome) -> ToolResult | None:
    """What the model hears when a file tool was denied or failed; None when it ran well."""
    run = outcome.final
    if run is None:
        return _denied(outcome.decision)
    if run.exit_code != 0:
        said = _text(run.stderr, TEXT_LIMIT).strip() or f"exit code {run.exit_code}"
        return ToolResult(f"{tool} failed: {said}", error=True, decision=outcome.decision)
    return None


def _command_result(outcome: ExecOutcome) -> ToolResult:
    run = outcome.final
    if run is None:
        return _denied(outcome.decision)
    lines = [_status(run, outcome)]
    escalation = outcome.escalation
    if escalation is not None:
        if outcome.rerun is not None:
            lines.append("the sandbox refused it; a person allowed the rerun outside the sandbox")
        else:
            why = escalation.message or "no reason given"
            lines.append(f"the sandbox refused it; rerun outside not allowed ({why})")
    if run.stdout:
        lines += ["stdout:", _text(run.stdout, TEXT_LIMIT).rstrip("\n")]
    if run.stderr:
        lines += ["stderr:", _text(run.stderr, TEXT_LIMIT).rstrip("\n")]
    if run.truncated:
        lines.append(f"[output cut at {CAPTURE_LIMIT} bytes per stream]")
    return ToolResult("\n".join(lines), error=run.exit_code != 0, decision=outcome.decision)


def _status(run: RunResult, outcome: ExecOutcome) -> str:
    where = f"in the sandbox ({outcome.mode})" if run.confined else "unconfined"
    timed_out = ", killed after the timeout" if run.timed_out else ""
    return f"exit code {run.exit_code}{timed_out} · {run.duration_ms} ms · ran {where}"


def _page(url: str, answer: Fetched, decision: Decision | None) -> ToolResult:
    kind = answer.content_type or "no content type"
    head = f"HTTP {answer.status} {answer.reason} · {kind} · {len(answer.body)} bytes"
    if answer.truncated:
        head += " (cut)"
    if _binary(answer.body):
        body = "(binary content, not shown)"
    else:
        body = _text(answer.body, TEXT_LIMIT, answer.charset)
    return ToolResult(f"{head}\n{url}\n\n{body}", error=answer.status >= 400, decision=decision)


def _binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


def _text(data: bytes, limit: int, charset: str | None = None) -> str:
    """`data` as text, its middle cut out when longer than `limit` characters."""
    return _cut(_decode(data, charset), limit)


def _decode(data: bytes, charset: str | None = None) -> str:
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[… {cut} characters cut …]\n{text[-half:]}"
