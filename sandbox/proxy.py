"""Warden's network proxy on a Unix socket: each host is judged by the gate before it is reached.

Allowed hosts are connected (the proxy resolves their names, so DNS works for them); denied
ones get a 403 with the reason; an unknown host becomes a `network` action in the gate's queue
and the connection waits for the decision.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from gate.client import AsyncGateClient
from gate.errors import GateError
from rules.action import Action, ActionContext, AgentRef, Decision, Turn
from sandbox.judge import Judge, judge_for
from sandbox.proxy_http import BadRequest, Target, parse_head

if TYPE_CHECKING:
    from gate.pipeline import Gate

MAX_HEAD = 64 * 1024
CHUNK = 64 * 1024
CONNECT_TIMEOUT = 30.0
DENIED_FOR_S = 60.0


class NetworkProxy:
    """An HTTP/HTTPS proxy listening on a Unix socket, asking the gate about every new host.

    Args:
        gate: An in-process `Gate`, a client of a running gate, or any `Judge`.
        socket_path: Where to listen.
        agent: Whose connections these are (the sandboxed agent), for the gate and the audit.
        cwd: The working directory the network actions are judged in (project rules).
        trigger: The command line these connections come from, shown with each question.
    """

    def __init__(
        self,
        gate: Gate | AsyncGateClient | Judge,
        socket_path: Path,
        agent: AgentRef | None = None,
        cwd: str | None = None,
        trigger: str = "",
    ) -> None:
        self.judge = judge_for(gate)
        self.socket_path = socket_path
        self.agent = agent or AgentRef(name="warden-proxy")
        self.cwd = cwd
        # The command whose connections these are: a `command` turn of each question's context.
        self.context = ActionContext(turns=[Turn(role="command", text=trigger)] if trigger else [])
        # One question per host and port at a time; an allowed one is remembered, a denied one
        # for DENIED_FOR_S (a client retrying a refused host must not ask the person again).
        self._decisions: dict[tuple[str, int], asyncio.Task[Decision]] = {}
        self._settled_at: dict[tuple[str, int], float] = {}
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> None:
        """Listen on the socket (mode 0600)."""
        self._server = await asyncio.start_unix_server(
            self._serve, path=str(self.socket_path), limit=MAX_HEAD
        )
        self.socket_path.chmod(0o600)

    async def close(self) -> None:
        """Stop listening, end every connection, remove the socket."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in [*self._handlers, *self._decisions.values()]:
            task.cancel()
        await asyncio.gather(*self._handlers, *self._decisions.values(), return_exceptions=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    async def __aenter__(self) -> NetworkProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass  # the client or the server went away: nothing more to say to anyone
        except asyncio.CancelledError:
            # Stopping: end quietly (asyncio would log a cancelled connection handler as an error).
            if not self._closing:
                raise
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            target = parse_head(await reader.readuntil(b"\r\n\r\n"))
        except (BadRequest, asyncio.LimitOverrunError) as exc:
            return await _answer(writer, 400, f"bad request: {exc}")
        try:
            decision = await self._decide(target)
        except GateError as exc:
            return await _answer(writer, 502, f"the gate failed, so nothing is let through: {exc}")
        if decision.decision != "allow":
            reason = decision.message or "denied"
            return await _answer(writer, 403, f"{target.host}:{target.port} denied: {reason}")
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(target.host, target.port), CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError) as exc:
            return await _answer(writer, 502, f"cannot reach {target.host}:{target.port}: {exc}")
        try:
            if target.tunnel:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                up_writer.write(target.head)
            await _splice(reader, writer, up_reader, up_writer)
        finally:
            up_writer.close()

    async def _decide(self, target: Target) -> Decision:
        key = (target.host.lower(), target.port)
        task = self._decisions.get(key)
        if task is not None and task.done() and not _allowed(task):
            denied = _denied(task)
            if denied and time.monotonic() - self._settled_at[key] < DENIED_FOR_S:
                return denied
            task = None
        if task is None:
            action = Action(
                kind="network",
                host=key[0],
                port=target.port,
                scheme=target.scheme,
                executor="warden",
                agent=self.agent,
                cwd=self.cwd,
                context=self.context,
            )
            task = asyncio.ensure_future(self.judge.submit(action))
            task.add_done_callback(lambda _: self._settled_at.__setitem__(key, time.monotonic()))
            self._decisions[key] = task
        return await asyncio.shield(task)


def _allowed(task: asyncio.Task[Decision]) -> bool:
    return not task.cancelled() and task.exception() is None and task.result().decision == "allow"


def _denied(task: asyncio.Task[Decision]) -> Decision | None:
    """The denial a finished question ended in; None when it failed instead (ask again)."""
    if task.cancelled() or task.exception() is not None:
        return None
    decision = task.result()
    return decision if decision.decision == "deny" and decision.source != "error" else None


async def _answer(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    reasons = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}
    body = f"warden: {text}\n".encode()
    writer.write(
        f"HTTP/1.1 {status} {reasons[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()


async def _splice(
    client_r: asyncio.StreamReader,
    client_w: asyncio.StreamWriter,
    up_r: asyncio.StreamReader,
    up_w: asyncio.StreamWriter,
) -> None:
    """Pass bytes both ways until the server is done (the client may only half-close)."""
    sending = asyncio.ensure_future(_pipe(client_r, up_w))
    try:
        await _pipe(up_r, client_w)
    finally:
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
