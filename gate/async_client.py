"""The asyncio client of the gate's agent socket: calls on one connection may run concurrently.

Kept apart from `gate.client` so that the hook shims, which need only the blocking client,
never import asyncio.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from gate.client import (
    MAX_ANSWER,
    GateAbsent,
    GateTimeout,
    GateUnavailable,
    decode_line,
    encode_request,
    result_of,
)
from gate.errors import GateError
from gate.paths import socket_paths


class AsyncConnection:
    """One asyncio JSON-RPC connection to a gate socket, opened at the first call; calls may
    run concurrently, and notifications go to `notified`.

    Args:
        path: The socket.
        timeout: Seconds to wait for any one answer; None waits as long as the person takes.
    """

    LINE_LIMIT = MAX_ANSWER  # the longest line the gate may send

    def __init__(self, path: Path, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._lock = asyncio.Lock()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Send one request and wait for its result.

        Raises:
            GateUnavailable: no gate, or it went away or did not answer within the timeout.
            GateProtocolError: the gate answered with an error.
        """
        writer = await self._connect()
        request_id = next(self._ids)
        answer = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            if self._reading is None or self._reading.done():
                raise GateUnavailable(f"the gate at {self.path} closed the connection")
            async with self._lock:
                writer.write(encode_request(request_id, method, params))
                await writer.drain()
            return result_of(await asyncio.wait_for(answer, self.timeout))
        except TimeoutError as exc:
            raise GateTimeout(f"no answer from the gate within {self.timeout} s") from exc
        except OSError as exc:
            raise GateUnavailable(f"the gate at {self.path} went away: {exc}") from exc
        finally:
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        """Hang up (the gate cancels anything this connection still waits for)."""
        if self._reading is not None:
            self._reading.cancel()
            await asyncio.gather(self._reading, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
            with suppress(OSError):  # already gone: nothing left to close
                await self._writer.wait_closed()
        self._writer = self._reading = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _connect(self) -> asyncio.StreamWriter:
        async with self._lock:
            if self._writer is None:
                try:
                    reader, self._writer = await asyncio.open_unix_connection(
                        str(self.path), limit=self.LINE_LIMIT
                    )
                except OSError as exc:
                    detail = exc.strerror or exc
                    raise GateAbsent(f"no gate at {self.path}: {detail}") from exc
                self._reading = asyncio.create_task(self._read(reader))
            return self._writer

    async def _read(self, reader: asyncio.StreamReader) -> None:
        gone: Exception = GateUnavailable(f"the gate at {self.path} closed the connection")
        try:
            while (message := decode_line(await reader.readline())) is not None:
                if "id" not in message:
                    self.notified(message)
                elif (answer := self._waiting.get(message["id"])) and not answer.done():
                    answer.set_result(message)
        except (OSError, ValueError, GateError) as exc:  # ValueError: a line over the limit
            gone = GateUnavailable(f"the gate at {self.path} went away: {exc}")
        for answer in self._waiting.values():
            if not answer.done():
                answer.set_exception(gone)
        if self._writer is not None:
            self._writer.close()  # our end too, even if no one calls `close`
        self.closed()

    def notified(self, message: dict[str, Any]) -> None:
        """A notification (a message without an id) came; ignored here."""

    def closed(self) -> None:
        """The gate closed the connection (not this side); nothing here."""


class AsyncGateClient(AsyncConnection):
    """An asyncio connection to the agent socket; calls may run concurrently.

    Args:
        path: The agent socket; default `$WARDEN_SOCKET`, else the runtime dir's `gate.sock`.
        timeout: Seconds to wait for any one answer; None waits as long as the person takes.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, timeout: float | None = None
    ) -> None:
        super().__init__(socket_paths(path)[0], timeout)

    async def hello(self, agent: dict[str, Any]) -> dict[str, Any]:
        """Introduce the agent (`{"name", "session"}`); returns `{"gate_version": ...}`."""
        return dict(await self.call("hello", {"agent": agent}))

    async def submit(self, action: dict[str, Any]) -> dict[str, Any]:
        """Ask for a decision on an action (the flat JSON of DESIGN §2); waits for it.

        With a timeout, the action gets an id if it has none, so that one that times out can
        be withdrawn instead of being left in front of a person.
        """
        if self.timeout is None:
            return dict(await self.call("submit", {"action": action}))
        action = {**action, "id": action.get("id") or f"act-{uuid.uuid4().hex[:10]}"}
        try:
            return dict(await self.call("submit", {"action": action}))
        except GateUnavailable:
            with suppress(GateError):
                await self.call("cancel", {"action_id": action["id"]})
            raise

    async def cancel(self, action_id: str) -> bool:
        """Withdraw a pending action of this connection; True if it was still pending."""
        return bool((await self.call("cancel", {"action_id": action_id}))["cancelled"])

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went, for the audit log."""
        params = {"action_id": action_id, "exit_code": exit_code, "duration_ms": duration_ms}
        await self.call("result", params)
